// One conformance suite for every ComponentStore (core/suit/component_store.h),
// run against the in-memory store and the directory store, followed by tests
// of what only one of them promises (durability and crash safety of the
// directory store, fault injection of the memory store).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "core/suit/component_id.h"
#include "core/suit/memory_store.h"
#include "host/suit_store/directory_store.h"
#include "test_util.h"

namespace teep {
namespace {

using host::DirectoryStore;
using suit::ComponentStore;
using suit::ManifestRecord;
using suit::MemoryStore;
using test::H;

namespace fs = std::filesystem;

// A fresh private temporary directory, removed with everything in it.
using teep::test::TempDir;

Bytes Id(std::initializer_list<std::string_view> parts) {
  suit::ComponentId id;
  for (std::string_view p : parts) id.push_back(AsBytes(p));
  return suit::EncodeComponentId(id);
}

Bytes Text(std::string_view s) { return ToBytes(AsBytes(s)); }

// The whole component, concatenated from however many chunks Read delivers.
Result<Bytes> ReadAll(ComponentStore& store, ByteView id, size_t* chunks = nullptr) {
  Bytes out;
  size_t n = 0;
  Status s = store.Read(id, [&](ByteView chunk) {
    out.insert(out.end(), chunk.begin(), chunk.end());
    ++n;
    return OkStatus();
  });
  if (!s.ok()) return s;
  if (chunks) *chunks = n;
  return out;
}

ManifestRecord Record(ByteView id, uint64_t seq, std::string_view envelope, uint32_t refs) {
  ManifestRecord r;
  r.manifest_id = ToBytes(id);
  r.sequence_number = seq;
  r.envelope = Text(envelope);
  r.reference_count = refs;
  return r;
}

bool Same(const ManifestRecord& a, const ManifestRecord& b) {
  return a.manifest_id == b.manifest_id && a.sequence_number == b.sequence_number &&
         a.envelope == b.envelope && a.reference_count == b.reference_count;
}

// ---- store factories for the typed suite -----------------------------------

class MemoryStoreFactory {
 public:
  Result<std::unique_ptr<ComponentStore>> Open() {
    return std::unique_ptr<ComponentStore>(new MemoryStore());
  }
};

class DirectoryStoreFactory {
 public:
  Result<std::unique_ptr<ComponentStore>> Open() {
    TEEP_ASSIGN_OR_RETURN(auto store, DirectoryStore::Open(tmp_.path() + "/store"));
    return std::unique_ptr<ComponentStore>(std::move(store));
  }

 private:
  TempDir tmp_;
};

template <typename Factory>
class StoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  ComponentStore& store() { return *store_; }

  // Asserts the staged view of `id` holds exactly `expected`.
  void ExpectContent(ByteView id, const Bytes& expected) {
    auto size = store().Size(id);
    ASSERT_TRUE(size.ok()) << size.status().ToString();
    ASSERT_TRUE(size->has_value());
    EXPECT_EQ(**size, expected.size());
    auto data = ReadAll(store(), id);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    EXPECT_EQ(*data, expected);
  }
  void ExpectAbsent(ByteView id) {
    auto size = store().Size(id);
    ASSERT_TRUE(size.ok()) << size.status().ToString();
    EXPECT_FALSE(size->has_value());
    EXPECT_EQ(ReadAll(store(), id).status().code(), StatusCode::kNotFound);
  }

  Factory factory_;
  std::unique_ptr<ComponentStore> store_;
};

using StoreTypes = ::testing::Types<MemoryStoreFactory, DirectoryStoreFactory>;
class StoreNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, MemoryStoreFactory>) return "MemoryStore";
    return "DirectoryStore";
  }
};
TYPED_TEST_SUITE(StoreConformanceTest, StoreTypes, StoreNames);

TYPED_TEST(StoreConformanceTest, StagedWriteIsVisibleAndDiscardDropsIt) {
  const Bytes id = Id({"TEEP-Device", "app.ta"});
  this->ExpectAbsent(id);
  ASSERT_OK(this->store().Write(id, Text("hello")));
  this->ExpectContent(id, Text("hello"));
  this->store().Discard();
  this->ExpectAbsent(id);
}

