#include "host/tee_sim/monotonic_counter.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "core/crypto/crypto.h"
#include "host/io/posix.h"

namespace teep::host::tee_sim {
namespace {

constexpr std::string_view kMagic = "TEEPMCTR";
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kBodySize = kMagic.size() + 1 + 8;
constexpr size_t kFileSize = kBodySize + 32;

Bytes Encode(uint64_t value) {
  Bytes out(kMagic.begin(), kMagic.end());
  out.push_back(kFormatVersion);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
  auto checksum = crypto::Sha256(out);
  out.insert(out.end(), checksum.begin(), checksum.end());
  return out;
}

Result<uint64_t> Decode(ByteView data, const std::string& path) {
  const std::string what = "monotonic counter " + path;
  if (data.size() != kFileSize || !std::equal(kMagic.begin(), kMagic.end(), data.begin())) {
    return Status(StatusCode::kMalformed,
                  what + ": not a counter file (bad magic or " + std::to_string(data.size()) +
                      " bytes, expected " + std::to_string(kFileSize) + ")");
  }
  auto checksum = crypto::Sha256(data.first(kBodySize));
  if (!std::equal(checksum.begin(), checksum.end(), data.begin() + kBodySize)) {
    return Status(StatusCode::kMalformed, what + ": checksum mismatch, the file is corrupted");
  }
  // After the checksum: a version byte that checks out is the writer's own.
  if (data[kMagic.size()] != kFormatVersion) {
    return Status(StatusCode::kUnsupported,
                  what + ": format version " + std::to_string(data[kMagic.size()]));
  }
  uint64_t value = 0;
  for (size_t i = kMagic.size() + 1; i < kBodySize; ++i) value = (value << 8) | data[i];
  return value;
}

}  // namespace

MonotonicCounter::MonotonicCounter(std::string path, uint64_t value)
    : path_(std::move(path)), value_(value) {}

Result<std::unique_ptr<MonotonicCounter>> MonotonicCounter::Open(std::string path) {
  TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> data, ReadIfPresent(path));
  uint64_t value = 0;
  if (data) {
    TEEP_ASSIGN_OR_RETURN(value, Decode(*data, path));
  } else {
    TEEP_RETURN_IF_ERROR(WriteDurable(path, Encode(0)));
  }
  return std::unique_ptr<MonotonicCounter>(new MonotonicCounter(std::move(path), value));
}

Result<uint64_t> MonotonicCounter::Increment() {
  if (value_ == std::numeric_limits<uint64_t>::max()) {
    return Status(StatusCode::kLimitExceeded, "monotonic counter " + path_ + " is exhausted");
  }
  TEEP_RETURN_IF_ERROR(WriteDurable(path_, Encode(value_ + 1)));
  return ++value_;
}

}  // namespace teep::host::tee_sim
