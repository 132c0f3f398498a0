// Random JavaScript values for the theirs -> ours direction: cbor2 encodes
// them in its core deterministic mode and our codec must accept and reproduce
// the bytes. Covers what the C++ generator covers (cbor_random.cc), from the
// JavaScript side: numbers and bigints of every head width down to -2^64 and
// beyond (bignum tags), floats of every width and class, byte strings, text
// with multibyte and astral characters, simple values, tags, nested arrays,
// Maps with keys of mixed types, and plain objects.

const MAX_DEPTH = 6;

// Where head widths and JavaScript's number precision change.
const BOUNDARIES = [
  0n, 1n, 23n, 24n, 25n, 0xffn, 0x100n, 0xffffn, 0x10000n, 0xffffffffn, 0x100000000n,
  2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n,
];

const SPECIAL_FLOATS = [
  0.5, 1.5, -1.5, 0.1, 1 / 3, -0, NaN, Infinity, -Infinity,
  65504, 65504.5, 65520, 2 ** -24, -(2 ** -24), 2 ** -25, 3 * 2 ** -25, 2 ** -14, 2 ** -15,
  1 + 2 ** -10, 1 + 2 ** -11, 1 + 2 ** -23, 1 + 2 ** -24,
  3.4028234663852886e38, 1.1754943508222875e-38, 2 ** -149, 2 ** -150,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308,
  2 ** 53, 2 ** 64, -(2 ** 64), 1e300,
];

// RFC 8949 Appendix D, written out independently of both codecs.
function halfToNumber(h) {
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  let v;
  if (exponent === 0) v = mantissa * 2 ** -24;
  else if (exponent === 31) v = mantissa === 0 ? Infinity : NaN;
  else v = (mantissa + 1024) * 2 ** (exponent - 25);
  return h & 0x8000 ? -v : v;
}

const scratch = new DataView(new ArrayBuffer(8));

export class JsValueGenerator {
  #p;
  #Tag;
  #Simple;
  #encodeKey;
  #budget = 0;
  #bigStringsLeft = 0;

  // cbor2: the module (for Tag and Simple). encodeKey(value) -> hex, used to
  // keep map keys unique by encoding.
  constructor(prng, cbor2, encodeKey) {
    this.#p = prng;
    this.#Tag = cbor2.Tag;
    this.#Simple = cbor2.Simple;
    this.#encodeKey = encodeKey;
  }

  next() {
    this.#budget = 120;
    this.#bigStringsLeft = this.#p.oneIn(100) ? 1 : 0;
    return this.#item(0);
  }

