// A conformance suite for any tam::TamStore (core/tam/store.h), instantiated
// for SqliteStore on a temporary file and on ":memory:", and for PgStore on
// a fresh database of the throwaway PostgreSQL server (the ctest `postgres`
// fixture). It pins the contracts of store.h and the choices sqlite_store.h
// lists where store.h leaves room. After it come the tests of what only one
// backend promises: for SQLite the file's mode, migrations, strict reads of
// tampered rows, waiting for other writers, crash safety; for PostgreSQL
// (pg_store_test.cc) migrations, strict reads, the pool.
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "core/tam/store.h"
#include "host/store/schema.h"
#include "host/store/pg_store.h"
#include "host/store/pg_test_database.h"
#include "host/store/sqlite_store.h"
#include "test_util.h"

namespace teep::host {
namespace {

namespace fs = std::filesystem;

using tam::AuditRecord;
using tam::DeviceRecord;
using tam::InstalledRecord;
using tam::PolicyRecord;
using tam::TamStore;
using tam::TcRecord;
using tam::TokenRecord;
using test::H;

// A fresh private temporary directory, removed with everything in it.
using teep::test::TempDir;

Bytes Text(std::string_view s) { return ToBytes(AsBytes(s)); }

DeviceRecord Device(const Bytes& id, std::string_view name) {
  DeviceRecord d;
  d.device_id = id;
  d.teep_key_pem = "-----BEGIN PUBLIC KEY-----\nteep " + std::string(name) + "\n";
  d.attestation_key_pem = "";
  d.name = std::string(name);
  d.ueid = H("0102030405060708090a0b0c0d0e0f1011");
  d.hwmodel = "c0ffee";
  d.attestation = "none";
  d.last_contact = 1700000000;
  return d;
}

TcRecord Tc(const Bytes& manifest_id, uint64_t seq, const Bytes& component_id,
            std::string_view envelope = "envelope") {
  TcRecord tc;
  tc.manifest_id = manifest_id;
  tc.sequence_number = seq;
  tc.component_id = component_id;
  tc.envelope = Text(envelope);
  tc.signer = "signer-1";
  tc.uploaded = 1700000000 + static_cast<int64_t>(seq % 1000000);
  return tc;
}

TokenRecord QueryToken(const Bytes& token, int64_t expires) {
  TokenRecord t;
  t.token = token;
  t.kind = TokenRecord::Kind::kQueryRequest;
  t.challenge = H("a1a2a3a4a5a6a7a8");
  t.data_items = 3;
  t.expires = expires;
  return t;
}

void ExpectSameDevice(const DeviceRecord& a, const DeviceRecord& b) {
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_EQ(a.teep_key_pem, b.teep_key_pem);
  EXPECT_EQ(a.attestation_key_pem, b.attestation_key_pem);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.ueid, b.ueid);
  EXPECT_EQ(a.hwmodel, b.hwmodel);
  EXPECT_EQ(a.attestation, b.attestation);
  EXPECT_EQ(a.last_contact, b.last_contact);
}

void ExpectSameTc(const TcRecord& a, const TcRecord& b) {
  EXPECT_EQ(a.manifest_id, b.manifest_id);
  EXPECT_EQ(a.sequence_number, b.sequence_number);
  EXPECT_EQ(a.component_id, b.component_id);
  EXPECT_EQ(a.envelope, b.envelope);
  EXPECT_EQ(a.signer, b.signer);
  EXPECT_EQ(a.uploaded, b.uploaded);
}

void ExpectSameToken(const TokenRecord& a, const TokenRecord& b) {
  EXPECT_EQ(a.token, b.token);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_EQ(a.challenge, b.challenge);
  EXPECT_EQ(a.data_items, b.data_items);
  ASSERT_EQ(a.installs.size(), b.installs.size());
  for (size_t i = 0; i < a.installs.size(); ++i) {
    EXPECT_EQ(a.installs[i].manifest_id, b.installs[i].manifest_id);
    EXPECT_EQ(a.installs[i].sequence_number, b.installs[i].sequence_number);
  }
  EXPECT_EQ(a.removals, b.removals);
  EXPECT_EQ(a.expires, b.expires);
}

// ---- store factories ----------------------------------------------------------
//
// A factory has:
//   static constexpr bool kShared: every Open() reaches the same database
//     (so data survives a reopen and two stores can race on it);
//   Result<std::unique_ptr<TamStore>> Open(): a new store object (connection).

class SqliteFileFactory {
 public:
  static constexpr bool kShared = true;
  Result<std::unique_ptr<TamStore>> Open() {
    TEEP_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(tmp_.path() + "/tam.db"));
    return std::unique_ptr<TamStore>(std::move(store));
  }

 private:
  TempDir tmp_;
};

class SqliteMemoryFactory {
 public:
  static constexpr bool kShared = false;  // each ":memory:" connection is a new database
  Result<std::unique_ptr<TamStore>> Open() {
    TEEP_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(":memory:"));
    return std::unique_ptr<TamStore>(std::move(store));
  }
};

class PostgresFactory {
 public:
  static constexpr bool kShared = true;
  Result<std::unique_ptr<TamStore>> Open() {
    TEEP_ASSIGN_OR_RETURN(auto store, PgStore::Open(db_.url()));
    return std::unique_ptr<TamStore>(std::move(store));
  }

 private:
  teep::test::PgTestDatabase db_;
};

template <typename Factory>
class TamStoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  TamStore& store() { return *store_; }

  // Closes the store and opens it again (shared factories only).
  void Reopen() {
    store_.reset();
    auto opened = factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  void PutDevices(std::initializer_list<Bytes> ids) {
    for (const Bytes& id : ids) ASSERT_OK(store().PutDevice(Device(id, HexEncode(id))));
  }

  Factory factory_;
  std::unique_ptr<TamStore> store_;
};

