// COSE_Mac0 (RFC 9052 §6.2) with HMAC 256/256 (alg 5), used by SUIT's
// symmetric authentication profile.
#pragma once

#include <optional>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/cose/headers.h"
#include "core/cose/sign.h"

namespace teep::cose {

struct MacOptions {
  bool tagged = true;
  bool detached = false;
  ByteView external_aad;
  Bytes kid;
};

Result<Bytes> CreateMac0(ByteView key, ByteView payload, const MacOptions& options = {});

struct Mac0Message {
  bool tagged = false;
  Headers headers;
  std::optional<ByteView> payload;
  ByteView tag;
};

Result<Mac0Message> DecodeMac0(ByteView data, TagPolicy tags = TagPolicy::kAny);

// Constant-time tag comparison; kVerificationFailed on mismatch.
Status VerifyMac0(const Mac0Message& message, ByteView key, ByteView external_aad = {},
                  std::optional<ByteView> detached_payload = std::nullopt);

}  // namespace teep::cose
