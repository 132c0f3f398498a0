#!/usr/bin/env python3
"""Regenerates the TEEP message seed corpora in fuzz/corpus/teep_*/.

Each seed is one profile byte (0x00 = draft-26, 0x01 = draft-25; see
fuzz/teep_fuzz_common.h) followed by a TEEP message:
  * the published Appendix D messages d1, d3..d6, as published (-26) and
    renumbered to the legacy (draft-25) numbering;
  * legacy bytes published by others (WG repository before the
    renumbering, libteep's copy of draft-10 D.6);
  * hand-made messages that use every option of each message type, in both
    numberings;
  * a few broken variants (trailing byte, wrong type, missing field).
fuzz_teep_decode gets everything; fuzz_teep_<message> gets its type only.
Run from anywhere: python3 fuzz/make_teep_seeds.py
"""
import pathlib
import struct

FUZZ = pathlib.Path(__file__).resolve().parent
SPEC = FUZZ.parent.parent / "shared" / "spec" / "teep" / "vectors"

# --- a minimal CBOR codec (ints, strings, arrays, maps, tags, simple) -------


class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


def _head(major, arg):
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if arg < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, arg)
    raise ValueError(arg)


def enc(v):
    """Deterministic encoding (RFC 8949 §4.2.1)."""
    if v is False:
        return b"\xf4"
    if v is True:
        return b"\xf5"
    if v is None:
        return b"\xf6"
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, bytes):
        return _head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return _head(3, len(b)) + b
    if isinstance(v, list):
        return _head(4, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, dict):
        items = sorted((enc(k), enc(x)) for k, x in v.items())
        return _head(5, len(items)) + b"".join(k + x for k, x in items)
    if isinstance(v, Tag):
        return _head(6, v.tag) + enc(v.value)
    raise TypeError(type(v))


def dec(data):
    def item(i):
        ib = data[i]
        major, ai = ib >> 5, ib & 31
        i += 1
        if ai < 24:
            arg = ai
        else:
            n = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
            arg = int.from_bytes(data[i:i + n], "big")
            i += n
        if major == 0:
            return arg, i
        if major == 1:
            return -1 - arg, i
        if major == 2:
            return bytes(data[i:i + arg]), i + arg
        if major == 3:
            return data[i:i + arg].decode(), i + arg
        if major == 4:
            out = []
            for _ in range(arg):
                x, i = item(i)
                out.append(x)
            return out, i
        if major == 5:
            out = {}
            for _ in range(arg):
                k, i = item(i)
                x, i = item(i)
                out[k] = x
            return out, i
        if major == 6:
            x, i = item(i)
            return Tag(arg, x), i
        return {20: False, 21: True, 22: None}[ai], i

    value, end = item(0)
    assert end == len(data), "trailing bytes"
    return value


# --- numbering ----------------------------------------------------------------

# Legacy (draft-25) numbers, as in src/core/teep/numbers.cc.
TYPE_25 = {1: 1, 2: 2, 3: 3, 4: 5, 5: 6}
LABEL_25 = {l: l for l in range(1, 5)} | {l: l + 1 for l in range(5, 23)}
ERR_25 = {c: c for c in range(1, 11)} | {11: 17}
REQUESTED_KEYS = {15, 16, 17}


def to_draft25(msg):
    msg = list(msg)
    typ = msg[0]
    msg[0] = TYPE_25[typ]
    options = {}
    for k, v in msg[1].items():
        if k == 13:  # requested-tc-list: renumber the keys of each entry
            v = [{LABEL_25[kk]: vv for kk, vv in e.items()} for e in v]
        if k == 22:  # err-code option
            v = ERR_25.get(v, v)
        options[LABEL_25.get(k, k)] = v
    msg[1] = options
    if typ == 5:
        msg[2] = ERR_25.get(msg[2], msg[2])
    return msg


# --- seeds ----------------------------------------------------------------------

TOKEN = bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
CID = [b"TEEP-Device", b"SecureFS", bytes.fromhex("8d82573a926d4754935332dc29997f74"), b"ta"]
REPORT = enc({1: enc([-16, b"\x11" * 32]), 2: "tam.teep.example/x", 4: []})
SUITES = [[[18, -9]], [[18, -19]]]
PROFILES = [[-16, -9, -29, -65534], [-16, -19, -29, -65534], [-16, -9, -29, 1], [-16, -19, -29, 24]]

