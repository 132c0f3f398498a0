// What only the PostgreSQL store promises (the shared contracts are in the
// conformance suite of store_test.cc): migrations once and refusal of a
// newer schema, strict reads of altered columns, errors that never show the
// password, text PostgreSQL cannot hold, the pool (exhaustion, healing after
// the server drops a connection), pipelined bulk registration all or
// nothing. Runs on the ctest `postgres` fixture.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "host/store/pg_db.h"
#include "host/store/pg_store.h"
#include "host/store/pg_test_database.h"
#include "host/store/schema.h"
#include "test_util.h"

namespace teep::host {
namespace {

using test::H;

tam::DeviceRecord Device(const Bytes& id, std::string name) {
  tam::DeviceRecord d;
  d.device_id = id;
  d.teep_key_pem = "teep key";
  d.name = std::move(name);
  d.attestation = "none";
  return d;
}

class PgStoreTest : public ::testing::Test {
 protected:
  // Runs SQL on the test database outside any store.
  void Sql(const std::string& text) {
    auto conn = pg::Connection::Open(db_.url());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_OK((*conn)->Exec("test", text));
  }
  teep::test::PgTestDatabase db_;
};

TEST_F(PgStoreTest, RefusesASchemaNewerThanItKnows) {
  { ASSERT_OK(PgStore::Open(db_.url()).status()); }
  Sql("UPDATE teep_schema SET version = " + std::to_string(TamSchemaVersion() + 1));
  auto reopened = PgStore::Open(db_.url());
  ASSERT_EQ(reopened.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(reopened.status().message().find("schema version " + std::to_string(TamSchemaVersion() + 1)),
            std::string::npos)
      << reopened.status().message();
}

TEST_F(PgStoreTest, ConcurrentFirstOpensMigrateOnce) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto store = PgStore::Open(db_.url());
      if (!store.ok()) {
        ADD_FAILURE() << store.status().ToString();
        ++failures;
        return;
      }
      if (!(*store)->PutDevice(Device(H("01"), "d")).ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto store = PgStore::Open(db_.url());
  ASSERT_TRUE(store.ok());
  ASSERT_OK_AND_ASSIGN(uint64_t devices, (*store)->CountDevices());
  EXPECT_EQ(devices, 1u);
}

TEST_F(PgStoreTest, WrongTypedColumnsAreMalformed) {
  ASSERT_OK_AND_ASSIGN(auto store, PgStore::Open(db_.url()));
  ASSERT_OK(store->PutDevice(Device(H("01"), "d")));
  Sql("ALTER TABLE devices ALTER COLUMN name TYPE BYTEA USING convert_to(name, 'UTF8')");
  auto found = store->FindDevice(H("01"));
  ASSERT_EQ(found.status().code(), StatusCode::kMalformed);
  EXPECT_NE(found.status().message().find("column name: expected text"), std::string::npos)
      << found.status().message();
}

TEST_F(PgStoreTest, ErrorsNeverShowThePassword) {
  // The fixture's URL carries a random password; a wrong one is refused
  // and the message names neither.
  const std::string url = db_.url();
  const size_t at = url.find('@');
  const size_t colon = url.find(':', url.find("://") + 3);
  ASSERT_NE(at, std::string::npos);
  const std::string password = url.substr(colon + 1, at - colon - 1);
  const std::string wrong = url.substr(0, colon + 1) + "wrong-" + password + url.substr(at);
  auto refused = PgStore::Open(wrong);
  ASSERT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_EQ(refused.status().message().find(password), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("password authentication failed"), std::string::npos)
      << refused.status().message();
}

TEST_F(PgStoreTest, TextPostgresCannotHoldIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(auto store, PgStore::Open(db_.url()));
  Status nul = store->PutDevice(Device(H("01"), std::string("a\0b", 3)));
  EXPECT_EQ(nul.code(), StatusCode::kInvalidArgument) << nul.ToString();
  EXPECT_NE(nul.message().find("name contains a NUL"), std::string::npos) << nul.message();
  Status utf8 = store->PutDevice(Device(H("01"), "\xff"));
  EXPECT_EQ(utf8.code(), StatusCode::kInvalidArgument) << utf8.ToString();
  // Nothing was written, and the store still works.
  ASSERT_OK_AND_ASSIGN(uint64_t devices, store->CountDevices());
  EXPECT_EQ(devices, 0u);
}

TEST_F(PgStoreTest, BulkRegistrationIsAllOrNothing) {
  ASSERT_OK_AND_ASSIGN(auto store, PgStore::Open(db_.url()));
  // More than one pipeline chunk, the last device unstorable.
  std::vector<tam::DeviceRecord> devices;
  for (int i = 0; i < 1203; ++i) devices.push_back(Device({uint8_t(i >> 8), uint8_t(i)}, "bulk"));
  devices.back().name = std::string("\0", 1);
  EXPECT_EQ(store->PutDevices(devices).code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(uint64_t count, store->CountDevices());
  EXPECT_EQ(count, 0u);
  // A server-side failure in the middle: a duplicate-free batch that
  // violates a constraint added for the test rolls back every chunk.
  Sql("ALTER TABLE devices ADD CONSTRAINT test_no_bad CHECK (name <> 'bad')");
  devices.back().name = "bulk";
  devices[1100].name = "bad";
  Status failed = store->PutDevices(devices);
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_NE(failed.message().find("test_no_bad"), std::string::npos) << failed.message();
  ASSERT_OK_AND_ASSIGN(count, store->CountDevices());
  EXPECT_EQ(count, 0u);
  devices[1100].name = "fine";
  ASSERT_OK(store->PutDevices(devices));
  ASSERT_OK_AND_ASSIGN(count, store->CountDevices());
  EXPECT_EQ(count, 1203u);
}

TEST_F(PgStoreTest, PoolWaitsThenGivesUp) {
  pg::Pool pool(db_.url(), 1, std::chrono::milliseconds(200));
  ASSERT_OK_AND_ASSIGN(pg::Pool::Lease held, pool.Acquire());
  auto second = pool.Acquire();
  EXPECT_EQ(second.status().code(), StatusCode::kLimitExceeded);
  // Given back, it is reused.
  std::thread releaser([lease = std::move(held)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pg::Pool::Lease done = std::move(lease);
  });
  auto third = pool.Acquire();
  releaser.join();
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST_F(PgStoreTest, PoolHealsAfterTheServerDropsItsConnection) {
  ASSERT_OK_AND_ASSIGN(auto pool, PgStore::OpenPool(db_.url(), 1));
  auto store = PgStore::Make(pool);
  ASSERT_OK(store->PutDevice(Device(H("01"), "d")));
  // The server ends every other session on this database (a restart or a
  // failover looks the same to the client).
  Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  // The call on the dead connection fails cleanly; the next one reconnects.
  Status first = store->CountDevices().status();
  if (!first.ok()) {
    EXPECT_EQ(first.code(), StatusCode::kIoError) << first.ToString();
  }
  ASSERT_OK_AND_ASSIGN(uint64_t devices, store->CountDevices());
  EXPECT_EQ(devices, 1u);
}

}  // namespace
}  // namespace teep::host
