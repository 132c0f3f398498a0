// SUIT_Component_Identifier helpers (draft-ietf-suit-manifest-37 §8.4.5.1:
// component-id = [* bstr]). Stores and records key components by the
// deterministic CBOR encoding of the identifier, so two identifiers are the
// same component exactly when their encodings are equal.
#pragma once

#include <string>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/suit/manifest.h"

namespace teep::suit {

// Deterministic encoding of [* bstr].
Bytes EncodeComponentId(const ComponentId& id);

// Decodes an encoded identifier (exactly one item); the views point into `encoded`.
Result<ComponentId> DecodeComponentId(ByteView encoded);

// True when `prefix` is a prefix of `id`, part by part (trust-domains §6.1
// dependency-prefix).
bool IsPrefixOf(const ComponentId& prefix, const ComponentId& id);

// Human-readable form for messages and CLI output: ['TEEP-Device', h'8d82']
// (printable ASCII parts as text, others as hex).
std::string DescribeComponentId(const ComponentId& id);
std::string DescribeEncodedComponentId(ByteView encoded);

}  // namespace teep::suit