using StoreTypes = ::testing::Types<SqliteFileFactory, SqliteMemoryFactory, PostgresFactory>;
class StoreNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, SqliteFileFactory>) return "SqliteFile";
    if constexpr (std::is_same_v<T, PostgresFactory>) return "Postgres";
    return "SqliteMemory";
  }
};
TYPED_TEST_SUITE(TamStoreConformanceTest, StoreTypes, StoreNames);

// ---- tokens ----

TYPED_TEST(TamStoreConformanceTest, TokenIsTakenOnce) {
  const TokenRecord t = QueryToken(H("0011223344556677"), 1000);
  ASSERT_OK(this->store().PutToken(t));
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountTokens());
  EXPECT_EQ(count, 1u);

  ASSERT_OK_AND_ASSIGN(auto first, this->store().TakeToken(t.token, 500));
  ASSERT_TRUE(first.has_value());
  ExpectSameToken(*first, t);
  // P §7.1: a token is accepted once.
  ASSERT_OK_AND_ASSIGN(auto second, this->store().TakeToken(t.token, 500));
  EXPECT_FALSE(second.has_value());
  ASSERT_OK_AND_ASSIGN(count, this->store().CountTokens());
  EXPECT_EQ(count, 0u);
}

TYPED_TEST(TamStoreConformanceTest, UnknownTokenIsNullopt) {
  ASSERT_OK(this->store().PutToken(QueryToken(H("01"), 1000)));
  ASSERT_OK_AND_ASSIGN(auto taken, this->store().TakeToken(H("02"), 0));
  EXPECT_FALSE(taken.has_value());
  ASSERT_OK_AND_ASSIGN(taken, this->store().TakeToken(Bytes{}, 0));
  EXPECT_FALSE(taken.has_value());
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountTokens());
  EXPECT_EQ(count, 1u);
}

TYPED_TEST(TamStoreConformanceTest, UpdateTokenCarriesItsLists) {
  TokenRecord t;
  t.token = H("ffeeddccbbaa99887766554433221100");
  t.kind = TokenRecord::Kind::kUpdate;
  t.device_id = H("5820");
  t.device_id.insert(t.device_id.end(), 32, 0xab);
  t.installs = {{H("8141"), 7},
                {Bytes{}, 0},
                // Inside the token's list, the full uint64 range is kept.
                {H("00ff"), std::numeric_limits<uint64_t>::max()}};
  t.removals = {H("8142"), H("00")};
  t.expires = -5;  // before 1970: still an ordinary number
  ASSERT_OK(this->store().PutToken(t));
  ASSERT_OK_AND_ASSIGN(auto taken, this->store().TakeToken(t.token, -5));
  ASSERT_TRUE(taken.has_value());
  ExpectSameToken(*taken, t);
}

TYPED_TEST(TamStoreConformanceTest, EmptyFieldsRoundTrip) {
  TokenRecord t;
  t.token = H("00");
  t.kind = TokenRecord::Kind::kQueryRequest;
  t.expires = 0;
  ASSERT_OK(this->store().PutToken(t));
  ASSERT_OK_AND_ASSIGN(auto taken, this->store().TakeToken(t.token, 0));
  ASSERT_TRUE(taken.has_value());
  ExpectSameToken(*taken, t);
  EXPECT_TRUE(taken->device_id.empty());
  EXPECT_TRUE(taken->challenge.empty());

  DeviceRecord d;
  d.device_id = H("00");  // everything else empty / zero
  ASSERT_OK(this->store().PutDevice(d));
  ASSERT_OK_AND_ASSIGN(auto found, this->store().FindDevice(d.device_id));
  ASSERT_TRUE(found.has_value());
  ExpectSameDevice(*found, d);
}

TYPED_TEST(TamStoreConformanceTest, ExpiredTokenIsNulloptAndGone) {
  const TokenRecord t = QueryToken(H("0a"), 100);
  ASSERT_OK(this->store().PutToken(t));
  // Taken at now > expires: nullopt, and the token is gone.
  ASSERT_OK_AND_ASSIGN(auto late, this->store().TakeToken(t.token, 101));
  EXPECT_FALSE(late.has_value());
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountTokens());
  EXPECT_EQ(count, 0u);
  ASSERT_OK_AND_ASSIGN(auto again, this->store().TakeToken(t.token, 50));
  EXPECT_FALSE(again.has_value());
}

TYPED_TEST(TamStoreConformanceTest, TokenIsValidUpToItsExpiry) {
  const TokenRecord t = QueryToken(H("0b"), 100);
  ASSERT_OK(this->store().PutToken(t));
  ASSERT_OK_AND_ASSIGN(auto taken, this->store().TakeToken(t.token, 100));
  EXPECT_TRUE(taken.has_value());
}

TYPED_TEST(TamStoreConformanceTest, ExpireTokensCountsWhatItDeletes) {
  ASSERT_OK(this->store().PutToken(QueryToken(H("01"), 100)));
  ASSERT_OK(this->store().PutToken(QueryToken(H("02"), 200)));
  ASSERT_OK(this->store().PutToken(QueryToken(H("03"), 300)));
  ASSERT_OK(this->store().PutToken(QueryToken(H("04"), 300)));
  ASSERT_OK_AND_ASSIGN(uint64_t n, this->store().ExpireTokens(50));
  EXPECT_EQ(n, 0u);
  // Expired at 200: expires < 200 (a token is still valid at its expiry).
  ASSERT_OK_AND_ASSIGN(n, this->store().ExpireTokens(200));
  EXPECT_EQ(n, 1u);
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountTokens());
  EXPECT_EQ(count, 3u);
  ASSERT_OK_AND_ASSIGN(n, this->store().ExpireTokens(301));
  EXPECT_EQ(n, 3u);
  ASSERT_OK_AND_ASSIGN(count, this->store().CountTokens());
  EXPECT_EQ(count, 0u);
  ASSERT_OK_AND_ASSIGN(n, this->store().ExpireTokens(1000));
  EXPECT_EQ(n, 0u);
}