TYPED_TEST(StoreConformanceTest, CommitPersistsAndLaterDiscardRestoresIt) {
  const Bytes id = Id({"TEEP-Device", "app.ta"});
  ASSERT_OK(this->store().Write(id, Text("v1")));
  ASSERT_OK(this->store().Commit());
  this->store().Discard();  // nothing staged: no effect
  this->ExpectContent(id, Text("v1"));

  ASSERT_OK(this->store().Write(id, Text("version two")));
  this->ExpectContent(id, Text("version two"));
  this->store().Discard();
  this->ExpectContent(id, Text("v1"));

  ASSERT_OK(this->store().Write(id, Text("version two")));
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(id, Text("version two"));
}

TYPED_TEST(StoreConformanceTest, CommitWithNothingStagedIsOk) {
  ASSERT_OK(this->store().Commit());
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListManifests());
  EXPECT_TRUE(list.empty());
}

TYPED_TEST(StoreConformanceTest, EmptyComponentExists) {
  const Bytes id = Id({"empty"});
  ASSERT_OK(this->store().Write(id, ByteView()));
  this->ExpectContent(id, Bytes());
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(id, Bytes());
}

TYPED_TEST(StoreConformanceTest, WriteOwnedKeepsTheBuffer) {
  const Bytes id = Id({"owned"});
  Bytes payload(4096, 0x5a);
  const uint8_t* buffer = payload.data();
  ASSERT_OK(this->store().WriteOwned(id, std::move(payload)));
  // The staged read delivers the very buffer that was handed over: no copy.
  const uint8_t* seen = nullptr;
  ASSERT_OK(this->store().Read(id, [&](ByteView chunk) {
    seen = chunk.data();
    return OkStatus();
  }));
  EXPECT_EQ(seen, buffer);
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(id, Bytes(4096, 0x5a));
}

TYPED_TEST(StoreConformanceTest, ReadStopsAtSinkError) {
  const Bytes id = Id({"x"});
  ASSERT_OK(this->store().Write(id, Text("data")));
  for (int committed = 0; committed < 2; ++committed) {
    Status s = this->store().Read(id, [](ByteView) {
      return Status(StatusCode::kVerificationFailed, "sink says no");
    });
    EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
    EXPECT_EQ(s.message(), "sink says no");
    ASSERT_OK(this->store().Commit());
  }
}

TYPED_TEST(StoreConformanceTest, CopySnapshotsTheSource) {
  const Bytes src = Id({"src"});
  const Bytes dst = Id({"dst"});
  const Bytes missing = Id({"missing"});
  ASSERT_OK(this->store().Write(src, Text("committed source")));
  ASSERT_OK(this->store().Commit());

  ASSERT_OK(this->store().Copy(dst, src));
  this->ExpectContent(dst, Text("committed source"));
  ASSERT_OK(this->store().Write(src, Text("changed later")));
  this->ExpectContent(dst, Text("committed source"));
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(src, Text("changed later"));
  this->ExpectContent(dst, Text("committed source"));

  // A staged source copies too, and a copy onto itself changes nothing.
  ASSERT_OK(this->store().Write(src, Text("staged")));
  ASSERT_OK(this->store().Copy(dst, src));
  ASSERT_OK(this->store().Copy(dst, dst));
  this->ExpectContent(dst, Text("staged"));

  EXPECT_EQ(this->store().Copy(dst, missing).code(), StatusCode::kNotFound);
  this->ExpectContent(dst, Text("staged"));
  this->ExpectAbsent(missing);
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(dst, Text("staged"));
}

TYPED_TEST(StoreConformanceTest, CopyOfARemovedComponentIsNotFound) {
  const Bytes a = Id({"a"});
  ASSERT_OK(this->store().Write(a, Text("A")));
  ASSERT_OK(this->store().Commit());
  ASSERT_OK(this->store().Remove(a));
  EXPECT_EQ(this->store().Copy(Id({"b"}), a).code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store().Swap(Id({"b"}), a).code(), StatusCode::kNotFound);
}

