import { Writable } from 'node:stream';

/**
 * Terminal control characters: C0 but tab and line feed (so CR, ESC, BEL, backspace), DEL, C1 (8-bit CSI
 * among them) and the Unicode bidi overrides. A file name, a column name or a cell read from a CSV can hold
 * any of them; printed as is, they can move the cursor, rewrite earlier lines, retitle the window or hide text.
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without terminal control characters (each becomes "?": the user sees something was there). */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, '?');
}

/**
 * A stream that writes to `target` with every control character replaced (stripControls). The CLI
 * prints everything through one of these, so no text read from a file reaches the terminal raw, whichever
 * command or error message carries it. The CLI writes only plain text and JSON: it sends no escapes of its own.
 */
export function safeOutput(target: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, encoding, done) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      // Handed on at once (the target buffers, as before): nothing waits here when the process exits.
      target.write(stripControls(text));
      done();
    },
  });
}