TYPED_TEST(TamStoreConformanceTest, OutstandingTokenIsNotReplaced) {
  TokenRecord t = QueryToken(H("0c"), 100);
  ASSERT_OK(this->store().PutToken(t));
  TokenRecord other = t;
  other.challenge = H("ff");
  Status s = this->store().PutToken(other);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  ASSERT_OK_AND_ASSIGN(auto taken, this->store().TakeToken(t.token, 0));
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->challenge, t.challenge);
  // Once taken, the same token value may be issued again.
  ASSERT_OK(this->store().PutToken(other));
}

TYPED_TEST(TamStoreConformanceTest, ConcurrentTakersExactlyOneWins) {
  if constexpr (!TypeParam::kShared) {
    GTEST_SKIP() << "every store of this factory is its own database";
  } else {
    constexpr int kTokens = 200;
    auto token = [](int i) { return Bytes{0x70, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}; };
    for (int i = 0; i < kTokens; ++i) {
      ASSERT_OK(this->store().PutToken(QueryToken(token(i), 1000)));
    }
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<TamStore> second, this->factory_.Open());

    // wins[t][i]: taker t got token i. Errors are collected, not asserted,
    // off the main thread.
    std::vector<std::vector<int>> wins(2, std::vector<int>(kTokens, 0));
    std::vector<std::string> errors[2];
    std::atomic<int> ready{0};
    auto taker = [&](int t, TamStore* store) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      // Opposite orders, so that both win some and collide in the middle.
      for (int n = 0; n < kTokens; ++n) {
        const int i = t == 0 ? n : kTokens - 1 - n;
        auto taken = store->TakeToken(token(i), 500);
        if (!taken.ok()) {
          errors[t].push_back(taken.status().ToString());
        } else if (taken->has_value()) {
          wins[t][i] = 1;
          if ((*taken)->token != token(i)) errors[t].push_back("wrong token returned");
        }
        // A pause, as between two requests: SQLite's lock is not fair, and a
        // taker that never pauses starves the other until it is done.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    std::thread a(taker, 0, &this->store());
    std::thread b(taker, 1, second.get());
    a.join();
    b.join();
    for (int t = 0; t < 2; ++t) {
      EXPECT_TRUE(errors[t].empty()) << "taker " << t << ": " << errors[t].size()
                                     << " errors, first: " << errors[t].front();
    }
    int total[2] = {0, 0};
    for (int i = 0; i < kTokens; ++i) {
      EXPECT_EQ(wins[0][i] + wins[1][i], 1) << "token " << i;
      total[0] += wins[0][i];
      total[1] += wins[1][i];
    }
    ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountTokens());
    EXPECT_EQ(count, 0u);
    // Not a contract, but shows that both takers really competed.
    std::cout << "[          ] takers won " << total[0] << " and " << total[1] << " tokens\n";
  }
}

// ---- devices ----

TYPED_TEST(TamStoreConformanceTest, DeviceUpsertFindListCount) {
  const Bytes id1 = H("02aa");
  const Bytes id2 = H("01bb");
  ASSERT_OK_AND_ASSIGN(auto none, this->store().FindDevice(id1));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountDevices());
  EXPECT_EQ(count, 0u);

  DeviceRecord d1 = Device(id1, "first");
  ASSERT_OK(this->store().PutDevice(d1));
  ASSERT_OK(this->store().PutDevice(Device(id2, "second")));
  ASSERT_OK_AND_ASSIGN(auto found, this->store().FindDevice(id1));
  ASSERT_TRUE(found.has_value());
  ExpectSameDevice(*found, d1);

  // Insert or replace: every field is replaced.
  d1.teep_key_pem = "new key";
  d1.attestation_key_pem = "attestation key";
  d1.name = "renamed";
  d1.ueid = H("ff");
  d1.hwmodel = "";
  d1.attestation = "refused: bad nonce";
  d1.last_contact = 1800000000;
  ASSERT_OK(this->store().PutDevice(d1));
  ASSERT_OK_AND_ASSIGN(found, this->store().FindDevice(id1));
  ASSERT_TRUE(found.has_value());
  ExpectSameDevice(*found, d1);

  ASSERT_OK_AND_ASSIGN(count, this->store().CountDevices());
  EXPECT_EQ(count, 2u);
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListDevices());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].device_id, id2);  // ordered bytewise by id
  ExpectSameDevice(list[1], d1);
}

TYPED_TEST(TamStoreConformanceTest, PutDevicesInsertsAndReplaces) {
  ASSERT_OK(this->store().PutDevice(Device(H("01"), "old name")));
  std::vector<DeviceRecord> batch;
  for (int i = 1; i <= 300; ++i) batch.push_back(Device(Bytes{uint8_t(i >> 8), uint8_t(i)}, "bulk"));
  batch[0].device_id = H("01");  // replaces the registered one
  ASSERT_OK(this->store().PutDevices(batch));
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountDevices());
  EXPECT_EQ(count, 300u);  // 0002..012c plus 01
  ASSERT_OK_AND_ASSIGN(auto replaced, this->store().FindDevice(H("01")));
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced->name, "bulk");
  ASSERT_OK(this->store().PutDevices({}));
}