TYPED_TEST(StoreConformanceTest, SwapExchangesContents) {
  const Bytes a = Id({"slot", "a"});
  const Bytes b = Id({"slot", "b"});
  const Bytes missing = Id({"slot", "c"});
  ASSERT_OK(this->store().Write(a, Text("committed A")));
  ASSERT_OK(this->store().Commit());
  ASSERT_OK(this->store().Write(b, Text("staged B")));

  ASSERT_OK(this->store().Swap(a, b));
  this->ExpectContent(a, Text("staged B"));
  this->ExpectContent(b, Text("committed A"));
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(a, Text("staged B"));
  this->ExpectContent(b, Text("committed A"));

  // Both committed; swap back, then discard the swap.
  ASSERT_OK(this->store().Swap(b, a));
  this->ExpectContent(a, Text("committed A"));
  this->store().Discard();
  this->ExpectContent(a, Text("staged B"));

  EXPECT_EQ(this->store().Swap(a, missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store().Swap(missing, a).code(), StatusCode::kNotFound);
  this->ExpectContent(a, Text("staged B"));
  this->ExpectAbsent(missing);
}

TYPED_TEST(StoreConformanceTest, RemoveStagesARemoval) {
  const Bytes a = Id({"a"});
  const Bytes staged_only = Id({"s"});
  ASSERT_OK(this->store().Write(a, Text("A")));
  ASSERT_OK(this->store().Commit());

  ASSERT_OK(this->store().Remove(a));
  this->ExpectAbsent(a);
  this->store().Discard();
  this->ExpectContent(a, Text("A"));

  ASSERT_OK(this->store().Write(staged_only, Text("S")));
  ASSERT_OK(this->store().Remove(staged_only));
  this->ExpectAbsent(staged_only);
  ASSERT_OK(this->store().Remove(Id({"never existed"})));

  ASSERT_OK(this->store().Remove(a));
  ASSERT_OK(this->store().Remove(a));  // twice is fine
  ASSERT_OK(this->store().Commit());
  this->ExpectAbsent(a);
  this->ExpectAbsent(staged_only);

  // Re-creating a removed component works.
  ASSERT_OK(this->store().Write(a, Text("again")));
  ASSERT_OK(this->store().Commit());
  this->ExpectContent(a, Text("again"));
}

TYPED_TEST(StoreConformanceTest, ManifestRecords) {
  const Bytes m1 = Id({"TEEP-Device", "m1"});
  const Bytes m2 = Id({"TEEP-Device", "m2"});
  ASSERT_OK_AND_ASSIGN(auto none, this->store().FindManifest(m1));
  EXPECT_FALSE(none.has_value());

  const ManifestRecord r1 = Record(m1, 3, "envelope one", 1);
  const ManifestRecord r2 = Record(m2, UINT64_MAX, std::string(100000, 'e'), UINT32_MAX);
  ASSERT_OK(this->store().PutManifest(r2));
  ASSERT_OK(this->store().PutManifest(r1));
  ASSERT_OK_AND_ASSIGN(auto found, this->store().FindManifest(m1));
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(Same(*found, r1));

  ASSERT_OK(this->store().Commit());
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListManifests());
  ASSERT_EQ(list.size(), 2u);  // ordered by manifest id
  EXPECT_TRUE(Same(list[0], r1));
  EXPECT_TRUE(Same(list[1], r2));

  // Replace, then remove; both staged until Commit.
  const ManifestRecord r1b = Record(m1, 4, "envelope one, updated", 2);
  ASSERT_OK(this->store().PutManifest(r1b));
  ASSERT_OK(this->store().RemoveManifest(m2));
  ASSERT_OK_AND_ASSIGN(auto staged_list, this->store().ListManifests());
  ASSERT_EQ(staged_list.size(), 1u);
  EXPECT_TRUE(Same(staged_list[0], r1b));
  ASSERT_OK_AND_ASSIGN(auto gone, this->store().FindManifest(m2));
  EXPECT_FALSE(gone.has_value());

  this->store().Discard();
  ASSERT_OK_AND_ASSIGN(auto restored, this->store().ListManifests());
  ASSERT_EQ(restored.size(), 2u);
  EXPECT_TRUE(Same(restored[0], r1));

  ASSERT_OK(this->store().PutManifest(r1b));
  ASSERT_OK(this->store().RemoveManifest(m2));
  ASSERT_OK(this->store().RemoveManifest(Id({"absent"})));
  ASSERT_OK(this->store().Commit());
  ASSERT_OK_AND_ASSIGN(auto final_list, this->store().ListManifests());
  ASSERT_EQ(final_list.size(), 1u);
  EXPECT_TRUE(Same(final_list[0], r1b));

  // A record put and removed before any commit leaves nothing behind.
  const Bytes m3 = Id({"m3"});
  ASSERT_OK(this->store().PutManifest(Record(m3, 1, "x", 1)));
  ASSERT_OK(this->store().RemoveManifest(m3));
  ASSERT_OK(this->store().Commit());
  ASSERT_OK_AND_ASSIGN(auto m3_found, this->store().FindManifest(m3));
  EXPECT_FALSE(m3_found.has_value());
}