# Every option of each message type (-26 labels).
RICH = {
    "query-request-all": [1, {19: TOKEN, 20: [0, 1], 2: b"\x42" * 32, 3: [0, 1],
                              12: "application/eat+cwt", 6: b"\xa0", 18: [REPORT], 99: "ext"},
                          SUITES, PROFILES, 15],
    "query-response-all": [2, {19: TOKEN, 5: 0, 12: "application/eat+cwt", 6: b"\xa0",
                               18: [REPORT], 7: [{0: CID, 3: enc([-16, b"\x22" * 32])}],
                               13: [{15: CID, 16: 3, 17: True}, {15: [b"x"]}],
                               14: [CID, []], 8: [1, 4294967295], 0: None}],
    "update-all": [3, {19: TOKEN, 14: [CID], 9: [enc({2: b"", 3: b""})],
                       12: "application/eat+cwt", 6: b"\xa0", 22: 7, 11: "attest please",
                       21: "en-US"}],
    "success-all": [4, {19: TOKEN, 10: "installed", 18: [REPORT]}],
    "error-all": [5, {19: TOKEN, 11: "unsupported", 21: "en", 1: SUITES, 20: [0],
                      4: PROFILES, 2: b"\x43" * 16, 3: [0], 18: [REPORT]}, 5],
    "error-unknown-code": [5, {}, 1000],
}
TYPE_OF = {1: "query_request", 2: "query_response", 3: "update", 4: "success", 5: "error"}

# Published legacy bytes (draft-25 numbering): see codec_vectors_test.cc.
LEGACY = {
    "wg-query-request": "8501a21450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf038100828182122681821227848"
                        "42f26381c39fffd842f27381c39fffd842f26381c01842f27381c181803",
    "wg-query-response": "8202a51450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0581821226060007400882a20081"
                         "4f0102030405060708090a0b0c0d0e0f035824822f5820a7fd6593eac32eb4be578278e6"
                         "540c5c09cfd7d4d234973054833b2b93030609a200814f1102030405060708090a0b0c0d"
                         "0e0f181c83010000",
    "libteep-draft10-error": "8306a21450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0c696469736b2d66756c6c11",
}
LEGACY_TYPE = {"wg-query-request": 1, "wg-query-response": 2, "libteep-draft10-error": 5}


def main():
    seeds = {}  # corpus -> {name: bytes}

    def add(typ, name, profile, data):
        for corpus in ("teep_decode", "teep_" + TYPE_OF[typ]):
            seeds.setdefault(corpus, {})[name] = bytes([profile]) + data

    for path in sorted(SPEC.glob("d[13456]-*.hex")):
        raw = bytes.fromhex(path.read_text())
        msg = dec(raw)
        typ = msg[0]
        add(typ, f"vec-{path.stem}-26", 0, raw)
        add(typ, f"vec-{path.stem}-25", 1, enc(to_draft25(msg)))
        add(typ, f"broken-{path.stem}-trailing", 0, raw + b"\x00")
        add(typ, f"broken-{path.stem}-short", 0, enc(msg[:-1]))
    for name, msg in RICH.items():
        typ = msg[0]
        add(typ, f"rich-{name}-26", 0, enc(msg))
        add(typ, f"rich-{name}-25", 1, enc(to_draft25(msg)))
    for name, hexstr in LEGACY.items():
        add(LEGACY_TYPE[name], f"legacy-{name}", 1, bytes.fromhex(hexstr))

    for corpus, files in seeds.items():
        folder = FUZZ / "corpus" / corpus
        folder.mkdir(parents=True, exist_ok=True)
        for prefix in ("vec-", "rich-", "legacy-", "broken-"):
            for old in folder.glob(prefix + "*.bin"):
                old.unlink()
        for name, data in files.items():
            (folder / f"{name}.bin").write_bytes(data)
    print(", ".join(f"{c}: {len(f)}" for c, f in sorted(seeds.items())))


if __name__ == "__main__":
    main()