TYPED_TEST(TamStoreConformanceTest, AtomicallyCommitsAllOrNothing) {
  ASSERT_OK(this->store().PutToken(QueryToken(H("aa"), 1000)));
  // A failing step: its writes, and its take of a token, are undone.
  Status failed = this->store().Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(this->store().PutDevice(Device(H("02"), "in transaction")));
    TEEP_RETURN_IF_ERROR(this->store().Audit({1, H("02"), "event", "detail"}));
    TEEP_ASSIGN_OR_RETURN(auto taken, this->store().TakeToken(H("aa"), 500));
    EXPECT_TRUE(taken.has_value());
    // Inside the transaction its own writes are visible.
    TEEP_ASSIGN_OR_RETURN(auto seen, this->store().FindDevice(H("02")));
    EXPECT_TRUE(seen.has_value());
    return Status(StatusCode::kVerificationFailed, "the step fails");
  });
  EXPECT_EQ(failed.code(), StatusCode::kVerificationFailed);
  ASSERT_OK_AND_ASSIGN(auto device, this->store().FindDevice(H("02")));
  EXPECT_FALSE(device.has_value());
  ASSERT_OK_AND_ASSIGN(auto audit, this->store().RecentAudit(10));
  EXPECT_TRUE(audit.empty());
  ASSERT_OK_AND_ASSIGN(uint64_t tokens, this->store().CountTokens());
  EXPECT_EQ(tokens, 1u);

  // A succeeding step commits everything; a nested one is refused.
  ASSERT_OK(this->store().Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(this->store().PutDevice(Device(H("02"), "in transaction")));
    TEEP_ASSIGN_OR_RETURN(auto taken, this->store().TakeToken(H("aa"), 500));
    EXPECT_TRUE(taken.has_value());
    Status nested = this->store().Atomically([] { return OkStatus(); });
    EXPECT_EQ(nested.code(), StatusCode::kInternal);
    return OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(device, this->store().FindDevice(H("02")));
  EXPECT_TRUE(device.has_value());
  ASSERT_OK_AND_ASSIGN(tokens, this->store().CountTokens());
  EXPECT_EQ(tokens, 0u);
  // The store is usable after both.
  ASSERT_OK(this->store().Audit({2, {}, "after", ""}));
}

// A backend may defer a transaction's writes to its commit (PgStore sends
// them in one round trip): their failures must still fail the transaction,
// with the same codes as outside it, and nothing of it may be kept.
TYPED_TEST(TamStoreConformanceTest, AFailedWriteFailsItsTransaction) {
  ASSERT_OK(this->store().PutToken(QueryToken(H("aa"), 1000)));
  Status unregistered = this->store().Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(this->store().Audit({1, {}, "before", ""}));
    return this->store().SetInstalled(H("99"), {H("8142"), 1});
  });
  EXPECT_EQ(unregistered.code(), StatusCode::kNotFound) << unregistered.ToString();
  Status duplicate = this->store().Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(this->store().Audit({2, {}, "before", ""}));
    return this->store().PutToken(QueryToken(H("aa"), 2000));
  });
  EXPECT_EQ(duplicate.code(), StatusCode::kInvalidArgument) << duplicate.ToString();
  ASSERT_OK_AND_ASSIGN(auto audit, this->store().RecentAudit(10));
  EXPECT_TRUE(audit.empty());
  // Reads inside a transaction see its earlier (possibly deferred) writes.
  ASSERT_OK(this->store().Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(this->store().PutDevice(Device(H("05"), "five")));
    TEEP_RETURN_IF_ERROR(this->store().SetInstalled(H("05"), {H("8142"), 7}));
    TEEP_ASSIGN_OR_RETURN(auto held, this->store().ListInstalled(H("05")));
    EXPECT_EQ(held.size(), 1u);
    return OkStatus();
  }));
}

TYPED_TEST(TamStoreConformanceTest, DeviceTextIsStoredWithReplacementCharacters) {
  // The attestation state and audit details quote what a device sent.
  DeviceRecord d = Device(H("03"), "device");
  d.attestation = std::string("refused: \xff\0x", 12);
  ASSERT_OK(this->store().PutDevice(d));
  ASSERT_OK_AND_ASSIGN(auto found, this->store().FindDevice(H("03")));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->attestation, "refused: \xEF\xBF\xBD\xEF\xBF\xBDx");
  ASSERT_OK(this->store().Audit({1, H("03"), "error", "err-msg \xc3\x28 \xe2\x82\xac"}));
  ASSERT_OK_AND_ASSIGN(auto audit, this->store().RecentAudit(1));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].detail, "err-msg \xEF\xBF\xBD( \xe2\x82\xac");
}

TYPED_TEST(TamStoreConformanceTest, IdentifiersAreComparedBytewise) {
  // Prefixes, zero bytes and high bytes are distinct keys, ordered by memcmp
  // then length.
  const std::vector<Bytes> ids = {H("00"), H("0000"), H("01"), H("01ff"), H("7f"), H("80"),
                                  H("ff")};
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    ASSERT_OK(this->store().PutDevice(Device(*it, HexEncode(*it))));
  }
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListDevices());
  ASSERT_EQ(list.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(list[i].device_id, ids[i]) << i;
    EXPECT_EQ(list[i].name, HexEncode(ids[i]));
  }
  ASSERT_OK_AND_ASSIGN(auto found, this->store().FindDevice(H("0000")));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "0000");
  ASSERT_OK_AND_ASSIGN(found, this->store().FindDevice(H("000000")));
  EXPECT_FALSE(found.has_value());
}

// ---- installed ----

TYPED_TEST(TamStoreConformanceTest, InstalledUpsertRemoveList) {
  const Bytes dev = H("d1");
  const Bytes other = H("d2");
  this->PutDevices({dev, other});
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListInstalled(dev));
  EXPECT_TRUE(list.empty());

  ASSERT_OK(this->store().SetInstalled(dev, {H("8142"), 1}));
  ASSERT_OK(this->store().SetInstalled(dev, {H("8141"), 5}));
  ASSERT_OK(this->store().SetInstalled(other, {H("8141"), 9}));
  ASSERT_OK(this->store().SetInstalled(dev, {H("8142"), 2}));  // upsert
  ASSERT_OK_AND_ASSIGN(list, this->store().ListInstalled(dev));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].manifest_id, H("8141"));  // ordered by manifest id
  EXPECT_EQ(list[0].sequence_number, 5u);
  EXPECT_EQ(list[1].manifest_id, H("8142"));
  EXPECT_EQ(list[1].sequence_number, 2u);

  ASSERT_OK(this->store().RemoveInstalled(dev, H("8141")));
  ASSERT_OK(this->store().RemoveInstalled(dev, H("8141")));  // absent: a no-op
  ASSERT_OK(this->store().RemoveInstalled(H("d9"), H("8141")));
  ASSERT_OK_AND_ASSIGN(list, this->store().ListInstalled(dev));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].manifest_id, H("8142"));
  // The other device's entry is its own.
  ASSERT_OK_AND_ASSIGN(list, this->store().ListInstalled(other));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].sequence_number, 9u);
}

