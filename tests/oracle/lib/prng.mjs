// Seeded PRNG (mulberry32) so that a failing JavaScript-generated case can be
// reproduced from the seed printed by the script.

export class Prng {
  #a;

  constructor(seed) {
    this.#a = Number(BigInt.asUintN(32, BigInt(seed))) >>> 0;
  }

  // Uniform 32-bit unsigned integer.
  u32() {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  // Uniform integer in [0, n), n <= 2^32.
  below(n) {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  oneIn(n) {
    return this.below(n) === 0;
  }

  pick(array) {
    return array[this.below(array.length)];
  }

  // Uniform 64-bit unsigned bigint.
  u64() {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
