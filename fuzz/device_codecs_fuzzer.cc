// Fuzzes the strict decoders of the device side: the TEEP Agent's persisted
// state (src/core/agent/agent_state.h), the payloads of the REE/TEE channel
// operations (src/host/device/tee_ops.h) and the sealed provisioning record
// (src/host/device/provisioning.h).
//
// Input: one selector byte (taken modulo 6), then the bytes to decode:
//   0 DecodeAgentState   1 DecodeRequestTa   2 DecodeComponent
//   3 DecodeUriList      4 DecodeTcList      5 DecodeProvisioning
//
// Invariants: no crash; a successful decode re-encodes, and the encoding
// decodes to an equal value and re-encodes to the same bytes (the encoders
// are deterministic); when the input was already deterministic CBOR
// (cbor::Check with the strict options) the re-encoding is the input itself,
// except for Provisioning, whose PEM texts are re-written by the crypto
// backend. A TcList entry carries no reference URI or manifest digest.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/agent/agent_state.h"
#include "core/agent/inventory.h"
#include "core/cbor/reader.h"
#include "fuzz_require.h"
#include "host/device/provisioning.h"
#include "host/device/tee_ops.h"

namespace {

using namespace teep;
using namespace teep::host::device;

enum Selector : uint8_t {
  kAgentState = 0,
  kRequestTa = 1,
  kComponent = 2,
  kUriList = 3,
  kTcList = 4,
  kProvisioning = 5,
  kSelectorCount = 6,
};

bool Deterministic(ByteView data) { return !cbor::Check(data).has_value(); }

// decode -> encode -> decode -> encode: equal values, equal bytes; the first
// encoding equals a deterministic input.
template <typename T, typename Decode, typename Encode, typename Equal>
void RoundTrip(ByteView data, Decode decode, Encode encode, Equal equal, bool exact_if_deterministic = true) {
  Result<T> first = decode(data);
  if (!first.ok()) return;
  Result<Bytes> encoded = encode(*first);
  FUZZ_REQUIRE(encoded.ok());
  FUZZ_REQUIRE(Deterministic(*encoded));
  Result<T> second = decode(*encoded);
  FUZZ_REQUIRE(second.ok());
  FUZZ_REQUIRE(equal(*first, *second));
  Result<Bytes> again = encode(*second);
  FUZZ_REQUIRE(again.ok());
  FUZZ_REQUIRE(*again == *encoded);
  if (exact_if_deterministic && Deterministic(data)) {
    FUZZ_REQUIRE(encoded->size() == data.size() &&
                 std::equal(data.begin(), data.end(), encoded->begin()));
  }
}

template <typename T>
bool Eq(const T& a, const T& b) {
  return a == b;
}

bool SameTcs(const std::vector<agent::InstalledTc>& a, const std::vector<agent::InstalledTc>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    // What the channel carries (tee_ops.h ListTcs).
    if (a[i].manifest_id != b[i].manifest_id || a[i].component_id != b[i].component_id ||
        a[i].sequence_number != b[i].sequence_number || a[i].image_digest != b[i].image_digest ||
        a[i].image_size != b[i].image_size) {
      return false;
    }
    // ... and nothing else.
    if (!a[i].reference_uri.empty() || !a[i].manifest_digest.empty()) return false;
  }
  return true;
}

std::string Pem(const crypto::PublicKey& key) {
  auto pem = key.ToPem();
  FUZZ_REQUIRE(pem.ok());
  return std::move(pem).value();
}

bool SameProvisioning(const Provisioning& a, const Provisioning& b) {
  if (a.tams.size() != b.tams.size() || a.signers.size() != b.signers.size()) return false;
  if (a.hwmodel != b.hwmodel || a.hwversion != b.hwversion) return false;
  if (a.vendor_ids != b.vendor_ids || a.class_ids != b.class_ids) return false;
  for (size_t i = 0; i < a.tams.size(); ++i) {
    if (a.tams[i].uri != b.tams[i].uri || a.tams[i].key.type() != b.tams[i].key.type() ||
        Pem(a.tams[i].key) != Pem(b.tams[i].key)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.signers.size(); ++i) {
    if (a.signers[i].type() != b.signers[i].type() || Pem(a.signers[i]) != Pem(b.signers[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ByteView body(data + 1, size - 1);
  switch (data[0] % kSelectorCount) {
    case kAgentState:
      RoundTrip<agent::AgentState>(body, agent::DecodeAgentState, agent::EncodeAgentState,
                                   Eq<agent::AgentState>);
      break;
    case kRequestTa:
      RoundTrip<RequestTaArgs>(body, DecodeRequestTa, EncodeRequestTa,
                               [](const RequestTaArgs& a, const RequestTaArgs& b) {
                                 return a.component == b.component && a.tam_uri == b.tam_uri;
                               });
      break;
    case kComponent:
      RoundTrip<msg::ComponentId>(body, DecodeComponent, EncodeComponent, Eq<msg::ComponentId>);
      break;
    case kUriList:
      RoundTrip<std::vector<std::string>>(body, DecodeUriList, EncodeUriList,
                                          Eq<std::vector<std::string>>);
      break;
    case kTcList:
      RoundTrip<std::vector<agent::InstalledTc>>(body, DecodeTcList, EncodeTcList, SameTcs);
      break;
    case kProvisioning:
      RoundTrip<Provisioning>(body, DecodeProvisioning, EncodeProvisioning, SameProvisioning,
                              /*exact_if_deterministic=*/false);
      break;
    default:
      break;
  }
  return 0;
}