TYPED_TEST(TamStoreConformanceTest, InstalledNeedsARegisteredDevice) {
  Status s = this->store().SetInstalled(H("d9"), {H("8141"), 1});
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListInstalled(H("d9")));
  EXPECT_TRUE(list.empty());
}

TYPED_TEST(TamStoreConformanceTest, ReplacingADeviceKeepsWhatItHolds) {
  const Bytes dev = H("d1");
  this->PutDevices({dev});
  ASSERT_OK(this->store().SetInstalled(dev, {H("8141"), 3}));
  ASSERT_OK(this->store().PutDevice(Device(dev, "renamed")));
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListInstalled(dev));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].sequence_number, 3u);
}

// ---- TC repository ----

TYPED_TEST(TamStoreConformanceTest, PutTcRefusesADuplicateVersion) {
  const TcRecord tc = Tc(H("8141"), 1, H("8161"), "original");
  ASSERT_OK(this->store().PutTc(tc));
  Status s = this->store().PutTc(Tc(H("8141"), 1, H("8161"), "impostor"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  ASSERT_OK_AND_ASSIGN(auto latest, this->store().LatestTc(H("8141")));
  ASSERT_TRUE(latest.has_value());
  ExpectSameTc(*latest, tc);
  // Another sequence number, or the same one under another manifest id, is new.
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), 2, H("8161"))));
  ASSERT_OK(this->store().PutTc(Tc(H("8142"), 1, H("8161"))));
}

TYPED_TEST(TamStoreConformanceTest, LatestTcPicksTheHighestSequence) {
  const Bytes m = H("8141");
  ASSERT_OK_AND_ASSIGN(auto none, this->store().LatestTc(m));
  EXPECT_FALSE(none.has_value());
  // Uploaded out of order; 10 > 9 numerically (not as text), 256 > 255.
  for (uint64_t seq : {9u, 256u, 10u, 255u, 1u}) {
    ASSERT_OK(this->store().PutTc(Tc(m, seq, H("8161"), "v" + std::to_string(seq))));
  }
  ASSERT_OK(this->store().PutTc(Tc(H("8142"), 1000, H("8162"))));
  ASSERT_OK_AND_ASSIGN(auto latest, this->store().LatestTc(m));
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->sequence_number, 256u);
  EXPECT_EQ(latest->envelope, Text("v256"));
  ASSERT_OK_AND_ASSIGN(none, this->store().LatestTc(H("8143")));
  EXPECT_FALSE(none.has_value());
}

TYPED_TEST(TamStoreConformanceTest, LargeSequenceNumbersAndEnvelopes) {
  const uint64_t big = uint64_t{1} << 62;
  TcRecord tc = Tc(H("8141"), big, H("8161"));
  tc.envelope = Bytes(1 << 20, 0x5a);  // 1 MiB
  tc.envelope[0] = 0x00;
  ASSERT_OK(this->store().PutTc(tc));
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), big - 1, H("8161"))));
  ASSERT_OK_AND_ASSIGN(auto latest, this->store().LatestTc(H("8141")));
  ASSERT_TRUE(latest.has_value());
  ExpectSameTc(*latest, tc);
}

TYPED_TEST(TamStoreConformanceTest, UnsignedValuesBeyondInt64AreRefused) {
  const uint64_t too_big = (uint64_t{1} << 63);
  Status s = this->store().PutTc(Tc(H("8141"), too_big, H("8161")));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  this->PutDevices({H("d1")});
  s = this->store().SetInstalled(H("d1"), {H("8141"), too_big});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  TokenRecord t = QueryToken(H("01"), 10);
  t.data_items = too_big;
  s = this->store().PutToken(t);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  // Nothing was stored, and the store still works.
  ASSERT_OK_AND_ASSIGN(auto latest, this->store().LatestTc(H("8141")));
  EXPECT_FALSE(latest.has_value());
  ASSERT_OK_AND_ASSIGN(uint64_t count, this->store().CountTokens());
  EXPECT_EQ(count, 0u);
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), too_big - 1, H("8161"))));
}

TYPED_TEST(TamStoreConformanceTest, UnknownEnumValuesAreRefused) {
  TokenRecord t = QueryToken(H("01"), 10);
  t.kind = static_cast<TokenRecord::Kind>(2);
  EXPECT_EQ(this->store().PutToken(t).code(), StatusCode::kInvalidArgument);
  PolicyRecord p{"all", H("8141"), static_cast<PolicyRecord::Action>(7)};
  EXPECT_EQ(this->store().PutPolicy(p).code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto policies, this->store().ListPolicies());
  EXPECT_TRUE(policies.empty());
}

