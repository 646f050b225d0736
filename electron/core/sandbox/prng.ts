/** A small seeded PRNG (mulberry32): the simulator's faults, ids and tokens are reproducible from a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` lowercase hex characters from `random`. */
export function randomHex(random: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(random() * 16).toString(16);
  return s;
}