TYPED_TEST(StoreConformanceTest, HighestSequenceOnlyRisesAndSurvivesRemoval) {
  const Bytes m = Id({"TEEP-Device", "tc"});
  ASSERT_OK_AND_ASSIGN(auto unset, this->store().HighestSequence(m));
  EXPECT_FALSE(unset.has_value());

  ASSERT_OK(this->store().RaiseSequence(m, 5));
  ASSERT_OK(this->store().PutManifest(Record(m, 5, "env", 1)));
  ASSERT_OK(this->store().Commit());

  EXPECT_EQ(this->store().RaiseSequence(m, 4).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(this->store().RaiseSequence(m, 5));  // equal is not lowering
  ASSERT_OK(this->store().RaiseSequence(m, 9));
  ASSERT_OK_AND_ASSIGN(auto staged, this->store().HighestSequence(m));
  EXPECT_EQ(staged, std::optional<uint64_t>(9));
  this->store().Discard();
  ASSERT_OK_AND_ASSIGN(auto back, this->store().HighestSequence(m));
  EXPECT_EQ(back, std::optional<uint64_t>(5));

  ASSERT_OK(this->store().RaiseSequence(m, 7));
  ASSERT_OK(this->store().RemoveManifest(m));
  ASSERT_OK(this->store().Commit());
  ASSERT_OK_AND_ASSIGN(auto removed, this->store().FindManifest(m));
  EXPECT_FALSE(removed.has_value());
  ASSERT_OK_AND_ASSIGN(auto kept, this->store().HighestSequence(m));
  EXPECT_EQ(kept, std::optional<uint64_t>(7));
  // manifest-37 §8.4.2: re-installing an older manifest after deletion must
  // still be detectable as a rollback.
  EXPECT_EQ(this->store().RaiseSequence(m, 6).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(this->store().RaiseSequence(m, UINT64_MAX));
  ASSERT_OK(this->store().Commit());
  ASSERT_OK_AND_ASSIGN(auto max, this->store().HighestSequence(m));
  EXPECT_EQ(max, std::optional<uint64_t>(UINT64_MAX));
}

TYPED_TEST(StoreConformanceTest, HostileKeysAreOpaque) {
  const std::string nul_key("a\0b/../\0", 8);
  const std::vector<Bytes> keys = {
      Text("../../../../etc/passwd"),
      Text("/absolute"),
      Text("a/b"),
      Text(".."),
      Text("."),
      Text(nul_key),
      Text(std::string("\0", 1)),
      H("2e2e2f002f"),            // "../", NUL, "/"
      Bytes(),                    // the empty key
      Bytes(300, 0xff),           // longer than a file name may be
      Bytes(301, 0xff),
      Id({"..", "..", "escape"}),
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_OK(this->store().Write(keys[i], Text("value " + std::to_string(i))));
    ASSERT_OK(this->store().PutManifest(Record(keys[i], i, "env " + std::to_string(i), 1)));
    ASSERT_OK(this->store().RaiseSequence(keys[i], i + 10));
  }
  ASSERT_OK(this->store().Commit());
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(i);
    this->ExpectContent(keys[i], Text("value " + std::to_string(i)));
    ASSERT_OK_AND_ASSIGN(auto record, this->store().FindManifest(keys[i]));
    ASSERT_TRUE(record.has_value());
    EXPECT_TRUE(Same(*record, Record(keys[i], i, "env " + std::to_string(i), 1)));
    ASSERT_OK_AND_ASSIGN(auto seq, this->store().HighestSequence(keys[i]));
    EXPECT_EQ(seq, std::optional<uint64_t>(i + 10));
  }
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListManifests());
  EXPECT_EQ(list.size(), keys.size());
  // A key holding a NUL is not confused with its prefix.
  this->ExpectAbsent(Text("a"));
}

