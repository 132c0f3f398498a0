#include "host/tee_sim/tee_identity.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/cose/key.h"
#include "host/io/file.h"
#include "temp_dir.h"
#include "test_util.h"

namespace teep::host::tee_sim {
namespace {

using crypto::KeyType;
using teep::test::TempDir;

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// The public half, which is what identifies a key from outside.
Bytes PublicOf(const crypto::PrivateKey& key) {
  crypto::PublicKey pub = key.Public();
  Bytes out = pub.x();
  Bytes y = pub.y();
  out.insert(out.end(), y.begin(), y.end());
  return out;
}

TEST(TeeIdentityTest, FirstStartCreatesAPrivateState) {
  TempDir dir;
  const std::string state = dir / "state";
  ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(state));

  EXPECT_EQ(id.teep_key().type(), KeyType::kP256);
  EXPECT_EQ(id.attestation_key().type(), KeyType::kP256);
  EXPECT_NE(PublicOf(id.teep_key()), PublicOf(id.attestation_key()));
  ASSERT_EQ(id.ueid().size(), 33u);
  EXPECT_EQ(id.ueid()[0], 0x01);  // RAND
  ASSERT_EQ(id.sealing_key().size(), 32u);

  EXPECT_EQ(Mode(state), 0700u);
  EXPECT_EQ(Mode(state + "/sealing.key"), 0600u);
  EXPECT_EQ(Mode(state + "/sealed"), 0700u);
  for (const char* blob : {"teep_key", "attestation_key", "ueid"}) {
    EXPECT_EQ(Mode(state + "/sealed/" + blob + ".sealed"), 0600u) << blob;
  }
  ASSERT_OK_AND_ASSIGN(Bytes key_file, ReadFile(state + "/sealing.key"));
  EXPECT_EQ(key_file, ToBytes(id.sealing_key().view()));
}

TEST(TeeIdentityTest, LaterStartsLoadTheSameIdentity) {
  TempDir dir;
  Bytes teep_public, attestation_public, ueid, sealing_key, signature;
  const Bytes message = ToBytes(AsBytes("signed before the restart"));
  {
    ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
    teep_public = PublicOf(id.teep_key());
    attestation_public = PublicOf(id.attestation_key());
    ueid = id.ueid();
    sealing_key = ToBytes(id.sealing_key().view());
    ASSERT_OK_AND_ASSIGN(signature, id.teep_key().Sign(message));
  }
  for (int restart = 0; restart < 2; ++restart) {
    ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
    EXPECT_EQ(PublicOf(id.teep_key()), teep_public);
    EXPECT_EQ(PublicOf(id.attestation_key()), attestation_public);
    EXPECT_EQ(id.ueid(), ueid);
    EXPECT_EQ(ToBytes(id.sealing_key().view()), sealing_key);
    ASSERT_OK(id.teep_key().Public().Verify(message, signature));
  }
}

TEST(TeeIdentityTest, TwoStateDirectoriesAreTwoDevices) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(TeeIdentity a, TeeIdentity::LoadOrCreate(dir / "a"));
  ASSERT_OK_AND_ASSIGN(TeeIdentity b, TeeIdentity::LoadOrCreate(dir / "b"));
  EXPECT_NE(PublicOf(a.teep_key()), PublicOf(b.teep_key()));
  EXPECT_NE(PublicOf(a.attestation_key()), PublicOf(b.attestation_key()));
  EXPECT_NE(a.ueid(), b.ueid());
  EXPECT_NE(ToBytes(a.sealing_key().view()), ToBytes(b.sealing_key().view()));
}

TEST(TeeIdentityTest, TeepKeyTypeIsChosenAtFirstStartAndKept) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "s", KeyType::kEd25519));
    EXPECT_EQ(id.teep_key().type(), KeyType::kEd25519);
    EXPECT_EQ(id.attestation_key().type(), KeyType::kP256);  // independent of the option
  }
  {
    ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "s"));
    EXPECT_EQ(id.teep_key().type(), KeyType::kEd25519);
  }
  auto changed = TeeIdentity::LoadOrCreate(dir / "s", KeyType::kP256);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(changed.status().message().find("first start"), std::string::npos)
      << changed.status().ToString();

  for (KeyType unsupported : {KeyType::kP384, KeyType::kX25519}) {
    auto refused = TeeIdentity::LoadOrCreate(dir / "t", unsupported);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "t"));  // refused before touching the disk
}

TEST(TeeIdentityTest, OneHolderPerStateDirectory) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(TeeIdentity first, TeeIdentity::LoadOrCreate(dir / "state"));
  TeeIdentity moved = std::move(first);  // the lock moves with the object
  auto second = TeeIdentity::LoadOrCreate(dir / "state");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos)
      << second.status().ToString();
}

