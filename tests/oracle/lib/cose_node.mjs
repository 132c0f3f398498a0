// An independent COSE (RFC 9052 / RFC 9053 / RFC 9459) written only from the
// RFCs, on node:crypto primitives and the cbor2 codec: just enough to verify
// and create what teep's COSE layer creates and verifies. It shares no code
// with src/core/cose and makes no use of cose-js, so that disagreements point
// at one side or the other. Used by cose_crosscheck.mjs.
import crypto from 'node:crypto';

// ---- bytes --------------------------------------------------------------------

// cbor2 encodes a Node Buffer as a JSON-like object: every byte string handed
// to cbor2 must be a plain Uint8Array.
export const u8 = b => new Uint8Array(b);
export const hex = b => (b.length === 0 ? '-' : Buffer.from(b).toString('hex'));  // tool argument
export const fromHex = s => (s === '-' ? new Uint8Array(0) : u8(Buffer.from(s, 'hex')));
export const equalBytes = (a, b) => Buffer.from(a).equals(Buffer.from(b));
export const concat = (...parts) => u8(Buffer.concat(parts.map(p => Buffer.from(p))));
export const randomBytes = n => u8(crypto.randomBytes(n));
const b64url = b => Buffer.from(b).toString('base64url');

// A copy of `bytes` with one bit flipped at a position in [from, to).
export function flipBit(bytes, prng, from = 0, to = bytes.length) {
  const out = u8(bytes);
  const at = from + prng.below(to - from);
  out[at] ^= 1 << prng.below(8);
  return out;
}

// ---- algorithm numbers (RFC 9053, RFC 9864, RFC 9459), written out again ------

export const ALG = {
  ES256: -7, ESP256: -9, ES384: -35, ESP384: -51, EdDSA: -8, Ed25519: -19,
  HMAC256: 5,
  A128GCM: 1, A192GCM: 2, A256GCM: 3, ChaCha20Poly1305: 24, A128CTR: -65534, A192CTR: -65533,
  A256CTR: -65532,
  A128KW: -3, A192KW: -4, A256KW: -5, ECDH_ES_A128KW: -29,
};
export const ALG_NAME = Object.fromEntries(Object.entries(ALG).map(([k, v]) => [v, k]));

// Signature algorithms: the key they need and how node:crypto computes them.
// ECDSA in COSE is raw r||s (RFC 9053 §2.1), node's 'ieee-p1363' encoding.
export const SIGNATURE = {
  [ALG.ES256]: {key: 'P-256', hash: 'sha256'},
  [ALG.ESP256]: {key: 'P-256', hash: 'sha256'},
  [ALG.ES384]: {key: 'P-384', hash: 'sha384'},
  [ALG.ESP384]: {key: 'P-384', hash: 'sha384'},
  [ALG.EdDSA]: {key: 'Ed25519', hash: null},
  [ALG.Ed25519]: {key: 'Ed25519', hash: null},
};

// Content encryption: node cipher, key and IV sizes. AES-GCM and
// ChaCha20/Poly1305 take a 96-bit nonce and append a 128-bit tag (RFC 9053
// §4.1, §4.3); AES-CTR takes the full 128-bit counter block as IV (RFC 9459 §4).
export const CONTENT = {
  [ALG.A128GCM]: {cipher: 'aes-128-gcm', key: 16, iv: 12, aead: true},
  [ALG.A192GCM]: {cipher: 'aes-192-gcm', key: 24, iv: 12, aead: true},
  [ALG.A256GCM]: {cipher: 'aes-256-gcm', key: 32, iv: 12, aead: true},
  [ALG.ChaCha20Poly1305]: {cipher: 'chacha20-poly1305', key: 32, iv: 12, aead: true},
  [ALG.A128CTR]: {cipher: 'aes-128-ctr', key: 16, iv: 16, aead: false},
  [ALG.A192CTR]: {cipher: 'aes-192-ctr', key: 24, iv: 16, aead: false},
  [ALG.A256CTR]: {cipher: 'aes-256-ctr', key: 32, iv: 16, aead: false},
};
const TAG_SIZE = 16;

const KEY_WRAP = {[ALG.A128KW]: 16, [ALG.A192KW]: 24, [ALG.A256KW]: 32};
export const keyWrapAlgFor = kekSize =>
  Number(Object.keys(KEY_WRAP).find(alg => KEY_WRAP[alg] === kekSize));