TYPED_TEST(TamStoreConformanceTest, FindTcByManifestOrComponentId) {
  // Manifest 8141 holds component 8161; manifest 8142 holds component 8162.
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), 1, H("8161"), "a1")));
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), 3, H("8161"), "a3")));
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), 2, H("8161"), "a2")));
  ASSERT_OK(this->store().PutTc(Tc(H("8142"), 7, H("8162"), "b7")));

  ASSERT_OK_AND_ASSIGN(auto by_manifest, this->store().FindTcByComponent(H("8141")));
  ASSERT_TRUE(by_manifest.has_value());
  EXPECT_EQ(by_manifest->envelope, Text("a3"));
  ASSERT_OK_AND_ASSIGN(auto by_component, this->store().FindTcByComponent(H("8161")));
  ASSERT_TRUE(by_component.has_value());
  EXPECT_EQ(by_component->manifest_id, H("8141"));
  EXPECT_EQ(by_component->envelope, Text("a3"));
  ASSERT_OK_AND_ASSIGN(by_component, this->store().FindTcByComponent(H("8162")));
  ASSERT_TRUE(by_component.has_value());
  EXPECT_EQ(by_component->envelope, Text("b7"));
  ASSERT_OK_AND_ASSIGN(auto none, this->store().FindTcByComponent(H("8163")));
  EXPECT_FALSE(none.has_value());
}

TYPED_TEST(TamStoreConformanceTest, FindTcByComponentPrefersTheManifestSlot) {
  // An id that is one manifest's id and another manifest's component id:
  // the manifest slot wins, even over a higher sequence number.
  ASSERT_OK(this->store().PutTc(Tc(H("8141"), 2, H("8161"), "slot")));
  ASSERT_OK(this->store().PutTc(Tc(H("8142"), 9, H("8141"), "other")));
  ASSERT_OK_AND_ASSIGN(auto found, this->store().FindTcByComponent(H("8141")));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->envelope, Text("slot"));
}

TYPED_TEST(TamStoreConformanceTest, ListLatestTcsOnePerManifestInIdOrder) {
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListLatestTcs());
  EXPECT_TRUE(list.empty());
  ASSERT_OK(this->store().PutTc(Tc(H("02"), 1, H("c2"), "02v1")));
  ASSERT_OK(this->store().PutTc(Tc(H("01ff"), 4, H("c1ff"), "01ffv4")));
  ASSERT_OK(this->store().PutTc(Tc(H("01"), 7, H("c1"), "01v7")));
  ASSERT_OK(this->store().PutTc(Tc(H("02"), 3, H("c2"), "02v3")));
  ASSERT_OK(this->store().PutTc(Tc(H("01"), 2, H("c1"), "01v2")));
  ASSERT_OK(this->store().PutTc(Tc(H("02"), 2, H("c2"), "02v2")));
  ASSERT_OK_AND_ASSIGN(list, this->store().ListLatestTcs());
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].manifest_id, H("01"));
  EXPECT_EQ(list[0].envelope, Text("01v7"));
  EXPECT_EQ(list[1].manifest_id, H("01ff"));
  EXPECT_EQ(list[1].envelope, Text("01ffv4"));
  EXPECT_EQ(list[2].manifest_id, H("02"));
  EXPECT_EQ(list[2].envelope, Text("02v3"));
  ExpectSameTc(list[2], Tc(H("02"), 3, H("c2"), "02v3"));
}

// ---- policy ----

TYPED_TEST(TamStoreConformanceTest, PolicyReplaceAndRemove) {
  using Action = PolicyRecord::Action;
  const std::string dev = "device:" + HexEncode(H("d1"));
  ASSERT_OK(this->store().PutPolicy({"all", H("8142"), Action::kInstall}));
  ASSERT_OK(this->store().PutPolicy({"all", H("8141"), Action::kInstall}));
  ASSERT_OK(this->store().PutPolicy({dev, H("8141"), Action::kRemove}));
  ASSERT_OK(this->store().PutPolicy({"class:c0ffee", H("8141"), Action::kInstall}));
  // Replaces (target, manifest id).
  ASSERT_OK(this->store().PutPolicy({"all", H("8141"), Action::kRemove}));
  ASSERT_OK_AND_ASSIGN(auto list, this->store().ListPolicies());
  ASSERT_EQ(list.size(), 4u);
  // Ordered by target, then manifest id.
  EXPECT_EQ(list[0].target, "all");
  EXPECT_EQ(list[0].manifest_id, H("8141"));
  EXPECT_EQ(list[0].action, Action::kRemove);
  EXPECT_EQ(list[1].target, "all");
  EXPECT_EQ(list[1].manifest_id, H("8142"));
  EXPECT_EQ(list[1].action, Action::kInstall);
  EXPECT_EQ(list[2].target, "class:c0ffee");
  EXPECT_EQ(list[3].target, dev);
  EXPECT_EQ(list[3].action, Action::kRemove);

  ASSERT_OK(this->store().RemovePolicy("all", H("8141")));
  ASSERT_OK(this->store().RemovePolicy("all", H("8141")));  // absent: a no-op
  ASSERT_OK(this->store().RemovePolicy(dev, H("8142")));
  ASSERT_OK_AND_ASSIGN(list, this->store().ListPolicies());
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].manifest_id, H("8142"));
}

// ---- audit ----

TYPED_TEST(TamStoreConformanceTest, AuditIsNewestFirstWithALimit) {
  ASSERT_OK_AND_ASSIGN(auto none, this->store().RecentAudit(10));
  EXPECT_TRUE(none.empty());
  // Times deliberately not in append order: "newest" is the latest append.
  const int64_t times[] = {50, 10, 40, 30, 20};
  for (int i = 0; i < 5; ++i) {
    AuditRecord r;
    r.time = times[i];
    r.device_id = i % 2 ? H("d1") : Bytes{};
    r.event = "event-" + std::to_string(i);
    r.detail = i == 3 ? std::string("multi\nline \0 detail", 19) : "";
    ASSERT_OK(this->store().Audit(r));
  }
  ASSERT_OK_AND_ASSIGN(auto recent, this->store().RecentAudit(3));
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].event, "event-4");
  EXPECT_EQ(recent[0].time, 20);
  EXPECT_TRUE(recent[0].device_id.empty());
  EXPECT_EQ(recent[1].event, "event-3");
  EXPECT_EQ(recent[1].device_id, H("d1"));
  // What a device sent is quoted in details: NUL (and invalid UTF-8, see
  // DeviceTextIsStoredWithReplacementCharacters) cannot make the store fail.
  EXPECT_EQ(recent[1].detail, "multi\nline \xEF\xBF\xBD detail");
  EXPECT_EQ(recent[2].event, "event-2");
  ASSERT_OK_AND_ASSIGN(auto all, this->store().RecentAudit(100));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[4].event, "event-0");
  EXPECT_EQ(all[4].time, 50);
  ASSERT_OK_AND_ASSIGN(none, this->store().RecentAudit(0));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(all, this->store().RecentAudit(std::numeric_limits<size_t>::max()));
  EXPECT_EQ(all.size(), 5u);
}

