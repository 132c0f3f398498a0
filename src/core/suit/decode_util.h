// The SUIT decoders read with the path-named typed reads of the CBOR layer
// (core/cbor/path_read.h), under the name they have always used.
#pragma once

#include "core/cbor/path_read.h"

namespace teep::suit::internal {

using namespace ::teep::cbor::path_read;  // NOLINT: one shared vocabulary of reads

}  // namespace teep::suit::internal
