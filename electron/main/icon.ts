/**
 * The app icon, drawn in code: a teal rounded square with a white ring (the cohort) whose gap ends in an
 * arrowhead (the relay), and a dot. The tray and window icons are rendered at run time (no image file has to
 * ship inside the asar), and build/generate-icons.ts writes the packaging icons from the same drawing, so
 * they cannot drift apart. Pure: no Electron, only node:zlib for PNG encoding.
 */
import { deflateSync } from 'node:zlib';

const TEAL_TOP = [14, 124, 134] as const;
const TEAL_BOTTOM = [8, 84, 102] as const;

/** Shape coverage at a point in unit coordinates (0..1): 0 outside, 1 background, 2 white glyph. */
function sample(x: number, y: number): 0 | 1 | 2 {
  // Rounded square, corner radius 0.22.
  const r = 0.22;
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  if (qx * qx + qy * qy > r * r) return 0;
  const dx = x - 0.5;
  const dy = y - 0.5;
  const d = Math.hypot(dx, dy);
  if (d <= 0.085) return 2; // the dot
  // The ring, with a gap from -70° to -20° (upper right; y grows downwards).
  const angle = (Math.atan2(-dy, dx) * 180) / Math.PI;
  const inGap = angle > 20 && angle < 70;
  if (!inGap && d >= 0.245 && d <= 0.315) return 2;
  // The arrowhead at the gap's clockwise end (angle 70°), pointing along the ring.
  const a = (70 * Math.PI) / 180;
  const cx = 0.5 + 0.28 * Math.cos(a);
  const cy = 0.5 - 0.28 * Math.sin(a);
  // Local frame: t along the clockwise tangent at the ring's end, n along the outward radius.
  const tx = Math.sin(a);
  const ty = Math.cos(a);
  const px = x - cx;
  const py = y - cy;
  const along = px * tx + py * ty; // positive towards the gap
  const across = px * Math.cos(a) - py * Math.sin(a);
  if (along >= 0 && along <= 0.11 && Math.abs(across) <= 0.085 * (1 - along / 0.11)) return 2;
  return 1;
}

/** RGBA pixels of the icon at `size`×`size`, anti-aliased with 4×4 supersampling. */
export function drawIcon(size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    const v = py / size;
    const bg = TEAL_TOP.map((c, i) => c + (TEAL_BOTTOM[i]! - c) * v);
    for (let px = 0; px < size; px++) {
      let cover = 0;
      let white = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const s = sample((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (s) cover++;
          if (s === 2) white++;
        }
      }
      const o = (py * size + px) * 4;
      if (cover === 0) continue;
      const w = white / cover;
      out[o] = Math.round(bg[0]! + (255 - bg[0]!) * w);
      out[o + 1] = Math.round(bg[1]! + (255 - bg[1]!) * w);
      out[o + 2] = Math.round(bg[2]! + (255 - bg[2]!) * w);
      out[o + 3] = Math.round((255 * cover) / (n * n));
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit RGBA, no filtering, zlib level 9). */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError('encodePng: pixel buffer does not match width × height × 4');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** The icon as PNG bytes at one size. */
export function iconPng(size: number): Buffer {
  return encodePng(drawIcon(size), size, size);
}

/** The same drawing as SVG (512 units), for packaging and documentation. */
export function iconSvg(): string {
  const S = 512;
  const f = (v: number) => (Math.round(v * S * 100) / 100).toString();
  const a = (70 * Math.PI) / 180;
  const b = (20 * Math.PI) / 180;
  const R = 0.28;
  const at = (ang: number, r = R) => [0.5 + r * Math.cos(ang), 0.5 - r * Math.sin(ang)] as const;
  const [sx, sy] = at(a);
  const [ex, ey] = at(b);
  const base1 = [sx + 0.085 * Math.cos(a), sy - 0.085 * Math.sin(a)];
  const base2 = [sx - 0.085 * Math.cos(a), sy + 0.085 * Math.sin(a)];
  const tip = [sx + 0.11 * Math.sin(a), sy + 0.11 * Math.cos(a)];
  const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" viewBox="0 0 ${S} ${S}">`,
    `  <defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${rgb(TEAL_TOP)}"/><stop offset="1" stop-color="${rgb(TEAL_BOTTOM)}"/></linearGradient></defs>`,
    `  <rect width="${S}" height="${S}" rx="${f(0.22)}" fill="url(#bg)"/>`,
    `  <path d="M ${f(sx)} ${f(sy)} A ${f(R)} ${f(R)} 0 1 0 ${f(ex)} ${f(ey)}" fill="none" stroke="#fff" stroke-width="${f(0.07)}"/>`,
    `  <polygon points="${[base1, tip, base2].map(([x, y]) => `${f(x!)},${f(y!)}`).join(' ')}" fill="#fff"/>`,
    `  <circle cx="${f(0.5)}" cy="${f(0.5)}" r="${f(0.085)}" fill="#fff"/>`,
    `</svg>`,
    '',
  ].join('\n');
}