// ---- durability ----

TYPED_TEST(TamStoreConformanceTest, EverythingPersistsAcrossReopen) {
  if constexpr (!TypeParam::kShared) {
    GTEST_SKIP() << "every store of this factory is its own database";
  } else {
    const DeviceRecord d = Device(H("d1"), "kept");
    ASSERT_OK(this->store().PutDevice(d));
    ASSERT_OK(this->store().SetInstalled(d.device_id, {H("8141"), 4}));
    const TcRecord tc = Tc(H("8141"), 4, H("8161"));
    ASSERT_OK(this->store().PutTc(tc));
    ASSERT_OK(this->store().PutPolicy({"all", H("8141"), PolicyRecord::Action::kInstall}));
    TokenRecord t = QueryToken(H("0123"), 1000);
    t.kind = TokenRecord::Kind::kUpdate;
    t.installs = {{H("8141"), 4}};
    t.removals = {H("8142")};
    ASSERT_OK(this->store().PutToken(t));
    ASSERT_OK(this->store().Audit({5, d.device_id, "connect", "hello"}));

    this->Reopen();

    ASSERT_OK_AND_ASSIGN(auto found, this->store().FindDevice(d.device_id));
    ASSERT_TRUE(found.has_value());
    ExpectSameDevice(*found, d);
    ASSERT_OK_AND_ASSIGN(auto installed, this->store().ListInstalled(d.device_id));
    ASSERT_EQ(installed.size(), 1u);
    EXPECT_EQ(installed[0].sequence_number, 4u);
    ASSERT_OK_AND_ASSIGN(auto latest, this->store().LatestTc(H("8141")));
    ASSERT_TRUE(latest.has_value());
    ExpectSameTc(*latest, tc);
    ASSERT_OK_AND_ASSIGN(auto policies, this->store().ListPolicies());
    ASSERT_EQ(policies.size(), 1u);
    ASSERT_OK_AND_ASSIGN(auto taken, this->store().TakeToken(t.token, 999));
    ASSERT_TRUE(taken.has_value());
    ExpectSameToken(*taken, t);
    ASSERT_OK_AND_ASSIGN(auto audit, this->store().RecentAudit(5));
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].detail, "hello");

    // And the token taken before the reopen stays taken after another.
    this->Reopen();
    ASSERT_OK_AND_ASSIGN(taken, this->store().TakeToken(t.token, 999));
    EXPECT_FALSE(taken.has_value());
  }
}

// ==== SQLite only ===============================================================

// A raw connection to poke at the file as an operator (or an attacker) could.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(stmt, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return tmp_.path() + "/tam.db"; }
  std::unique_ptr<SqliteStore> OpenOrDie() {
    auto opened = SqliteStore::Open(DbPath());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  TempDir tmp_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(SqliteStoreTest, CreatesAPrivateFileInWalMode) {
  const mode_t old_umask = ::umask(022);
  auto store = OpenOrDie();
  ::umask(old_umask);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->PutDevice(Device(H("d1"), "x")));
  EXPECT_EQ(ModeOf(DbPath()), 0600u);
  // The log and shared-memory files take the database file's mode.
  ASSERT_TRUE(fs::exists(DbPath() + "-wal"));
  EXPECT_EQ(ModeOf(DbPath() + "-wal"), 0600u);
  if (fs::exists(DbPath() + "-shm")) {
    EXPECT_EQ(ModeOf(DbPath() + "-shm"), 0600u);
  }
  RawDb raw(DbPath());
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(TamSchemaVersion()));
}

TEST_F(SqliteStoreTest, AcceptsAnEmptyExistingFile) {
  { std::ofstream create(DbPath()); }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(uint64_t n, store->CountDevices());
  EXPECT_EQ(n, 0u);
}

TEST_F(SqliteStoreTest, RefusesASchemaNewerThanItKnows) {
  { ASSERT_NE(OpenOrDie(), nullptr); }
  const int64_t newer = TamSchemaVersion() + 41;
  { RawDb(DbPath()).Exec("PRAGMA user_version = " + std::to_string(newer)); }
  auto opened = SqliteStore::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnsupported);
  const std::string& message = opened.status().message();
  EXPECT_NE(message.find(DbPath()), std::string::npos) << message;
  EXPECT_NE(message.find("schema version " + std::to_string(newer)), std::string::npos)
      << message;
  EXPECT_NE(message.find("(" + std::to_string(TamSchemaVersion()) + ")"), std::string::npos)
      << message;
}

TEST_F(SqliteStoreTest, ConcurrentFirstOpensMigrateOnce) {
  constexpr int kOpeners = 4;
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kOpeners) std::this_thread::yield();
      auto opened = SqliteStore::Open(DbPath());
      if (!opened.ok()) {
        errors[i] = opened.status().ToString();
        return;
      }
      Status s = (*opened)->PutDevice(Device(Bytes{static_cast<uint8_t>(i)}, "opener"));
      if (!s.ok()) errors[i] = s.ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kOpeners; ++i) EXPECT_EQ(errors[i], "") << "opener " << i;
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(uint64_t n, store->CountDevices());
  EXPECT_EQ(n, static_cast<uint64_t>(kOpeners));
}