TEST(TeeIdentityTest, ASecondProcessIsRefused) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(TeeIdentity holder, TeeIdentity::LoadOrCreate(dir / "state"));
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto second = TeeIdentity::LoadOrCreate(dir / "state");
    bool refused = !second.ok() && second.status().code() == StatusCode::kIoError &&
                   second.status().message().find("in use") != std::string::npos;
    ::_exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the second process was not refused";
}

TEST(TeeIdentityTest, TheLockIsReleasedWithTheObject) {
  TempDir dir;
  { ASSERT_OK(TeeIdentity::LoadOrCreate(dir / "state").status()); }
  ASSERT_OK(TeeIdentity::LoadOrCreate(dir / "state").status());
}

TEST(TeeIdentityTest, SealedStorageIsTheIdentitysOwn) {
  TempDir dir;
  const Bytes value = ToBytes(AsBytes("agent state"));
  {
    ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
    ASSERT_OK(id.sealed().Put("agent", value));
  }
  ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
  ASSERT_OK_AND_ASSIGN(auto got, id.sealed().Get("agent"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(ToBytes(got->view()), value);
}

// Replacing the sealing key must not quietly mint a new identity: the sealed
// keys no longer open, and that is an error naming them.
TEST(TeeIdentityTest, AReplacedSealingKeyIsDetected) {
  TempDir dir;
  { ASSERT_OK(TeeIdentity::LoadOrCreate(dir / "state").status()); }
  ASSERT_OK(WriteFile(dir / "state/sealing.key", Bytes(32, 0x5a), true));
  auto reloaded = TeeIdentity::LoadOrCreate(dir / "state");
  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.status().code(), StatusCode::kVerificationFailed);
  EXPECT_NE(reloaded.status().message().find("teep_key"), std::string::npos)
      << reloaded.status().ToString();
}

TEST(TeeIdentityTest, AMalformedSealingKeyIsAnError) {
  TempDir dir;
  { ASSERT_OK(TeeIdentity::LoadOrCreate(dir / "state").status()); }
  ASSERT_OK(WriteFile(dir / "state/sealing.key", Bytes(31, 0x5a), true));
  auto reloaded = TeeIdentity::LoadOrCreate(dir / "state");
  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.status().code(), StatusCode::kMalformed);
  EXPECT_NE(reloaded.status().message().find("sealing.key"), std::string::npos);
}

// A first start that crashed after the keys but before the UEID: the next
// start completes it and keeps the keys already made.
TEST(TeeIdentityTest, AnInterruptedFirstStartIsCompleted) {
  TempDir dir;
  Bytes teep_public;
  {
    ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
    teep_public = PublicOf(id.teep_key());
  }
  std::filesystem::remove(dir / "state/sealed/ueid.sealed");
  ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
  EXPECT_EQ(PublicOf(id.teep_key()), teep_public);
  EXPECT_EQ(id.ueid().size(), 33u);
}

// Only the sealing key's holder could seal such keys; refuse them anyway
// rather than sign TEEP messages with an ECDH key or evidence with EdDSA.
TEST(TeeIdentityTest, SealedKeysOfTheWrongTypeAreRefused) {
  struct Case {
    const char* blob;
    KeyType type;
  };
  for (Case c : {Case{"teep_key", KeyType::kX25519}, Case{"attestation_key", KeyType::kEd25519}}) {
    SCOPED_TRACE(c.blob);
    TempDir dir;
    {
      ASSERT_OK_AND_ASSIGN(TeeIdentity id, TeeIdentity::LoadOrCreate(dir / "state"));
      ASSERT_OK_AND_ASSIGN(crypto::PrivateKey wrong, crypto::PrivateKey::Generate(c.type));
      ASSERT_OK_AND_ASSIGN(cose::CoseKey cose_key, cose::CoseKey::FromPrivateKey(wrong));
      ASSERT_OK_AND_ASSIGN(Bytes encoded, cose::EncodeKey(cose_key, /*include_private=*/true));
      ASSERT_OK(id.sealed().Put(c.blob, encoded));
    }
    auto reloaded = TeeIdentity::LoadOrCreate(dir / "state");
    ASSERT_FALSE(reloaded.ok());
    EXPECT_EQ(reloaded.status().code(), StatusCode::kMalformed) << reloaded.status().ToString();
  }
}

TEST(TeeIdentityTest, RefusesAStateDirectoryOthersCanRead) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "state").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((dir / "state").c_str(), 0750), 0);
  auto id = TeeIdentity::LoadOrCreate(dir / "state");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir / "state/sealing.key"));
}

}  // namespace
}  // namespace teep::host::tee_sim