// COSE structure tags (RFC 9052 §2) and header labels (§3.1).
export const TAG = {Encrypt0: 16, Mac0: 17, Sign1: 18, Encrypt: 96, Sign: 98};
export const H = {alg: 1, crit: 2, contentType: 3, kid: 4, iv: 5, partialIv: 6, ephemeralKey: -1};

// ---- keys ----------------------------------------------------------------------

const NODE_KEY_TYPE = {
  'P-256': {ecdh: 'prime256v1', size: 32},
  'P-384': {ecdh: 'secp384r1', size: 48},
  'Ed25519': {size: 32},
};
// RFC 8410 PKCS#8 prefix of an Ed25519 private key, followed by the seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// A key pair with every form the cross-check needs: node KeyObjects, the PEM
// texts (as hex, for the tool) and the raw JWK coordinates (for cose-js and
// COSE_Key). With a Prng the key is derived from it, so that a run can be
// reproduced from its seed; without one it is fresh (ephemeral keys).
export function generateKey(type, prng = null) {
  const t = NODE_KEY_TYPE[type];
  let privateKey;
  if (!prng) {
    privateKey = crypto.generateKeyPairSync(type === 'Ed25519' ? 'ed25519' : 'ec',
      type === 'Ed25519' ? {} : {namedCurve: type}).privateKey;
  } else if (type === 'Ed25519') {
    privateKey = crypto.createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, prng.bytes(32)]), format: 'der', type: 'pkcs8'});
  } else {
    // A random scalar is below the group order but with probability ~2^-32.
    const d = Buffer.from(prng.bytes(t.size));
    const ecdh = crypto.createECDH(t.ecdh);
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    privateKey = crypto.createPrivateKey({format: 'jwk', key: {
      kty: 'EC', crv: type, d: b64url(d),
      x: b64url(point.subarray(1, 1 + t.size)), y: b64url(point.subarray(1 + t.size))}});
  }
  const publicKey = crypto.createPublicKey(privateKey);
  const jwk = privateKey.export({format: 'jwk'});
  const pem = privateKey.export({format: 'pem', type: 'pkcs8'});
  const pubPem = publicKey.export({format: 'pem', type: 'spki'});
  return {
    type, privateKey, publicKey,
    privHex: Buffer.from(pem).toString('hex'),
    pubHex: Buffer.from(pubPem).toString('hex'),
    d: u8(Buffer.from(jwk.d, 'base64url')),
    x: u8(Buffer.from(jwk.x, 'base64url')),
    y: jwk.y ? u8(Buffer.from(jwk.y, 'base64url')) : null,
  };
}

// ---- signatures (RFC 9052 §4.4) ---------------------------------------------------

export class NodeCose {
  #cbor;

  // cbor2: the module. Everything this class encodes is encoded by cbor2 in
  // its core deterministic mode, unless a caller passes its own bytes.
  constructor(cbor2) {
    this.#cbor = cbor2;
  }

  get cbor() {
    return this.#cbor;
  }