TEST_F(SqliteStoreTest, WaitsForAnotherWriter) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  std::atomic<bool> locked{false};
  std::thread holder([&] {
    RawDb raw(DbPath());
    raw.Exec("BEGIN IMMEDIATE");
    locked = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    raw.Exec("COMMIT");
  });
  while (!locked) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  Status s = store->PutDevice(Device(H("d1"), "waited"));
  const auto waited = std::chrono::steady_clock::now() - start;
  holder.join();
  ASSERT_OK(s);
  // It did wait for the lock (not a timing assertion on speed, only that
  // the call blocked rather than failing with "database is locked").
  EXPECT_GE(waited, std::chrono::milliseconds(100));
}

TEST_F(SqliteStoreTest, WrongTypedColumnsAreMalformed) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->PutDevice(Device(H("d1"), "x")));
  ASSERT_OK(store->PutTc(Tc(H("8141"), 1, H("8161"))));
  ASSERT_OK(store->PutPolicy({"all", H("8141"), PolicyRecord::Action::kInstall}));
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE devices SET name = X'01'");  // a blob in a TEXT column
    raw.Exec("UPDATE tcs SET envelope = 'text'");  // text in a BLOB column
    raw.Exec("UPDATE policies SET target = 'all', manifest_id = 12");
  }
  auto device = store->FindDevice(H("d1"));
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.status().code(), StatusCode::kMalformed);
  EXPECT_NE(device.status().message().find("column name: expected text, got blob"),
            std::string::npos)
      << device.status().message();
  EXPECT_EQ(store->ListDevices().status().code(), StatusCode::kMalformed);
  auto tc = store->LatestTc(H("8141"));
  ASSERT_FALSE(tc.ok());
  EXPECT_EQ(tc.status().code(), StatusCode::kMalformed);
  EXPECT_NE(tc.status().message().find("envelope"), std::string::npos) << tc.status().message();
  EXPECT_EQ(store->ListLatestTcs().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(store->ListPolicies().status().code(), StatusCode::kMalformed);
  // The store keeps working for well-formed rows.
  ASSERT_OK(store->PutDevice(Device(H("d2"), "y")));
  ASSERT_OK_AND_ASSIGN(auto d2, store->FindDevice(H("d2")));
  EXPECT_TRUE(d2.has_value());
}

TEST_F(SqliteStoreTest, UndecodableTokenListsAreMalformed) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->PutToken(QueryToken(H("01"), 100)));
  ASSERT_OK(store->PutToken(QueryToken(H("02"), 100)));
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE tokens SET installs = X'818261610a' WHERE token = X'01'");
    raw.Exec("UPDATE tokens SET removals = X'80ff' WHERE token = X'02'");
  }
  auto taken = store->TakeToken(H("01"), 0);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kMalformed);
  EXPECT_NE(taken.status().message().find("tokens.installs[0][0]"), std::string::npos)
      << taken.status().message();
  taken = store->TakeToken(H("02"), 0);
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.status().message().find("tokens.removals"), std::string::npos)
      << taken.status().message();
}

TEST_F(SqliteStoreTest, SqliteFailuresAreIoErrorsNamingThePath) {
  // Not a database.
  {
    std::ofstream junk(DbPath(), std::ios::binary);
    junk << std::string(4096, 'x');
  }
  auto opened = SqliteStore::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIoError);
  EXPECT_EQ(opened.status().message().rfind("sqlite " + DbPath() + ": ", 0), 0u)
      << opened.status().message();
  EXPECT_NE(opened.status().message().find("not a database"), std::string::npos)
      << opened.status().message();
  // A directory.
  opened = SqliteStore::Open(tmp_.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIoError);
  // A missing parent directory.
  opened = SqliteStore::Open(tmp_.path() + "/missing/tam.db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIoError);
  EXPECT_EQ(SqliteStore::Open("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, KillNineLosesNoCommittedWrite) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: no gtest assertions here; report progress through the pipe.
    ::close(fds[0]);
    auto opened = SqliteStore::Open(DbPath());
    if (!opened.ok()) ::_exit(2);
    SqliteStore& store = **opened;
    std::atomic<uint32_t> committed{0};
    // Kills the process from another thread once 100 writes have committed,
    // so that the kill lands wherever the writing loop happens to be.
    std::thread killer([&] {
      while (committed.load() < 100) std::this_thread::yield();
      ::kill(::getpid(), SIGKILL);
    });
    for (uint32_t i = 0; i < 100000; ++i) {
      const Bytes id = {static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
                        static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
      if (!store.PutDevice(Device(id, "child")).ok()) ::_exit(3);
      // Reported only after PutDevice returned OK, i.e. committed.
      if (::write(fds[1], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) ::_exit(4);
      committed.store(i + 1);
    }
    killer.join();
    ::_exit(5);  // never reached: the killer fires first
  }
  ::close(fds[1]);
  std::vector<uint32_t> reported;
  uint32_t value = 0;
  while (true) {
    const ssize_t n = ::read(fds[0], &value, sizeof value);
    if (n == static_cast<ssize_t>(sizeof value)) {
      reported.push_back(value);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  ::close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);
  ASSERT_GE(reported.size(), 100u);

  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  for (uint32_t i : reported) {
    const Bytes id = {static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
                      static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    ASSERT_OK_AND_ASSIGN(auto found, store->FindDevice(id));
    EXPECT_TRUE(found.has_value()) << "committed device " << i << " lost";
  }
  ASSERT_OK_AND_ASSIGN(uint64_t count, store->CountDevices());
  // At most the write in flight when the child died went unreported.
  EXPECT_GE(count, reported.size());
  EXPECT_LE(count, reported.size() + 1);
  std::cout << "[          ] child committed " << reported.size() << " devices before SIGKILL\n";
}

}  // namespace
}  // namespace teep::host
