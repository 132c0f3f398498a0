#!/usr/bin/env python3
"""Regenerates the CBOR seed corpora in fuzz/corpus/{cbor_reader,cbor_diag}/.

Seeds: the published TEEP and SUIT vectors, a selection of RFC 8949
Appendix A examples, and hand-made tricky items that each hit one rejection
path of the checker. Run from anywhere: python3 fuzz/make_seeds.py
"""
import pathlib

FUZZ = pathlib.Path(__file__).resolve().parent
SPEC = FUZZ.parent.parent / "shared" / "spec"
CORPORA = [FUZZ / "corpus" / "cbor_reader", FUZZ / "corpus" / "cbor_diag"]
NOT_CBOR = {"tc-binary-hello"}  # the raw Trusted Component binary

# RFC 8949 Appendix A: name -> hex.
RFC8949 = {
    "uint-0": "00",
    "uint-23": "17",
    "uint-24": "1818",
    "uint-1000000": "1a000f4240",
    "uint-max-u64": "1bffffffffffffffff",
    "bignum-2pow64": "c249010000000000000000",
    "nint-minus-1000": "3903e7",
    "nint-min-u64": "3bffffffffffffffff",
    "float-minus-zero-half": "f98000",
    "float-1.5-half": "f93e00",
    "float-100000-single": "fa47c35000",
    "float-max-single": "fa7f7fffff",
    "float-1e300-double": "fb7e37e43c8800759c",
    "float-min-subnormal-half": "f90001",
    "float-nan-half": "f97e00",
    "float-neg-infinity-half": "f9fc00",
    "simple-false-true-null-undefined": "84f4f5f6f7",
    "simple-16-and-255": "82f0f8ff",
    "tag0-datetime": "c074323031332d30332d32315432303a30343a30305a",
    "tag1-epoch-float": "c1fb41d452d9ec200000",
    "tag24-embedded-cbor": "d818456449455446",
    "text-escapes-and-unicode": "8462225c62c3bc63e6b0b464f0908591",
    "bytes-4": "4401020304",
    "array-nested": "8301820203820405",
    "array-25-items": "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
    "map-text-keys-nested": "a26161016162820203",
    "map-5-text-pairs": "a56161614161626142616361436164614461656145",
}

# Hand-made items that exercise rejection (or relaxed-only) paths.
TRICKY = {
    "overlong-uint-23-in-1-byte": "1817",
    "overlong-uint-1-in-8-bytes": "1b0000000000000001",
    "overlong-bytes-length": "580100",
    "overlong-array-count": "99000101",
    "overlong-tag-number": "d9000100",
    "overlong-float-1.0-single": "fa3f800000",
    "overlong-float-1.0-double": "fb3ff0000000000000",
    "nan-with-payload-half": "f97e01",
    "nan-single": "fa7fc00000",
    "dup-key-same-encoding": "a2010001f5",
    "dup-key-overlong-encoding": "a201001801f5",
    "dup-text-key-overlong-length": "a2616100780161f5",
    "unsorted-map-keys": "a2020001f5",
    "unsorted-map-length-first": "a2626161006162f5",
    "map-key-is-map": "a1a1010203",
    "indefinite-array": "9f0102ff",
    "indefinite-map": "bf6161f5ff",
    "indefinite-bytes-chunks": "5f42010243030405ff",
    "indefinite-text-chunks": "7f657374726561646d696e67ff",
    "bad-utf8-lone-continuation": "6180",
    "bad-utf8-overlong-nul": "62c080",
    "bad-utf8-surrogate": "63eda080",
    "bad-utf8-above-10ffff": "64f4908080",
    "reserved-ai-28": "1c",
    "break-outside-indefinite": "ff",
    "truncated-uint16": "1901",
    "truncated-text": "6461",
    "array-count-beyond-input": "9bffffffffffffffff",
    "trailing-byte": "0000",
    "simple-two-byte-below-32": "f810",
    "nesting-33-arrays": "81" * 33 + "00",
    "nesting-32-arrays": "81" * 31 + "80",
    "bstr-embedding-cose-like": "8443a10126a0440a0b0c0d4100",
    "bstr-embedding-nested-twice": "4781458143820102",
    "tagged-embedded-map": "d818d818a10102",
    "empty-input": "",
}


def main():
    seeds = {}
    for hex_file in sorted(SPEC.glob("*/vectors/*.hex")):
        if hex_file.stem in NOT_CBOR:
            continue
        spec = hex_file.parent.parent.name  # "teep" or "suit"
        name = hex_file.stem if hex_file.stem.startswith(spec) else f"{spec}-{hex_file.stem}"
        seeds[f"vec-{name}"] = bytes.fromhex(hex_file.read_text())
    seeds.update({f"rfc8949-{k}": bytes.fromhex(v) for k, v in RFC8949.items()})
    seeds.update({f"tricky-{k}": bytes.fromhex(v) for k, v in TRICKY.items()})
    for corpus in CORPORA:
        corpus.mkdir(parents=True, exist_ok=True)
        # Only our own prefixes: regress-* and merged seeds stay.
        for prefix in ("vec-", "rfc8949-", "tricky-"):
            for old in corpus.glob(prefix + "*.cbor"):
                old.unlink()
        for name, data in seeds.items():
            (corpus / f"{name}.cbor").write_bytes(data)
    print(f"{len(seeds)} seeds x {len(CORPORA)} corpora")


if __name__ == "__main__":
    main()
