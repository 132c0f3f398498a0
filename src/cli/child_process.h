// A `teep` child process (the TAM server, the TEE) for `teep demo`: started
// from this executable, its standard error captured, stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace teep::cli {

class ChildProcess {
 public:
  // Runs /proc/self/exe with `args`; stderr goes to `log_file`.
  static Result<ChildProcess> Start(const std::vector<std::string>& args, const std::string& log_file);
  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), log_(std::move(other.log_)) { other.pid_ = -1; }
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess() { Stop(); }

  // Waits until the log holds a line starting with `prefix`; returns the rest
  // of that line. Fails when the child exits or after `timeout`.
  Result<std::string> WaitForLine(const std::string& prefix, std::chrono::milliseconds timeout);
  void Stop();  // SIGTERM, then wait; idempotent
  const std::string& log_file() const { return log_; }

 private:
  ChildProcess(pid_t pid, std::string log) : pid_(pid), log_(std::move(log)) {}
  pid_t pid_;
  std::string log_;
};

}  // namespace teep::cli
