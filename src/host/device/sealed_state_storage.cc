#include "host/device/sealed_state_storage.h"

#include <string>

#include "core/base/strings.h"

namespace teep::host::device {

namespace {

constexpr char kBlob[] = "agent_state";

// [u64 big-endian counter value][encoded state]
Bytes Frame(uint64_t version, ByteView state) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(version >> (56 - 8 * i));
  out.insert(out.end(), state.begin(), state.end());
  return out;
}

}  // namespace

Result<std::optional<Bytes>> SealedStateStorage::Load() {
  TEEP_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> sealed, sealed_.Get(kBlob));
  if (!sealed) {
    if (counter_.Value() != 0) {
      return Status(StatusCode::kVerificationFailed,
                    Cat("sealed Agent state is missing but the monotonic counter is at ",
                        counter_.Value(), ": the state directory was tampered with"));
    }
    return std::optional<Bytes>();
  }
  ByteView bytes = sealed->view();
  if (bytes.size() < 8) return Status(StatusCode::kMalformed, "sealed Agent state: truncated");
  uint64_t version = 0;
  for (int i = 0; i < 8; ++i) version = (version << 8) | bytes[i];
  const uint64_t counter = counter_.Value();
  if (version == counter + 1) {
    // Sealed, then the process died before the counter moved: finish it.
    TEEP_RETURN_IF_ERROR(counter_.Increment().status());
  } else if (version != counter) {
    return Status(StatusCode::kVerificationFailed,
                  Cat("sealed Agent state is version ", version, " but the monotonic counter is at ",
                      counter, ": an old copy of the state was restored (rollback)"));
  }
  return std::optional<Bytes>(ToBytes(bytes.subspan(8)));
}

Status SealedStateStorage::Save(ByteView encoded) {
  TEEP_RETURN_IF_ERROR(sealed_.Put(kBlob, Frame(counter_.Value() + 1, encoded)));
  return counter_.Increment().status();
}

}  // namespace teep::host::device
