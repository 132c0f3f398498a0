#include "host/tee_sim/sealed_storage.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "host/io/file.h"
#include "temp_dir.h"
#include "test_util.h"

namespace teep::host::tee_sim {
namespace {

using teep::test::TempDir;

constexpr size_t kHeaderSize = 9;  // "TEEPSEAL" + version
constexpr size_t kIvSize = 12;
constexpr size_t kTagSize = 16;

crypto::SecretBytes Key(uint8_t fill) {
  crypto::SecretBytes key(32);
  std::fill(key.data(), key.data() + key.size(), fill);
  return key;
}

Bytes Text(std::string_view s) { return ToBytes(AsBytes(s)); }

class SealedStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SealedStorage::Open(dir_ / "sealed", key_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
  }

  std::string BlobPath(const std::string& name) const {
    return dir_ / ("sealed/" + name + ".sealed");
  }

  Bytes ReadBlob(const std::string& name) const {
    auto data = ReadFile(BlobPath(name));
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : Bytes{};
  }

  void WriteBlob(const std::string& name, ByteView data) {
    ASSERT_OK(WriteFile(BlobPath(name), data, /*private_file=*/true));
  }

  // Get must fail, with `code`, and name the blob.
  void ExpectRejected(const std::string& name, StatusCode code) {
    auto got = storage_->Get(name);
    ASSERT_FALSE(got.ok()) << "tampered blob '" << name << "' was accepted";
    EXPECT_EQ(got.status().code(), code) << got.status().ToString();
    EXPECT_NE(got.status().message().find("'" + name + "'"), std::string::npos)
        << got.status().ToString();
  }

  TempDir dir_;
  crypto::SecretBytes key_ = Key(0x42);
  std::unique_ptr<SealedStorage> storage_;
};

TEST_F(SealedStorageTest, RoundTripsBlobsOfAnySize) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{100 * 1024}}) {
    Bytes plaintext(size);
    for (size_t i = 0; i < size; ++i) plaintext[i] = static_cast<uint8_t>(i * 7);
    ASSERT_OK(storage_->Put("blob", plaintext));
    ASSERT_OK_AND_ASSIGN(auto got, storage_->Get("blob"));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(ToBytes(got->view()), plaintext) << "size " << size;
  }
}

TEST_F(SealedStorageTest, AbsentOverwriteAndRemove) {
  ASSERT_OK_AND_ASSIGN(auto absent, storage_->Get("nothing"));
  EXPECT_FALSE(absent.has_value());

  ASSERT_OK(storage_->Put("state", Text("one")));
  ASSERT_OK(storage_->Put("state", Text("two")));
  ASSERT_OK_AND_ASSIGN(auto got, storage_->Get("state"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(ToBytes(got->view()), Text("two"));

  ASSERT_OK(storage_->Remove("state"));
  ASSERT_OK_AND_ASSIGN(auto removed, storage_->Get("state"));
  EXPECT_FALSE(removed.has_value());
  EXPECT_FALSE(std::filesystem::exists(BlobPath("state")));
  ASSERT_OK(storage_->Remove("state"));  // absent: not an error
}

TEST_F(SealedStorageTest, SurvivesReopenWithTheSameKey) {
  ASSERT_OK(storage_->Put("kept", Text("across restarts")));
  storage_.reset();
  ASSERT_OK_AND_ASSIGN(auto reopened, SealedStorage::Open(dir_ / "sealed", key_));
  ASSERT_OK_AND_ASSIGN(auto got, reopened->Get("kept"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(ToBytes(got->view()), Text("across restarts"));
}

// The layout the header comment documents, opened independently of the class:
// magic, version, IV, AES-256-GCM under HKDF-SHA-256(sealing key) with the
// name in the AAD.
TEST_F(SealedStorageTest, FileFormatIsTheDocumentedOne) {
  const Bytes plaintext = Text("documented format");
  ASSERT_OK(storage_->Put("fmt", plaintext));
  Bytes blob = ReadBlob("fmt");
  ASSERT_EQ(blob.size(), kHeaderSize + kIvSize + plaintext.size() + kTagSize);
  EXPECT_EQ(std::string(AsChars(ByteView(blob).first(8))), "TEEPSEAL");
  EXPECT_EQ(blob[8], 1);

  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes derived,
                       crypto::Hkdf(crypto::HashAlg::kSha256, key_.view(), {},
                                    AsBytes("teep tee_sim sealed storage v1"), 32));
  Bytes aad = Text("TEEPSEAL\x01" "fmt");
  ByteView iv = ByteView(blob).subspan(kHeaderSize, kIvSize);
  ByteView body = ByteView(blob).subspan(kHeaderSize + kIvSize);
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes opened,
                       crypto::AesGcmOpen(derived.view(), iv, aad, body));
  EXPECT_EQ(ToBytes(opened.view()), plaintext);
  // The sealing key itself never encrypts.
  EXPECT_FALSE(crypto::AesGcmOpen(key_.view(), iv, aad, body).ok());
}

TEST_F(SealedStorageTest, EveryWriteUsesAFreshIv) {
  ASSERT_OK(storage_->Put("a", Text("same")));
  Bytes first = ReadBlob("a");
  ASSERT_OK(storage_->Put("a", Text("same")));
  Bytes second = ReadBlob("a");
  EXPECT_NE(first, second);
}

TEST_F(SealedStorageTest, PlaintextNeverReachesTheDisk) {
  const Bytes secret = Text("PLAINTEXT-MARKER-3f1c9a-must-not-appear-on-disk");
  ASSERT_OK(storage_->Put("secret", secret));
  ASSERT_OK(storage_->Put("secret", secret));  // an overwrite too
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ASSERT_OK_AND_ASSIGN(Bytes content, ReadFile(entry.path().string()));
    EXPECT_EQ(std::search(content.begin(), content.end(), secret.begin(), secret.end()),
              content.end())
        << entry.path();
  }
}

TEST_F(SealedStorageTest, DirectoryAndFilesArePrivate) {
  const mode_t old_umask = ::umask(0);  // the modes must not depend on the umask
  auto opened = SealedStorage::Open(dir_ / "fresh", key_);
  Status put = opened.ok() ? (*opened)->Put("x", Text("y")) : opened.status();
  ::umask(old_umask);
  ASSERT_OK(put);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "fresh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((dir_ / "fresh/x.sealed").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(SealedStorageTest, RefusesADirectoryOtherUsersCanAccess) {
  ASSERT_EQ(::mkdir((dir_ / "shared").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((dir_ / "shared").c_str(), 0755), 0);
  auto opened = SealedStorage::Open(dir_ / "shared", key_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(opened.status().message().find("0755"), std::string::npos)
      << opened.status().ToString();
}

TEST_F(SealedStorageTest, RefusesAShortSealingKey) {
  crypto::SecretBytes short_key(15);
  auto opened = SealedStorage::Open(dir_ / "other", short_key);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SealedStorageTest, NamesAreValidated) {
  for (std::string good : {std::string("a"), std::string("teep_key"),
                           std::string("agent.state-2"), std::string(64, 'z'), std::string("..")}) {
    SCOPED_TRACE(good);
    ASSERT_OK(storage_->Put(good, Text("v")));
    ASSERT_OK_AND_ASSIGN(auto got, storage_->Get(good));
    EXPECT_TRUE(got.has_value()) << good;
  }
  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("Upper"),
                          std::string("a/b"), std::string("a b"), std::string("../x"),
                          std::string("a\0b", 3), std::string("caf\xc3\xa9")}) {
    for (Status s : {storage_->Put(bad, Text("v")), storage_->Get(bad).status(),
                     storage_->Remove(bad)}) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "name '" << bad << "': " << s.ToString();
    }
  }
}

