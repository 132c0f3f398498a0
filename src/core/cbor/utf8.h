#pragma once

#include "core/base/bytes.h"

namespace teep::cbor {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. Returns the offset of the first bad byte, or -1 when valid.
long FindInvalidUtf8(ByteView text);

}  // namespace teep::cbor