// ---- DirectoryStore only -----------------------------------------------------

class DirectoryStoreTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.path() + "/store"; }
  std::unique_ptr<DirectoryStore> OpenStore() {
    auto store = DirectoryStore::Open(dir());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::vector<std::string> Generations() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir())) {
      std::string name = e.path().filename().string();
      if (name.rfind("gen-", 0) == 0) out.push_back(name);
    }
    return out;
  }
  static unsigned Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  TempDir tmp_;
  const Bytes a_ = Id({"TEEP-Device", "a"});
  const Bytes b_ = Id({"TEEP-Device", "b"});
};

TEST_F(DirectoryStoreTest, ReopenSeesCommittedStateOnly) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Write(a_, Text("committed")));
    ASSERT_OK(store->PutManifest(Record(a_, 2, "env", 1)));
    ASSERT_OK(store->RaiseSequence(a_, 2));
    ASSERT_OK(store->Commit());
    ASSERT_OK(store->Write(b_, Text("staged only")));
    ASSERT_OK(store->Write(a_, Text("staged overwrite")));
    ASSERT_OK(store->PutManifest(Record(b_, 1, "env b", 1)));
  }  // destroyed without Commit: staged changes are lost
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(Bytes a, ReadAll(*store, a_));
  EXPECT_EQ(a, Text("committed"));
  ASSERT_OK_AND_ASSIGN(auto b_size, store->Size(b_));
  EXPECT_FALSE(b_size.has_value());
  ASSERT_OK_AND_ASSIGN(auto list, store->ListManifests());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(Same(list[0], Record(a_, 2, "env", 1)));
  ASSERT_OK_AND_ASSIGN(auto seq, store->HighestSequence(a_));
  EXPECT_EQ(seq, std::optional<uint64_t>(2));
  EXPECT_EQ(store->generation(), 1u);
}

TEST_F(DirectoryStoreTest, LayoutUsesHexNamesAndOneGeneration) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Write(a_, Text("1")));
  ASSERT_OK(store->Commit());
  ASSERT_OK(store->Write(b_, Text("2")));
  ASSERT_OK(store->Commit());
  EXPECT_EQ(Generations(), std::vector<std::string>{"gen-2"});
  EXPECT_EQ(fs::read_symlink(dir() + "/current").string(), "gen-2");
  EXPECT_TRUE(fs::is_regular_file(dir() + "/gen-2/components/" + HexEncode(a_)));
  EXPECT_TRUE(fs::is_regular_file(dir() + "/gen-2/components/" + HexEncode(b_)));
}