  #item(depth) {
    const canNest = depth < MAX_DEPTH && this.#budget > 0;
    this.#budget--;
    const pick = this.#p.below(canNest ? 100 : 70);
    if (pick < 70) return this.#scalar();
    if (pick < 80) return this.#array(depth);
    if (pick < 90) return this.#map(depth);
    if (pick < 94) return this.#object(depth);
    return new this.#Tag(this.#tagNumber(), this.#item(depth + 1));
  }

  // Unsigned argument as bigint, spread over every head width.
  #argument() {
    const p = this.#p;
    switch (p.below(7)) {
      case 0: return BigInt(p.below(24));
      case 1: return BigInt(24 + p.below(0x100 - 24));
      case 2: return BigInt(0x100 + p.below(0x10000 - 0x100));
      case 3: return 0x10000n + BigInt(p.u32()) % (0x100000000n - 0x10000n);
      case 4: return 0x100000000n + p.u64() % (2n ** 64n - 0x100000000n);
      case 5: return p.pick(BOUNDARIES);
      default: {
        const v = p.pick(BOUNDARIES) + (p.oneIn(2) ? 1n : -1n) * BigInt(1 + p.below(3));
        return BigInt.asUintN(64, v);
      }
    }
  }

  #tagNumber() {
    const arg = this.#argument();
    return arg <= BigInt(Number.MAX_SAFE_INTEGER) && this.#p.oneIn(2) ? Number(arg) : arg;
  }

  #integer() {
    const p = this.#p;
    const arg = this.#argument();
    const value = p.oneIn(2) ? arg : -1n - arg;  // down to -2^64
    // JavaScript numbers for the safe range (cbor2 writes safe integers as
    // CBOR integers), bigints otherwise and sometimes anyway.
    if (value >= -BigInt(Number.MAX_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) &&
        p.oneIn(2)) {
      return Number(value);
    }
    if (p.oneIn(40)) {  // beyond 64 bits: cbor2 writes bignum tags 2 and 3
      const big = (p.u64() << 64n) | p.u64() | (1n << 64n);
      return p.oneIn(2) ? big : -1n - big;
    }
    return value;
  }

  #float() {
    const p = this.#p;
    const sign = p.oneIn(2) ? -1 : 1;
    switch (p.below(8)) {
      case 0: return halfToNumber(p.u32() & 0xffff);
      case 1: return sign * halfToNumber(1 + p.below(0x3ff));  // half subnormal
      case 2: scratch.setUint32(0, p.u32()); return scratch.getFloat32(0);
      case 3: scratch.setUint32(0, 1 + p.below(0x7fffff)); return sign * scratch.getFloat32(0);
      case 4: scratch.setBigUint64(0, p.u64()); return scratch.getFloat64(0);
      case 5: scratch.setBigUint64(0, 1n + p.u64() % 0xfffffffffffffn); return sign * scratch.getFloat64(0);
      case 6: return p.pick(SPECIAL_FLOATS);
      default: return sign * (p.below(1 << 20) + (1 + p.below(1023)) / 1024);
    }
  }

  #length() {
    if (this.#bigStringsLeft > 0 && this.#p.oneIn(3)) {
      this.#bigStringsLeft--;
      return 0x10000 + this.#p.below(600);  // four-byte length head
    }
    const r = this.#p.below(100);
    if (r < 3) return 0x100 + this.#p.below(700);
    if (r < 20) return 24 + this.#p.below(0x100 - 24);
    return this.#p.below(24);
  }

  #codePoint() {
    const p = this.#p;
    switch (p.below(11)) {
      case 0: case 1: case 2: case 3: return 0x20 + p.below(0x5f);
      case 4: { const c = p.below(0x21); return c === 0x20 ? 0x7f : c; }
      case 5: case 6: return 0x80 + p.below(0x800 - 0x80);
      case 7: case 8: { const c = 0x800 + p.below(0x10000 - 0x1000); return c >= 0xd800 ? c + 0x800 : c; }
      case 9: return 0x10000 + p.below(0x110000 - 0x10000);
      default: return p.pick([0xfeff, 0xfffd, 0xfffe, 0xffff, 0xd7ff, 0xe000, 0x10000, 0x10ffff, 0, 0x7ff, 0x800]);
    }
  }

  #text() {
    const n = this.#length();
    const ascii = this.#p.oneIn(3);
    const points = [];
    for (let i = 0; i < n; i++) points.push(ascii ? 0x20 + this.#p.below(0x5f) : this.#codePoint());
    return String.fromCodePoint(...points);
  }

  #scalar() {
    const p = this.#p;
    const pick = p.below(100);
    if (pick < 40) return this.#integer();
    if (pick < 64) return this.#float();
    if (pick < 75) return p.bytes(this.#length());
    if (pick < 91) return this.#text();
    switch (p.below(6)) {
      case 0: return false;
      case 1: return true;
      case 2: return null;
      case 3: return undefined;
      case 4: return new this.#Simple(p.below(20));
      default: return new this.#Simple(32 + p.below(224));
    }
  }

  #count() {
    const r = this.#p.below(100);
    const n = r < 70 ? this.#p.below(5) : r < 94 ? 5 + this.#p.below(19) : 24 + this.#p.below(16);
    return Math.max(0, Math.min(n, this.#budget));
  }

  #array(depth) {
    const n = this.#count();
    const out = [];
    for (let i = 0; i < n; i++) out.push(this.#item(depth + 1));
    return out;
  }

  #key(depth) {
    const p = this.#p;
    const pick = p.below(100);
    if (pick < 25) return p.below(30);
    if (pick < 35) return -1 - p.below(30);
    if (pick < 88) return this.#scalar();
    return this.#item(depth);
  }

  #map(depth) {
    const n = this.#count();
    const out = new Map();
    const seen = new Set();
    for (let i = 0; i < n; i++) {
      for (let attempt = 0; attempt < 4; attempt++) {
        const key = this.#key(depth + 1);
        // A JavaScript Map cannot hold 0 and -0 apart, and 1 and 1n encode
        // alike: uniqueness is decided on the encoded key.
        const hex = this.#encodeKey(Object.is(key, -0) ? 0 : key);
        if (seen.has(hex) || out.has(key)) continue;
        seen.add(hex);
        out.set(key, this.#item(depth + 1));
        break;
      }
    }
    return out;
  }

  #object(depth) {
    const n = this.#count();
    const out = {};
    for (let i = 0; i < n; i++) out[this.#text()] = this.#item(depth + 1);
    return out;
  }
}
