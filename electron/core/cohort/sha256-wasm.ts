/**
 * SHA-256 of many short values at once, four at a time in WebAssembly SIMD lanes (the batch hasher, kernel-batch.ts,
 * feeds it). Node has no call that hashes many values: `crypto.hash` per value costs 400–600 ns a row here (the call,
 * the string it returns, the copy), about half of the pipeline's CPU; these lanes take about 150 ns a value.
 *
 * The module is built here, at run time, from the FIPS 180-4 definition: no binary is kept in the repository and no
 * build step makes one. It hashes values of at most 55 bytes (one 64-byte block once padded); the caller hashes
 * longer ones with `crypto.hash`. kernel-batch.test.ts checks every length 0–55 and random values against node:crypto.
 *
 * `hash(blocks, lens, out, count)`: for i < count (rounded up to a multiple of 4), the value is the first lens[i]
 * bytes of the 64-byte slot at blocks + 64 i (what follows them in the slot is ignored: the padding is made here),
 * lens is an i32 array, and the 32-byte digest goes to out + 32 i.
 */

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** The longest value one padded block holds. */
export const SHA256_WASM_MAX_BYTES = 55;

type Code = number[];

function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * An instruction sequence as a tree of bytes: the combinators below nest their operands instead of copying them, and
 * emit() flattens the tree once (copying at every level took 37 ms of a CLI run's start).
 */
type Expr = number | readonly Expr[];

const simd = (op: number, ...rest: Expr[]): Expr => [0xfd, uleb(op), rest];

// Locals: the four i32 parameters, then per group of four lanes 34 v128s: w0..w15, a..h, t1, t2, x0..x3, va..vd.
const P_IN = 0;
const P_LENS = 1;
const P_OUT = 2;
const P_N = 3;
const GROUP_LOCALS = 34;
const base = (g: number): number => 4 + g * GROUP_LOCALS;
const W = (g: number, i: number): number => base(g) + i;
const S = (g: number, i: number): number => base(g) + 16 + i;
const T1 = (g: number): number => base(g) + 24;
const T2 = (g: number): number => base(g) + 25;
const X = (g: number, i: number): number => base(g) + 26 + i;
const VA = (g: number, j: number): number => base(g) + 30 + j;

const get = (i: number): Expr => [0x20, uleb(i)];
const set = (i: number, value: Expr): Expr => [value, 0x21, uleb(i)];
const i32 = (n: number): Expr => [0x41, sleb(n)];
const load = (base: number, offset: number): Expr => [get(base), simd(0x00, 4, uleb(offset))];
const store = (base: number, offset: number, value: Expr): Expr => [get(base), value, simd(0x0b, 4, uleb(offset))];
const bytes16 = (b: number[]): Expr => simd(0x0c, b);
const splat32 = (k: number): Expr => bytes16([0, 1, 2, 3].flatMap(() => [k & 255, (k >>> 8) & 255, (k >>> 16) & 255, (k >>> 24) & 255]));
const shuffle = (lanes: number[], a: Expr, b: Expr): Expr => [a, b, simd(0x0d, lanes)];
const and = (a: Expr, b: Expr): Expr => [a, b, simd(0x4e)];
const or = (a: Expr, b: Expr): Expr => [a, b, simd(0x50)];
const xor = (a: Expr, b: Expr): Expr => [a, b, simd(0x51)];
/** Bits of `a` where `mask` is 1, of `b` elsewhere. */
const bitselect = (a: Expr, b: Expr, mask: Expr): Expr => [a, b, mask, simd(0x52)];
const add = (a: Expr, b: Expr): Expr => [a, b, simd(0xae)];
const shl = (a: Expr, n: number): Expr => [a, i32(n), simd(0xab)];
const shr = (a: Expr, n: number): Expr => [a, i32(n), simd(0xad)];
const rotr = (a: Expr, n: number): Expr => or(shr(a, n), shl(a, 32 - n));
const xor3 = (a: Expr, b: Expr, c: Expr): Expr => xor(xor(a, b), c);

/**
 * The bytes of the module (about 20 KB a group). `groups` sets of four lanes can be worked on side by side (each pass
 * of the loop hashes 4 × groups values); measured here, two groups were 1.7× slower a value than one (their 68 vectors
 * do not fit the 16 registers), so one it is.
 */
export function buildSha256Wasm(groups = 1): Uint8Array {
  const body: Code = [];
  const emit = (e: Expr): void => {
    if (typeof e === 'number') body.push(e);
    else for (const x of e) emit(x);
  };
  const G = Array.from({ length: groups }, (_, g) => g);
  const range = (from: number): number[] => Array.from({ length: 16 }, (_, i) => from + i);
  emit([0x02, 0x40, 0x03, 0x40]); // block, loop
  emit([get(P_N), i32(0), 0x4c, 0x0d, 1]); // n <= 0: br_if to the block's end
  // Load four slots, keep each value's first len bytes, put 0x80 after them, and turn the 4×16 words around so
  // that lane j of w[k] is word k of value j (big-endian).
  const lo = [3, 2, 1, 0, 19, 18, 17, 16, 7, 6, 5, 4, 23, 22, 21, 20];
  const hi = [11, 10, 9, 8, 27, 26, 25, 24, 15, 14, 13, 12, 31, 30, 29, 28];
  const lo2 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const hi2 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  for (const g of G) {
    for (let q = 0; q < 4; q++) {
      for (let j = 0; j < 4; j++) {
        const v = 4 * g + j;
        const len: Expr = [get(P_LENS), 0x28, 2, uleb(4 * v), simd(0x0f)]; // i8x16.splat(i32.load(lens + 4v))
        const idx = bytes16(range(16 * q));
        const keep = [len, idx, simd(0x28)]; // i8x16.gt_u(len, idx)
        const end = [len, idx, simd(0x23)]; // i8x16.eq(len, idx)
        emit(set(VA(g, j), or(and(load(P_IN, 64 * v + 16 * q), keep), and(end, bytes16(new Array<number>(16).fill(0x80))))));
      }
      emit(set(X(g, 0), shuffle(lo, get(VA(g, 0)), get(VA(g, 1)))));
      emit(set(X(g, 1), shuffle(hi, get(VA(g, 0)), get(VA(g, 1)))));
      emit(set(X(g, 2), shuffle(lo, get(VA(g, 2)), get(VA(g, 3)))));
      emit(set(X(g, 3), shuffle(hi, get(VA(g, 2)), get(VA(g, 3)))));
      emit(set(W(g, 4 * q), shuffle(lo2, get(X(g, 0)), get(X(g, 2)))));
      emit(set(W(g, 4 * q + 1), shuffle(hi2, get(X(g, 0)), get(X(g, 2)))));
      emit(set(W(g, 4 * q + 2), shuffle(lo2, get(X(g, 1)), get(X(g, 3)))));
      emit(set(W(g, 4 * q + 3), shuffle(hi2, get(X(g, 1)), get(X(g, 3)))));
    }
    // The length in bits ends the block (values of at most 55 bytes: the word before it is 0).
    emit(set(W(g, 15), shl(load(P_LENS, 16 * g), 3)));
    for (let i = 0; i < 8; i++) emit(set(S(g, i), splat32(H0[i]!)));
  }
  let n = [0, 1, 2, 3, 4, 5, 6, 7];
  for (let i = 0; i < 64; i++) {
    for (const g of G) {
      const w = W(g, i % 16);
      if (i >= 16) {
        const w2 = get(W(g, (i - 2) % 16));
        const w15 = get(W(g, (i - 15) % 16));
        const s1 = xor3(rotr(w2, 17), rotr(w2, 19), shr(w2, 10));
        const s0 = xor3(rotr(w15, 7), rotr(w15, 18), shr(w15, 3));
        emit(set(w, add(add(get(w), s0), add(get(W(g, (i - 7) % 16)), s1))));
      }
      const [a, b, c, d, e, f, gg, h] = n.map((k) => S(g, k)) as [number, number, number, number, number, number, number, number];
      const sigma1 = xor3(rotr(get(e), 6), rotr(get(e), 11), rotr(get(e), 25));
      const ch = bitselect(get(f), get(gg), get(e));
      emit(set(T1(g), add(add(add(get(h), sigma1), add(ch, splat32(K[i]!))), get(w))));
      const sigma0 = xor3(rotr(get(a), 2), rotr(get(a), 13), rotr(get(a), 22));
      const maj = bitselect(get(c), get(a), xor(get(a), get(b)));
      emit(set(T2(g), add(sigma0, maj)));
      emit(set(d, add(get(d), get(T1(g)))));
      emit(set(h, add(get(T1(g)), get(T2(g)))));
    }
    n = [n[7]!, n[0]!, n[1]!, n[2]!, n[3]!, n[4]!, n[5]!, n[6]!];
  }
  // Turn the state around again: value j's eight words, byte-swapped, at out + 32 j.
  const pair = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const pairHi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const swapLo = [3, 2, 1, 0, 7, 6, 5, 4, 19, 18, 17, 16, 23, 22, 21, 20];
  const swapHi = [11, 10, 9, 8, 15, 14, 13, 12, 27, 26, 25, 24, 31, 30, 29, 28];
  for (const g of G) {
    for (let i = 0; i < 8; i++) emit(set(S(g, i), add(get(S(g, i)), splat32(H0[i]!))));
    for (let half = 0; half < 2; half++) {
      const [p, q, r, t] = [S(g, 4 * half), S(g, 4 * half + 1), S(g, 4 * half + 2), S(g, 4 * half + 3)];
      emit(set(X(g, 0), shuffle(pair, get(p), get(q))));
      emit(set(X(g, 1), shuffle(pairHi, get(p), get(q))));
      emit(set(X(g, 2), shuffle(pair, get(r), get(t))));
      emit(set(X(g, 3), shuffle(pairHi, get(r), get(t))));
      const o = 128 * g + 16 * half;
      emit(store(P_OUT, o, shuffle(swapLo, get(X(g, 0)), get(X(g, 2)))));
      emit(store(P_OUT, o + 32, shuffle(swapHi, get(X(g, 0)), get(X(g, 2)))));
      emit(store(P_OUT, o + 64, shuffle(swapLo, get(X(g, 1)), get(X(g, 3)))));
      emit(store(P_OUT, o + 96, shuffle(swapHi, get(X(g, 1)), get(X(g, 3)))));
    }
  }
  emit([get(P_IN), i32(256 * groups), 0x6a, 0x21, P_IN]);
  emit([get(P_LENS), i32(16 * groups), 0x6a, 0x21, P_LENS]);
  emit([get(P_OUT), i32(128 * groups), 0x6a, 0x21, P_OUT]);
  emit([get(P_N), i32(4 * groups), 0x6b, 0x21, P_N]);
  emit([0x0c, 0, 0x0b, 0x0b]); // br to the loop; end loop; end block
  emit([0x0b]); // end of the function

  const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
  const section = (id: number, content: Code): Code => [id, ...uleb(content.length), ...content];
  const name = (s: string): Code => [...uleb(s.length), ...[...s].map((ch) => ch.charCodeAt(0))];
  const head: Code = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f]]), ...vec([])]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('hash'), 0x00, 0]])),
  ];
  // The code section: one function, its locals, then the body (written into place, not spread: it is 20 KB).
  const locals = vec([[...uleb(GROUP_LOCALS * groups), 0x7b]]);
  const funcSize = locals.length + body.length;
  const entry = [...uleb(1), ...uleb(funcSize), ...locals];
  const codeSize = entry.length + body.length;
  const code = [10, ...uleb(codeSize), ...entry];
  const out = new Uint8Array(head.length + code.length + body.length);
  out.set(head, 0);
  out.set(code, head.length);
  out.set(body, head.length + code.length);
  return out;
}

/** The part of the WebAssembly API used here (the Node type-check has no DOM library to declare it). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WebAssembly.Module;
  Instance: new (module: WebAssembly.Module, imports: object) => { exports: unknown };
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not available (the caller hashes with node:crypto). */
export function sha256WasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      compiled = new api.Module(buildSha256Wasm());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}