  encode(value, options = {cde: true}) {
    return u8(this.#cbor.encode(value, options));
  }

  // Decodes `bytes` as COSE input: definite lengths, no duplicate keys, maps
  // as Maps. `strict` additionally requires core deterministic encoding.
  decode(bytes, strict = false) {
    const options = strict
      ? {cde: true, rejectDuplicateKeys: true, preferMap: true}
      : {rejectStreaming: true, rejectDuplicateKeys: true, preferMap: true};
    return this.#cbor.decode(Buffer.from(bytes).toString('hex'), options);
  }

  // Whether `bytes` is core deterministic CBOR (cbor2 strict decode and
  // re-encode give the same bytes).
  isDeterministic(bytes) {
    try {
      return equalBytes(this.encode(this.decode(bytes, true)), bytes);
    } catch {
      return false;
    }
  }

  // An encoded header map, or the zero-length bstr content when empty
  // (RFC 9052 §3).
  protectedBucket(map) {
    return map.size === 0 ? new Uint8Array(0) : this.encode(map);
  }

  sigStructure1(bodyProtected, externalAad, payload) {
    return this.encode(['Signature1', bodyProtected, externalAad, payload]);
  }

  sigStructure(bodyProtected, signProtected, externalAad, payload) {
    return this.encode(['Signature', bodyProtected, signProtected, externalAad, payload]);
  }

  // Opens a COSE structure: optional tag (must be `tag`), an array of `items`.
  open(bytes, tag, items) {
    let value = this.decode(bytes);
    let tagged = false;
    if (value instanceof this.#cbor.Tag) {
      if (Number(value.tag) !== tag) throw new Error(`tag ${value.tag}, expected ${tag}`);
      tagged = true;
      value = value.contents;
    }
    if (!Array.isArray(value) || value.length !== items) {
      throw new Error(`expected an array of ${items} items`);
    }
    return {tagged, items: value};
  }

  // The decoded protected bucket (RFC 9052 §3: empty bstr = empty map).
  protectedMap(bstr) {
    if (!(bstr instanceof Uint8Array)) throw new Error('protected bucket is not a bstr');
    if (bstr.length === 0) return new Map();
    const map = this.decode(bstr);
    if (!(map instanceof Map)) throw new Error('protected bucket is not a map');
    return map;
  }

  // Verifies a COSE_Sign1 on its own terms (alg from the protected bucket),
  // returning {payload, alg, tagged, protected, unprotected}; throws on any
  // failure.
  verifySign1(bytes, publicKey, externalAad) {
    const {tagged, items: [prot, unprot, payload, signature]} = this.open(bytes, TAG.Sign1, 4);
    const protMap = this.protectedMap(prot);
    const alg = protMap.get(H.alg);
    if (!(unprot instanceof Map)) throw new Error('unprotected bucket is not a map');
    if (!(payload instanceof Uint8Array)) throw new Error('payload is not a bstr');
    const tbs = this.sigStructure1(prot, externalAad, payload);
    if (!nodeVerify(alg, publicKey, tbs, signature)) throw new Error('signature does not verify');
    return {payload, alg, tagged, protected: protMap, unprotected: unprot};
  }

  // Verifies signature `index` of a COSE_Sign.
  verifySign(bytes, index, publicKey, externalAad) {
    const {items: [bodyProt, bodyUnprot, payload, signatures]} = this.open(bytes, TAG.Sign, 4);
    this.protectedMap(bodyProt);
    if (!(bodyUnprot instanceof Map)) throw new Error('unprotected bucket is not a map');
    if (!Array.isArray(signatures) || signatures.length <= index) throw new Error('no such signature');
    const [signProt, signUnprot, signature] = signatures[index];
    const alg = this.protectedMap(signProt).get(H.alg);
    const tbs = this.sigStructure(bodyProt, signProt, externalAad, payload);
    if (!nodeVerify(alg, publicKey, tbs, signature)) throw new Error('signature does not verify');
    return {payload, alg, kid: signUnprot.get(H.kid)};
  }

  // Builds a COSE_Sign1. `protectedBytes` (optional) overrides the encoding
  // of the protected bucket, e.g. to send a non-deterministic one.
  createSign1({alg, key, payload, externalAad, tagged = true, unprotected = new Map(),
    protectedBytes = null, signatureHook = null}) {
    const prot = protectedBytes ?? this.protectedBucket(new Map([[H.alg, alg]]));
    let signature = nodeSign(alg, key.privateKey, this.sigStructure1(prot, externalAad, payload));
    if (signatureHook) signature = signatureHook(signature);
    const body = [prot, unprotected, payload, signature];
    return this.encode(tagged ? new this.#cbor.Tag(TAG.Sign1, body) : body);
  }

  // Builds a COSE_Sign with an empty body protected bucket.
  createSign({signers, payload, externalAad}) {
    const bodyProt = new Uint8Array(0);
    const signatures = signers.map(({alg, key, kid}) => {
      const signProt = this.protectedBucket(new Map([[H.alg, alg]]));
      const tbs = this.sigStructure(bodyProt, signProt, externalAad, payload);
      const unprot = kid ? new Map([[H.kid, kid]]) : new Map();
      return [signProt, unprot, nodeSign(alg, key.privateKey, tbs)];
    });
    return this.encode(new this.#cbor.Tag(TAG.Sign, [bodyProt, new Map(), payload, signatures]));
  }

  // ---- encryption (RFC 9052 §5, RFC 9053 §5-6, RFC 9459) -------------------------

  // RFC 9052 §5.3: Enc_structure = [context, protected, external_aad].
  encStructure(context, prot, externalAad) {
    return this.encode([context, prot, externalAad]);
  }

  // RFC 9053 §5.2 COSE_KDF_Context, with PartyUInfo and PartyVInfo all nil and
  // SuppPubInfo = [keyDataLength, protected, ? other] as profiled by
  // draft-ietf-suit-firmware-encryption (other is a bstr, optional in RFC 9053:
  // left out when empty).
  kdfContext(wrapAlg, keyBits, recipientProtected, other) {
    const supp = other.length ? [keyBits, recipientProtected, other] : [keyBits, recipientProtected];
    return this.encode([wrapAlg, [null, null, null], [null, null, null], supp]);
  }

  // ECDH-ES + A128KW (RFC 9053 §6.3.1, §6.4): KEK = HKDF-SHA-256(ECDH secret,
  // no salt, COSE_KDF_Context, 16 bytes).
  deriveKek(privateKey, peerPublicKey, recipientProtected, other) {
    const secret = crypto.diffieHellman({privateKey, publicKey: peerPublicKey});
    const info = this.kdfContext(ALG.A128KW, 128, recipientProtected, other);
    return u8(crypto.hkdfSync('sha256', secret, new Uint8Array(0), info, 16));
  }

  // Decrypts a COSE_Encrypt with `key` = {kek} or {privateKey, other}. Checks
  // every rule the RFCs set for these algorithms, and returns
  // {plaintext, cek, contentAlg, recipientIndex}; throws on any failure.
  decryptEncrypt(bytes, key, externalAad) {
    const {items: [prot, unprot, ciphertext, recipients]} = this.open(bytes, TAG.Encrypt, 4);
    const protMap = this.protectedMap(prot);
    const contentAlg = protMap.get(H.alg) ?? unprot.get(H.alg);
    const content = CONTENT[contentAlg];
    if (!content) throw new Error(`unknown content alg ${contentAlg}`);
    const iv = unprot.get(H.iv) ?? protMap.get(H.iv);
    if (!(iv instanceof Uint8Array) || iv.length !== content.iv) throw new Error('bad IV');
    if (!content.aead && prot.length !== 0) {
      throw new Error('RFC 9459 §4: AES-CTR needs a zero-length protected bucket');
    }
    if (!Array.isArray(recipients) || recipients.length === 0) throw new Error('no recipients');
    let lastError = new Error('no recipient for this kind of key');
    for (const [index, [rProt, rUnprot, encryptedKey]] of recipients.entries()) {
      const rProtMap = this.protectedMap(rProt);
      const rAlg = rProtMap.get(H.alg) ?? rUnprot.get(H.alg);
      let kek;
      if (key.kek && KEY_WRAP[rAlg] === key.kek.length) {
        kek = key.kek;
      } else if (key.privateKey && rAlg === ALG.ECDH_ES_A128KW) {
        const epk = rUnprot.get(H.ephemeralKey) ?? rProtMap.get(H.ephemeralKey);
        kek = this.deriveKek(key.privateKey, coseKeyToPublic(epk), rProt, key.other);
      } else {
        continue;
      }
      let cek;
      try {
        cek = aesKeyUnwrap(kek, encryptedKey);
      } catch (err) {
        lastError = err;
        continue;
      }
      if (cek.length !== content.key) throw new Error('unwrapped key has the wrong size');
      const plaintext = contentDecrypt(contentAlg, cek, iv,
        this.encStructure('Encrypt', prot, externalAad), ciphertext);
      return {plaintext, cek, contentAlg, recipientIndex: index};
    }
    throw lastError;
  }

  // Builds a COSE_Encrypt. recipients: {kek, kid?} or {publicKey, other, kid?}
  // (ECDH-ES + A128KW with a P-256 public KeyObject). `shuffleMaps` writes the
  // recipients' unprotected maps and the COSE_Key in non-deterministic order,
  // which a relaxed decoder must accept. For edge cases: `iv` replaces the
  // random IV, `epkHook(coseKeyMap)` may replace the ephemeral COSE_Key after
  // the KEK was derived. Returns {bytes, cek}.
  createEncrypt({contentAlg, plaintext, externalAad, recipients, shuffleMaps = false, iv = null,
    epkHook = null}) {
    const content = CONTENT[contentAlg];
    const cek = randomBytes(content.key);
    iv ??= randomBytes(content.iv);
    const order = entries => (shuffleMaps ? new Map([...entries].reverse()) : new Map(entries));
    const encodeLoose = value => this.encode(value, shuffleMaps ? {} : {cde: true});
    const recipientItems = recipients.map(r => {
      if (r.kek) {
        // AES-KW: no per-message parameters, empty protected bucket.
        const unprot = [[H.alg, keyWrapAlgFor(r.kek.length)]];
        if (r.kid) unprot.push([H.kid, r.kid]);
        return [new Uint8Array(0), order(unprot), aesKeyWrap(r.kek, cek)];
      }
      const rProt = this.protectedBucket(new Map([[H.alg, ALG.ECDH_ES_A128KW]]));
      const ephemeral = generateKey('P-256');
      const kek = this.deriveKek(ephemeral.privateKey, r.publicKey, rProt, r.other);
      let epk = order([[1, 2], [-1, 1], [-2, ephemeral.x], [-3, ephemeral.y]]);
      if (epkHook) epk = epkHook(epk);
      const unprot = [[H.ephemeralKey, epk]];
      if (r.kid) unprot.push([H.kid, r.kid]);
      return [rProt, order(unprot), aesKeyWrap(kek, cek)];
    });
    let prot, unprot;
    if (content.aead) {
      prot = this.protectedBucket(new Map([[H.alg, contentAlg]]));
      unprot = new Map([[H.iv, iv]]);
    } else {
      prot = new Uint8Array(0);  // RFC 9459 §4
      unprot = order([[H.alg, contentAlg], [H.iv, iv]]);
    }
    const ciphertext = contentEncrypt(contentAlg, cek, iv,
      this.encStructure('Encrypt', prot, externalAad), plaintext);
    const bytes = encodeLoose(new this.#cbor.Tag(TAG.Encrypt, [prot, unprot, ciphertext, recipientItems]));
    return {bytes, cek};
  }
}

export function nodeSign(alg, privateKey, tbs) {
  const s = SIGNATURE[alg];
  if (!s) throw new Error(`unknown signature alg ${alg}`);
  return u8(crypto.sign(s.hash, tbs, s.hash ? {key: privateKey, dsaEncoding: 'ieee-p1363'} : privateKey));
}

export function nodeVerify(alg, publicKey, tbs, signature) {
  const s = SIGNATURE[alg];
  if (!s) throw new Error(`unknown signature alg ${alg}`);
  if (publicKey.asymmetricKeyType !== (s.hash ? 'ec' : 'ed25519')) {
    throw new Error(`alg ${alg} needs a ${s.key} key`);
  }
  return crypto.verify(s.hash, tbs,
    s.hash ? {key: publicKey, dsaEncoding: 'ieee-p1363'} : publicKey, signature);
}

// RFC 9053 §7.1: an EC2 COSE_Key {1: 2, -1: crv, -2: x, -3: y} as a node key.
export function coseKeyToPublic(coseKey) {
  if (!(coseKey instanceof Map) || coseKey.get(1) !== 2 || coseKey.get(-1) !== 1) {
    throw new Error('ephemeral key is not an EC2 P-256 COSE_Key');
  }
  return crypto.createPublicKey({
    key: {kty: 'EC', crv: 'P-256', x: b64url(coseKey.get(-2)), y: b64url(coseKey.get(-3))},
    format: 'jwk',
  });
}

// RFC 3394 with the default IV A6A6A6A6A6A6A6A6.
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const kwCipher = kek => `id-aes${kek.length * 8}-wrap`;

export function aesKeyWrap(kek, key) {
  const c = crypto.createCipheriv(kwCipher(kek), kek, KW_IV);
  return u8(Buffer.concat([c.update(key), c.final()]));
}

// Throws when the integrity check fails.
export function aesKeyUnwrap(kek, wrapped) {
  const d = crypto.createDecipheriv(kwCipher(kek), kek, KW_IV);
  return u8(Buffer.concat([d.update(wrapped), d.final()]));
}

export function contentEncrypt(alg, key, iv, aad, plaintext) {
  const c = CONTENT[alg];
  if (!c.aead) {
    const cipher = crypto.createCipheriv(c.cipher, key, iv);
    return u8(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  }
  const cipher = crypto.createCipheriv(c.cipher, key, iv, {authTagLength: TAG_SIZE});
  cipher.setAAD(aad);
  return u8(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

// Throws on a wrong tag. For AES-CTR `aad` is unused (nothing is authenticated).
export function contentDecrypt(alg, key, iv, aad, ciphertext) {
  const c = CONTENT[alg];
  if (!c.aead) {
    const decipher = crypto.createDecipheriv(c.cipher, key, iv);
    return u8(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  }
  if (ciphertext.length < TAG_SIZE) throw new Error('ciphertext shorter than the tag');
  const body = ciphertext.subarray(0, ciphertext.length - TAG_SIZE);
  const decipher = crypto.createDecipheriv(c.cipher, key, iv, {authTagLength: TAG_SIZE});
  decipher.setAAD(aad);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_SIZE));
  return u8(Buffer.concat([decipher.update(body), decipher.final()]));
}
