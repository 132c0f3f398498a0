// The TAM's embedded store: tam::TamStore over one SQLite database file
// (schema in host/store/schema.cc, applied by migrations at Open).
//
// Durability: WAL journal with synchronous=FULL, so every method that
// returns OK has committed durably (a kill -9 or power cut right after loses
// nothing). Each method is one statement in autocommit mode, hence one
// transaction.
//
// Concurrency: several SqliteStore objects (threads or processes) may open
// the same file; writers are serialised by SQLite and wait up to 5 s for
// each other (busy timeout) before failing with kIoError. TakeToken is a
// single DELETE ... RETURNING, so of two concurrent takers exactly one gets
// the token.
//
// Threading: one SqliteStore is used by one thread at a time (it owns one
// connection, opened SQLITE_OPEN_NOMUTEX, and its cached prepared
// statements); a server opens one SqliteStore per worker thread.
//
// Errors: every SQLite failure is kIoError "sqlite <path>: <operation>:
// <sqlite message>"; a stored value of the wrong type (or an undecodable
// token list) is kMalformed; a value beyond what the schema holds (an
// unsigned number above 2^63-1, an unknown enum value) is kInvalidArgument.
//
// Choices where tam/store.h leaves room (the conformance suite in
// store_test.cc pins them for every backend):
//  - a token is valid while now <= expires; ExpireTokens deletes expires < now;
//    TakeToken deletes the token even when it has expired;
//  - PutToken refuses a token that is already outstanding (kInvalidArgument);
//  - SetInstalled for a device that is not registered is kNotFound;
//  - RemoveInstalled and RemovePolicy of an absent entry are OK (no-ops);
//  - FindTcByComponent prefers a manifest-id match, then the highest
//    sequence number (then the latest upload, then the smallest manifest id);
//  - lists are ordered bytewise by key (devices by id, installed by manifest
//    id, policies by target then manifest id); RecentAudit is newest append
//    first, whatever the records' `time`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tam/store.h"
#include "host/store/sqlite_db.h"

namespace teep::host {

class SqliteStore final : public tam::TamStore {
 public:
  // Opens the database at `path`, creating it (mode 0600) if absent, and
  // brings its schema up to date. ":memory:" opens a private in-memory
  // database (tests). A file written by a newer build (schema version above
  // TamSchemaVersion()) is refused with kUnsupported naming both versions.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& path() const { return db_->path(); }

  // ---- tam::TamStore ----
  // BEGIN IMMEDIATE ... COMMIT (sqlite::Transaction): holds the database's
  // write lock while `step` runs, so steps must be short (no signing inside).
  Status Atomically(const std::function<Status()>& step) override;
  Status PutToken(const tam::TokenRecord& token) override;
  Result<std::optional<tam::TokenRecord>> TakeToken(ByteView token, int64_t now) override;
  Result<uint64_t> ExpireTokens(int64_t now) override;
  Result<uint64_t> CountTokens() override;

  Status PutDevice(const tam::DeviceRecord& device) override;
  Status PutDevices(std::span<const tam::DeviceRecord> devices) override;
  Result<std::optional<tam::DeviceRecord>> FindDevice(ByteView device_id) override;
  Result<std::vector<tam::DeviceRecord>> ListDevices() override;
  Result<uint64_t> CountDevices() override;

  Status SetInstalled(ByteView device_id, const tam::InstalledRecord& installed) override;
  Status RemoveInstalled(ByteView device_id, ByteView manifest_id) override;
  Result<std::vector<tam::InstalledRecord>> ListInstalled(ByteView device_id) override;

  Status PutTc(const tam::TcRecord& tc) override;
  Result<std::optional<tam::TcRecord>> LatestTc(ByteView manifest_id) override;
  Result<std::optional<tam::TcRecord>> FindTcByComponent(ByteView id) override;
  Result<std::vector<tam::TcRecord>> ListLatestTcs() override;

  Status PutPolicy(const tam::PolicyRecord& policy) override;
  Status RemovePolicy(const std::string& target, ByteView manifest_id) override;
  Result<std::vector<tam::PolicyRecord>> ListPolicies() override;

  Status Audit(const tam::AuditRecord& record) override;
  Result<std::vector<tam::AuditRecord>> RecentAudit(size_t limit) override;

 private:
  explicit SqliteStore(std::unique_ptr<sqlite::Database> db);
  Status PrepareStatements();
  Result<uint64_t> Count(sqlite::Statement& statement);

  // Declared first so that it is destroyed last, after its statements.
  std::unique_ptr<sqlite::Database> db_;
  bool in_transaction_ = false;
  // Prepared once at Open, reset and re-bound on every call.
  sqlite::Statement put_token_, take_token_, expire_tokens_, count_tokens_;
  sqlite::Statement put_device_, find_device_, list_devices_, count_devices_;
  sqlite::Statement set_installed_, remove_installed_, list_installed_;
  sqlite::Statement put_tc_, latest_tc_, find_tc_by_component_, list_latest_tcs_;
  sqlite::Statement put_policy_, remove_policy_, list_policies_;
  sqlite::Statement audit_, recent_audit_;
};

}  // namespace teep::host
