import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, drawIcon, encodePng, iconPng, iconSvg } from '../../../electron/main/icon';

/** Reads the chunks of a PNG, checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: { type: string; data: Buffer }[] = [];
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + len);
    expect(png.readUInt32BE(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    out.push({ type, data });
    o += 12 + len;
  }
  return out;
}

describe('the drawn icon', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('encodes a valid RGBA PNG whose pixels decode back unchanged', () => {
    const rgba = drawIcon(24);
    const c = chunks(encodePng(rgba, 24, 24));
    expect(c.map((x) => x.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(c[0]!.data.readUInt32BE(0)).toBe(24);
    expect([c[0]!.data[8], c[0]!.data[9]]).toEqual([8, 6]);
    const raw = inflateSync(c[1]!.data);
    expect(raw.length).toBe(24 * (24 * 4 + 1));
    expect(raw[0]).toBe(0);
    expect([...raw.subarray(1, 1 + 24 * 4)]).toEqual([...rgba.subarray(0, 24 * 4)]);
  });

  it('is transparent in the corners, teal inside and white at the centre dot', () => {
    const s = 64;
    const px = drawIcon(s);
    const at = (x: number, y: number) => [...px.subarray((y * s + x) * 4, (y * s + x) * 4 + 4)];
    expect(at(0, 0)[3]).toBe(0);
    expect(at(s / 2, s / 2)).toEqual([255, 255, 255, 255]);
    const [r, g, b, a] = at(4, s / 2);
    expect(a).toBe(255);
    expect(g!).toBeGreaterThan(r!);
    expect(b!).toBeGreaterThan(r!);
  });

  it('matches the committed build/icon.png and build/icon.svg (regenerate with `npx tsx build/generate-icons.ts`)', () => {
    expect(readFileSync('build/icon.png').equals(iconPng(512))).toBe(true);
    expect(readFileSync('build/icon.svg', 'utf8')).toBe(iconSvg());
  });

  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(RangeError);
  });
});