TEST_F(DirectoryStoreTest, UnchangedFilesAreLinkedNotCopied) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Write(a_, Bytes(100000, 1)));
  ASSERT_OK(store->Commit());
  struct stat before {};
  ASSERT_EQ(::stat((dir() + "/gen-1/components/" + HexEncode(a_)).c_str(), &before), 0);
  ASSERT_OK(store->Write(b_, Text("other")));
  ASSERT_OK(store->Copy(Id({"copy"}), a_));
  ASSERT_OK(store->Commit());
  struct stat after {}, copy {};
  ASSERT_EQ(::stat((dir() + "/gen-2/components/" + HexEncode(a_)).c_str(), &after), 0);
  ASSERT_EQ(::stat((dir() + "/gen-2/components/" + HexEncode(Id({"copy"}))).c_str(), &copy), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_ino, copy.st_ino);
}

TEST_F(DirectoryStoreTest, PermissionsArePrivate) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Write(a_, Text("secret")));
  ASSERT_OK(store->PutManifest(Record(a_, 1, "env", 1)));
  ASSERT_OK(store->RaiseSequence(a_, 1));
  ASSERT_OK(store->Commit());
  EXPECT_EQ(Mode(dir()), 0700u);
  EXPECT_EQ(Mode(dir() + "/lock"), 0600u);
  EXPECT_EQ(Mode(dir() + "/gen-1"), 0700u);
  for (const char* kind : {"components", "manifests", "sequence"}) {
    SCOPED_TRACE(kind);
    std::string sub = dir() + "/gen-1/" + kind;
    EXPECT_EQ(Mode(sub), 0700u);
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(sub)) {
      EXPECT_EQ(Mode(e.path().string()), 0600u) << e.path();
      ++files;
    }
    EXPECT_EQ(files, 1u);
  }
}

TEST_F(DirectoryStoreTest, RefusesUnsafeDirectories) {
  std::string file = tmp_.path() + "/a_file";
  { std::ofstream(file) << "x"; }
  EXPECT_EQ(DirectoryStore::Open(file).status().code(), StatusCode::kInvalidArgument);

  std::string open_dir = tmp_.path() + "/open";
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0750), 0);
  auto refused = DirectoryStore::Open(open_dir);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("0750"), std::string::npos)
      << refused.status().message();

  EXPECT_EQ(DirectoryStore::Open(tmp_.path() + "/missing/parent").status().code(),
            StatusCode::kIoError);
}

TEST_F(DirectoryStoreTest, SecondInstanceIsRefusedWhileOpen) {
  auto first = OpenStore();
  ASSERT_NE(first, nullptr);
  auto second = DirectoryStore::Open(dir());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  first.reset();
  EXPECT_NE(OpenStore(), nullptr);
}

TEST_F(DirectoryStoreTest, LargeComponentIsStreamedInChunks) {
  Bytes big(3 * 1024 * 1024 + 17);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 31 + (i >> 16));
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Write(a_, big));
    ASSERT_OK(store->Commit());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(auto size, store->Size(a_));
  EXPECT_EQ(size, std::optional<uint64_t>(big.size()));
  size_t chunks = 0, largest = 0;
  Bytes got;
  ASSERT_OK(store->Read(a_, [&](ByteView chunk) {
    ++chunks;
    largest = std::max(largest, chunk.size());
    got.insert(got.end(), chunk.begin(), chunk.end());
    return OkStatus();
  }));
  EXPECT_EQ(got, big);
  EXPECT_GE(chunks, big.size() / DirectoryStore::kReadChunk);
  EXPECT_LE(largest, DirectoryStore::kReadChunk);
  // A copy of a committed component reads from the same file, also chunked.
  ASSERT_OK(store->Copy(b_, a_));
  size_t copy_chunks = 0;
  ASSERT_OK_AND_ASSIGN(Bytes copied, ReadAll(*store, b_, &copy_chunks));
  EXPECT_EQ(copied, big);
  EXPECT_GT(copy_chunks, 1u);
}

