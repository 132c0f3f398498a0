// A simulated hardware monotonic counter.
//
// Sealed storage proves that a blob was written by this TEE, not that it is
// the latest one: someone who saved a copy of the state directory can put it
// back and roll the TEE back to an older state (a revoked TC, a lower SUIT
// sequence number). A real TEE defeats this with a counter that only goes up
// and lives where the normal world cannot write it (an eMMC RPMB partition,
// one-time-programmable fuses, a secure element): the sealed state records the
// counter value it was written at, and a state whose value is below the
// counter is a rollback.
//
// Here the counter is a file, and a file can be rolled back, edited or deleted
// by root or its owner like any other: this class only simulates the property,
// so that the code above it is written and tested as it would be on a real
// TEE. What it does guarantee: the value never goes down through this API,
// Increment is durable before it returns, and a damaged file is an error
// rather than a silent zero. The checksum catches accidental corruption; it
// is no defence against a deliberate edit (anyone can recompute it).
//
// File (49 bytes): "TEEPMCTR" | version (1 byte, = 1) | value (u64 big-endian)
//                  | SHA-256 of the preceding 17 bytes
//
// Not thread-safe; one process at a time (TeeIdentity's lock provides that
// when the file lives in the state directory).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/base/status.h"

namespace teep::host::tee_sim {

class MonotonicCounter {
 public:
  // Reads the counter at `path`; when the file does not exist, creates it
  // (mode 0600) holding 0. The directory must exist.
  static Result<std::unique_ptr<MonotonicCounter>> Open(std::string path);

  MonotonicCounter(const MonotonicCounter&) = delete;
  MonotonicCounter& operator=(const MonotonicCounter&) = delete;

  uint64_t Value() const { return value_; }
  // Adds one and returns the new value once it is on disk (file and directory
  // entry fsynced). On failure the value is unchanged. kLimitExceeded at
  // 2^64 - 1: a counter that wrapped would make every old state look new.
  Result<uint64_t> Increment();

  const std::string& path() const { return path_; }

 private:
  MonotonicCounter(std::string path, uint64_t value);

  std::string path_;
  uint64_t value_;
};

}  // namespace teep::host::tee_sim