// Flip each bit of one byte at every offset: the header region is
// kMalformed, the IV, ciphertext and tag are kVerificationFailed.
TEST_F(SealedStorageTest, DetectsABitFlipAnywhere) {
  ASSERT_OK(storage_->Put("victim", Text("sixteen byte msg")));
  const Bytes original = ReadBlob("victim");
  for (size_t offset = 0; offset < original.size(); ++offset) {
    Bytes tampered = original;
    tampered[offset] ^= 0x01;
    WriteBlob("victim", tampered);
    SCOPED_TRACE("offset " + std::to_string(offset));
    ExpectRejected("victim", offset < kHeaderSize ? StatusCode::kMalformed
                                                  : StatusCode::kVerificationFailed);
  }
  WriteBlob("victim", original);
  ASSERT_OK_AND_ASSIGN(auto restored, storage_->Get("victim"));
  EXPECT_TRUE(restored.has_value());
}

TEST_F(SealedStorageTest, DetectsTruncationAndExtension) {
  ASSERT_OK(storage_->Put("victim", Text("some state")));
  const Bytes original = ReadBlob("victim");
  for (size_t length = 0; length < original.size(); ++length) {
    WriteBlob("victim", ByteView(original).first(length));
    SCOPED_TRACE("length " + std::to_string(length));
    ExpectRejected("victim", length < kHeaderSize + kIvSize + kTagSize
                                 ? StatusCode::kMalformed
                                 : StatusCode::kVerificationFailed);
  }
  Bytes extended = original;
  extended.push_back(0);
  WriteBlob("victim", extended);
  ExpectRejected("victim", StatusCode::kVerificationFailed);
}

TEST_F(SealedStorageTest, ABlobMovedToAnotherNameDoesNotOpen) {
  ASSERT_OK(storage_->Put("allowed", Text("yes")));
  ASSERT_OK(storage_->Put("revoked", Text("no")));
  // Copied under a new name.
  std::filesystem::copy_file(BlobPath("allowed"), BlobPath("copy"));
  ExpectRejected("copy", StatusCode::kVerificationFailed);
  // Two blobs swapped.
  const Bytes allowed = ReadBlob("allowed");
  const Bytes revoked = ReadBlob("revoked");
  WriteBlob("allowed", revoked);
  WriteBlob("revoked", allowed);
  ExpectRejected("allowed", StatusCode::kVerificationFailed);
  ExpectRejected("revoked", StatusCode::kVerificationFailed);
}

TEST_F(SealedStorageTest, AnotherKeyCannotOpen) {
  ASSERT_OK(storage_->Put("mine", Text("secret")));
  ASSERT_OK_AND_ASSIGN(auto other, SealedStorage::Open(dir_ / "sealed", Key(0x43)));
  auto got = other->Get("mine");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kVerificationFailed);
  EXPECT_NE(got.status().message().find("'mine'"), std::string::npos);
}

}  // namespace
}  // namespace teep::host::tee_sim