TEST_F(DirectoryStoreTest, LeftoversOfACrashAreRemovedOnOpen) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Write(a_, Text("kept")));
    ASSERT_OK(store->Commit());
  }
  // A half-built generation and a symlink that was never renamed.
  fs::create_directories(dir() + "/gen-2/components");
  { std::ofstream(dir() + "/gen-2/components/" + HexEncode(a_)) << "torn"; }
  fs::create_directories(dir() + "/gen-7");
  ASSERT_EQ(::symlink("gen-2", (dir() + "/current.tmp").c_str()), 0);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Generations(), std::vector<std::string>{"gen-1"});
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir() + "/current.tmp")));
  ASSERT_OK_AND_ASSIGN(Bytes a, ReadAll(*store, a_));
  EXPECT_EQ(a, Text("kept"));
  // The next commit reuses the number of the removed generation.
  ASSERT_OK(store->Write(b_, Text("new")));
  ASSERT_OK(store->Commit());
  EXPECT_EQ(Generations(), std::vector<std::string>{"gen-2"});
}

TEST_F(DirectoryStoreTest, GenerationsWithoutCurrentAreAnInterruptedFirstCommit) {
  fs::create_directories(dir() + "/gen-1/components");
  ASSERT_EQ(::chmod(dir().c_str(), 0700), 0);
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(Generations().empty());
  EXPECT_EQ(store->generation(), 0u);
  ASSERT_OK_AND_ASSIGN(auto list, store->ListManifests());
  EXPECT_TRUE(list.empty());
}

TEST_F(DirectoryStoreTest, DamagedCurrentIsReported) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
  }
  ASSERT_EQ(::symlink("../../elsewhere", (dir() + "/current").c_str()), 0);
  auto bad = DirectoryStore::Open(dir());
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
  ASSERT_EQ(::unlink((dir() + "/current").c_str()), 0);
  ASSERT_EQ(::symlink("gen-3", (dir() + "/current").c_str()), 0);  // missing generation
  EXPECT_EQ(DirectoryStore::Open(dir()).status().code(), StatusCode::kIoError);
}

// A crash at each step of Commit: before `current` moves the old state is in
// force; after it moves the new one is, and the old generation is cleaned up.
struct CrashCase {
  DirectoryStore::CrashPoint point;
  bool new_state_visible;
  const char* name;
};

void PrintTo(const CrashCase& c, std::ostream* os) { *os << c.name; }

class DirectoryStoreCrashTest : public DirectoryStoreTest,
                                public ::testing::WithParamInterface<CrashCase> {};

TEST_P(DirectoryStoreCrashTest, OpenSeesExactlyOneGeneration) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Write(a_, Text("old A")));
    ASSERT_OK(store->PutManifest(Record(a_, 1, "old env", 1)));
    ASSERT_OK(store->RaiseSequence(a_, 1));
    ASSERT_OK(store->Commit());

    ASSERT_OK(store->Write(a_, Text("new A")));
    ASSERT_OK(store->Write(b_, Text("new B")));
    ASSERT_OK(store->PutManifest(Record(a_, 2, "new env", 1)));
    ASSERT_OK(store->RaiseSequence(a_, 2));
    store->CrashInNextCommitForTest(GetParam().point);
    EXPECT_EQ(store->Commit().code(), StatusCode::kIoError);
    // The crash left two generations on disk.
    EXPECT_EQ(Generations().size(), 2u);
  }  // the process "dies": the lock is released, nothing else happens

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const bool now = GetParam().new_state_visible;
  EXPECT_EQ(Generations(), std::vector<std::string>{now ? "gen-2" : "gen-1"});
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir() + "/current.tmp")));
  ASSERT_OK_AND_ASSIGN(Bytes a, ReadAll(*store, a_));
  EXPECT_EQ(a, Text(now ? "new A" : "old A"));
  ASSERT_OK_AND_ASSIGN(auto b_size, store->Size(b_));
  EXPECT_EQ(b_size.has_value(), now);
  ASSERT_OK_AND_ASSIGN(auto record, store->FindManifest(a_));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->sequence_number, now ? 2u : 1u);
  ASSERT_OK_AND_ASSIGN(auto seq, store->HighestSequence(a_));
  EXPECT_EQ(seq, std::optional<uint64_t>(now ? 2 : 1));

  // And the store keeps working after recovery.
  ASSERT_OK(store->Write(b_, Text("after recovery")));
  ASSERT_OK(store->Commit());
  ASSERT_OK_AND_ASSIGN(Bytes b, ReadAll(*store, b_));
  EXPECT_EQ(b, Text("after recovery"));
  EXPECT_EQ(Generations().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    CrashPoints, DirectoryStoreCrashTest,
    ::testing::Values(CrashCase{DirectoryStore::CrashPoint::kBeforeSwitch, false, "BeforeSwitch"},
                      CrashCase{DirectoryStore::CrashPoint::kBeforeRename, false, "BeforeRename"},
                      CrashCase{DirectoryStore::CrashPoint::kAfterSwitch, true, "AfterSwitch"}),
    [](const ::testing::TestParamInfo<CrashCase>& p) { return std::string(p.param.name); });

