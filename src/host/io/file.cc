#include "host/io/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "host/io/posix.h"

namespace teep::host {

Result<Bytes> ReadFile(const std::string& path) {
  if (path == "-") return ReadAll(STDIN_FILENO, path);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Errno(errno, "cannot open", path);
  return ReadAll(fd.get(), path);
}

Status WriteFile(const std::string& path, ByteView data, bool private_file) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, private_file ? 0600 : 0644));
  if (!fd.valid()) return Errno(errno, "cannot create", tmp);
  if (Status s = WriteSyncAndClose(std::move(fd), data, tmp); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno(errno, "cannot rename to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return OkStatus();
}

Bytes HexOrBinary(Bytes input) {
  bool all_hex_text = !input.empty();
  for (uint8_t c : input) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (!hex && !space) {
      all_hex_text = false;
      break;
    }
  }
  if (all_hex_text) {
    if (auto decoded = HexDecode(AsChars(input))) return *decoded;
  }
  return input;
}

}  // namespace teep::host
