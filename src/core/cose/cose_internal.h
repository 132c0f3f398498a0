// Internal helpers shared by the COSE structure codecs (sign.cc, mac.cc,
// encrypt.cc). Not part of the public API: include only from core/cose/*.cc.
//
// Every COSE structure starts the same way (RFC 9052 §2):
//   [ protected: bstr .cbor header_map / bstr .size 0,
//     unprotected: header_map, ... ]
// optionally wrapped in the structure's CBOR tag. Decoders use these helpers
// so that tag policy, array shape and header rules are enforced in one place,
// with messages that name where and why ("COSE_Sign1: signature must be a
// byte string").
//
// Typical decoder:
//   cbor::Reader r = internal::OpenRelaxed(data);
//   bool tagged;
//   TEEP_RETURN_IF_ERROR(internal::BeginStructure(r, kTagSign1, tags, 4,
//                                                 "COSE_Sign1", &tagged));
//   Headers h;
//   TEEP_RETURN_IF_ERROR(internal::ReadHeaderBuckets(r, "COSE_Sign1", &h));
//   ... ReadBytesOrNil / ReadBytesField ...
//   TEEP_RETURN_IF_ERROR(internal::FinishStructure(r, "COSE_Sign1"));
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/headers.h"
#include "core/cose/sign.h"

namespace teep::cose::internal {

// kMalformed with "where: what".
Status Malformed(std::string_view where, std::string_view what);

// Reads the structure's CBOR tag, if any, according to `policy`. A tag other
// than `expected_tag` is an error whatever the policy (e.g. 98 where a
// COSE_Sign1, tag 18, is expected). Sets *tagged.
Status ReadStructureTag(cbor::Reader& reader, uint64_t expected_tag, TagPolicy policy,
                        std::string_view where, bool* tagged);

// cbor::Reader::Open with cbor::RelaxedOptions(): peers send valid but
// non-deterministic CBOR (unsorted maps, overlong heads). Duplicate keys,
// indefinite lengths and trailing bytes are still rejected; BeginStructure
// reports such an error.
cbor::Reader OpenRelaxed(ByteView data);

// Checks that `reader` (fresh from OpenRelaxed) holds valid CBOR, applies the
// tag policy and reads the array header, which must announce exactly
// `array_length` items. On success the reader is positioned at the first item.
Status BeginStructure(cbor::Reader& reader, uint64_t expected_tag, TagPolicy policy,
                      uint64_t array_length, std::string_view where, bool* tagged);

// Reads an array header that must announce exactly `count` items (used for
// nested arrays such as COSE_Sign's signatures). `field` names the array in
// messages ("signatures"); `count` 0 means "any non-zero count", returned in
// *actual.
Status ReadArrayOf(cbor::Reader& reader, std::string_view where, std::string_view field,
                   uint64_t count, uint64_t* actual);

// Reads the protected bstr and the unprotected map and decodes them with
// DecodeHeaders (RFC 9052 §3 rules). The protected bytes in *headers are a
// view into the reader's input, exactly as received.
Status ReadHeaderBuckets(cbor::Reader& reader, std::string_view where, Headers* headers);

// Reads `bstr / nil` (payload, ciphertext): nullopt for nil.
Status ReadBytesOrNil(cbor::Reader& reader, std::string_view where, std::string_view field,
                      std::optional<ByteView>* out);

// Reads a byte string that must be present (signature, tag).
Status ReadBytesField(cbor::Reader& reader, std::string_view where, std::string_view field,
                      ByteView* out);

// Checks that the reader has not latched an error and consumed everything.
Status FinishStructure(const cbor::Reader& reader, std::string_view where);

// Resolves an attached / detached payload: exactly one of `attached` and
// `detached` must be present (RFC 9052 §2: a detached payload is nil in the
// message and supplied out of band).
Result<ByteView> ResolvePayload(std::optional<ByteView> attached,
                                std::optional<ByteView> detached, std::string_view where,
                                std::string_view field = "payload");

// The "to be signed / MACed / encrypted" structures of RFC 9052 §4.4, §5.3
// and §6.3: [ context: tstr, bstr, bstr, ... ], deterministically encoded.
// Examples:
//   Sig_structure1: BuildContextStructure("Signature1", {prot, aad, payload})
//   Sig_structure:  BuildContextStructure("Signature", {body_prot, sign_prot, aad, payload})
//   MAC_structure:  BuildContextStructure("MAC0", {prot, aad, payload})
//   Enc_structure:  BuildContextStructure("Encrypt0", {prot, aad})
// Every ByteView is written as a byte string exactly as given.
Result<Bytes> BuildContextStructure(std::string_view context, std::span<const ByteView> fields);
inline Result<Bytes> BuildContextStructure(std::string_view context,
                                           std::initializer_list<ByteView> fields) {
  return BuildContextStructure(context, std::span<const ByteView>(fields.begin(), fields.size()));
}

// Writes the optional tag and the common prefix [protected bstr, unprotected
// map] of a structure being created. `protected_bucket` is the bstr content
// (empty or an encoded map); `unprotected_map` an encoded map (a0 for {}).
void WriteHeaderBuckets(cbor::Writer& writer, ByteView protected_bucket,
                        ByteView unprotected_map);

// Encoded protected bucket {1: alg} and unprotected bucket {4: kid} / {}.
Result<Bytes> EncodeAlgProtected(int64_t alg);
Result<Bytes> EncodeKidUnprotected(ByteView kid);

// "alg -7 (ES256)" or "alg -65536" for messages.
std::string AlgDescription(int64_t alg);

}  // namespace teep::cose::internal