TEST_F(DirectoryStoreTest, NoFileIsCreatedOutsideTheStore) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Write(Text("../escaped"), Text("x")));
    ASSERT_OK(store->Write(Text("../../escaped"), Text("x")));
    ASSERT_OK(store->Commit());
  }
  std::vector<std::string> top;
  for (const auto& e : fs::directory_iterator(tmp_.path())) top.push_back(e.path().filename());
  EXPECT_EQ(top, std::vector<std::string>{"store"});
}

// ---- MemoryStore only --------------------------------------------------------

TEST(MemoryStoreTest, FailNextCommitLeavesCommittedStateUnchanged) {
  MemoryStore store;
  const Bytes a = Id({"a"});
  const Bytes b = Id({"b"});
  ASSERT_OK(store.Write(a, Text("A1")));
  ASSERT_OK(store.Commit());
  EXPECT_EQ(store.CommitCount(), 1u);

  ASSERT_OK(store.Write(a, Text("A2")));
  ASSERT_OK(store.Write(b, Text("B")));
  ASSERT_OK(store.PutManifest(Record(a, 2, "env", 1)));
  ASSERT_OK(store.RaiseSequence(a, 2));
  store.FailNextCommit();
  EXPECT_EQ(store.Commit().code(), StatusCode::kIoError);
  EXPECT_EQ(store.CommitCount(), 1u);
  EXPECT_EQ(store.CommittedComponent(a), std::optional<Bytes>(Text("A1")));
  EXPECT_FALSE(store.CommittedComponent(b).has_value());
  EXPECT_FALSE(store.CommittedManifest(a).has_value());
  EXPECT_FALSE(store.CommittedSequence(a).has_value());
  EXPECT_EQ(store.CommittedComponentCount(), 1u);
  // The staged changes are still there for the caller to retry or discard.
  EXPECT_TRUE(store.HasStagedChanges());
  ASSERT_OK(store.Commit());  // the fault was for one commit only
  EXPECT_EQ(store.CommitCount(), 2u);
  EXPECT_EQ(store.CommittedComponent(a), std::optional<Bytes>(Text("A2")));
  EXPECT_EQ(store.CommittedSequence(a), std::optional<uint64_t>(2));
  EXPECT_FALSE(store.HasStagedChanges());
}

TEST(MemoryStoreTest, CommittedAccessorsIgnoreStagedChanges) {
  MemoryStore store;
  const Bytes a = Id({"a"});
  ASSERT_OK(store.Write(a, Text("staged")));
  EXPECT_FALSE(store.CommittedComponent(a).has_value());
  EXPECT_EQ(store.CommittedComponentCount(), 0u);
  ASSERT_OK(store.Commit());
  ASSERT_OK(store.Remove(a));
  EXPECT_EQ(store.CommittedComponent(a), std::optional<Bytes>(Text("staged")));
  store.Discard();
  EXPECT_FALSE(store.HasStagedChanges());
}

}  // namespace
}  // namespace teep
