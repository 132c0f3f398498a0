#include "host/tee_sim/sealed_storage.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "host/io/posix.h"

namespace teep::host::tee_sim {
namespace {

constexpr std::string_view kMagic = "TEEPSEAL";
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kHeaderSize = kMagic.size() + 1;
constexpr size_t kIvSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kKeySize = 32;  // AES-256-GCM, the largest AesGcmSeal takes
constexpr size_t kMinSealingKeySize = 16;
constexpr size_t kMaxNameSize = 64;
constexpr std::string_view kKdfInfo = "teep tee_sim sealed storage v1";
constexpr std::string_view kSuffix = ".sealed";

// The name becomes a file name: a restricted alphabet keeps '/', "..",
// control characters and case-folding file systems out of the picture.
Status CheckName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxNameSize &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                     c == '-';
            });
  if (ok) return OkStatus();
  return Status(StatusCode::kInvalidArgument,
                "sealed blob name '" + std::string(name) +
                    "': must be 1 to 64 characters of a-z, 0-9, '_', '.', '-'");
}

Bytes Header() {
  Bytes header(kMagic.begin(), kMagic.end());
  header.push_back(kFormatVersion);
  return header;
}

// Binds the ciphertext to its format and to its name, so that a renamed or
// swapped file does not authenticate.
Bytes Aad(std::string_view name) {
  Bytes aad = Header();
  aad.insert(aad.end(), name.begin(), name.end());
  return aad;
}

}  // namespace

SealedStorage::SealedStorage(std::string dir, crypto::SecretBytes key)
    : dir_(std::move(dir)), key_(std::move(key)) {}

Result<std::unique_ptr<SealedStorage>> SealedStorage::Open(
    std::string dir, const crypto::SecretBytes& sealing_key) {
  if (sealing_key.size() < kMinSealingKeySize) {
    return Status(StatusCode::kInvalidArgument,
                  "sealed storage: the sealing key must be at least 16 bytes");
  }
  TEEP_RETURN_IF_ERROR(EnsurePrivateDir(dir));
  TEEP_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                        crypto::Hkdf(crypto::HashAlg::kSha256, sealing_key.view(), {},
                                     AsBytes(kKdfInfo), kKeySize));
  return std::unique_ptr<SealedStorage>(new SealedStorage(std::move(dir), std::move(key)));
}

std::string SealedStorage::PathOf(std::string_view name) const {
  return dir_ + "/" + std::string(name) + std::string(kSuffix);
}

Status SealedStorage::Put(std::string_view name, ByteView plaintext) {
  TEEP_RETURN_IF_ERROR(CheckName(name));
  Bytes blob = Header();
  blob.resize(kHeaderSize + kIvSize);
  std::span<uint8_t> iv(blob.data() + kHeaderSize, kIvSize);
  TEEP_RETURN_IF_ERROR(crypto::RandomBytes(iv));
  TEEP_ASSIGN_OR_RETURN(Bytes sealed, crypto::AesGcmSeal(key_.view(), iv, Aad(name), plaintext));
  blob.insert(blob.end(), sealed.begin(), sealed.end());
  return WriteDurable(PathOf(name), blob);
}

Result<std::optional<crypto::SecretBytes>> SealedStorage::Get(std::string_view name) {
  TEEP_RETURN_IF_ERROR(CheckName(name));
  const std::string path = PathOf(name);
  TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> blob, ReadIfPresent(path));
  if (!blob) return std::optional<crypto::SecretBytes>();
  const std::string what = "sealed blob '" + std::string(name) + "' (" + path + ")";

  ByteView data(*blob);
  if (data.size() < kHeaderSize + kIvSize + kTagSize ||
      !std::equal(kMagic.begin(), kMagic.end(), data.begin())) {
    return Status(StatusCode::kMalformed, what + ": not a sealed blob (bad magic or truncated)");
  }
  if (data[kMagic.size()] != kFormatVersion) {
    return Status(StatusCode::kMalformed, what + ": format version " +
                                              std::to_string(data[kMagic.size()]) +
                                              ", expected " + std::to_string(kFormatVersion));
  }
  auto opened = crypto::AesGcmOpen(key_.view(), data.subspan(kHeaderSize, kIvSize), Aad(name),
                                   data.subspan(kHeaderSize + kIvSize));
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kVerificationFailed) {
      return Status(StatusCode::kVerificationFailed,
                    what + ": does not authenticate (tampered, renamed, or sealed under "
                           "another key)");
    }
    return opened.status().WithContext(what);
  }
  return std::optional<crypto::SecretBytes>(std::move(opened).value());
}

Status SealedStorage::Remove(std::string_view name) {
  TEEP_RETURN_IF_ERROR(CheckName(name));
  const std::string path = PathOf(name);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return OkStatus();
    return Errno(errno, "cannot remove", path);
  }
  return FsyncDir(dir_);
}

}  // namespace teep::host::tee_sim
