// libFuzzer target: the Error decoder (DecodeMessageOfType), either
// profile (first byte). Invariants: see teep_fuzz_common.h.
#include "teep_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return teep::msg::fuzz::Run(data, size, teep::msg::MessageType::kError);
}
