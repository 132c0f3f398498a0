// Typed reads for protocol decoders that report errors by path: each
// function consumes exactly one item, or returns kMalformed "path: expected
// X, got Y" without consuming, so that a decoder can say where and why
// ("SUIT_Envelope.authentication-wrapper[1]: expected bstr, got map").
// Used by the SUIT and EAT decoders.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/cbor/reader.h"

namespace teep::cbor::path_read {

// kMalformed "path: message".
Status Malformed(std::string_view path, std::string_view message);

// Opens `data` as exactly one CBOR item (relaxed: peers may send
// non-deterministic encodings; duplicates, indefinite lengths and trailing
// bytes are still refused). On failure returns "path: <cbor error>".
Result<cbor::Reader> OpenItem(ByteView data, std::string_view path);

// OK, or the reader's latched error prefixed with `path`.
Status Latched(const cbor::Reader& r, std::string_view path);

Status ReadUint(cbor::Reader& r, std::string_view path, uint64_t* value);
// Any integer within int64 (an integer beyond it is reported as such).
Status ReadInt(cbor::Reader& r, std::string_view path, int64_t* value);
Status ReadBstr(cbor::Reader& r, std::string_view path, ByteView* value);
// A bstr with its CBOR head (`wrapped`) and its content.
Status ReadWrappedBstr(cbor::Reader& r, std::string_view path, ByteView* wrapped,
                       ByteView* content);
Status ReadText(cbor::Reader& r, std::string_view path, std::string_view* value);
Status ReadArray(cbor::Reader& r, std::string_view path, uint64_t* count);
Status ReadMap(cbor::Reader& r, std::string_view path, uint64_t* pairs);
// A map key that is an integer (major type 0 or 1 within int64).
Status ReadIntKey(cbor::Reader& r, std::string_view path, int64_t* key);

std::string Index(std::string_view path, uint64_t i);              // "path[i]"
std::string Member(std::string_view path, std::string_view name);  // "path.name"

}  // namespace teep::cbor::path_read
