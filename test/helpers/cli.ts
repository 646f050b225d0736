import { Writable } from 'node:stream';
import { runCli } from '../../electron/cli/main';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs `cohort-relay <argv>` in process with captured output. */
export async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(argv, { stdout, stderr, env: { PATH: process.env.PATH, HOME: process.env.HOME, COHORT_RELAY_KEYCHAIN: 'off', ...env } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
