// The TAM's shared store: tam::TamStore over PostgreSQL (issue 7), so that
// several TAM instances on several machines serve one fleet: a QueryRequest
// issued by one instance is answered at another, because tokens,
// challenges, devices and the repository all live in the database.
//
// Same schema (host/store/schema.cc through PostgresSchemaSql, migrated at
// Open under an advisory lock so concurrent first starts migrate once), same
// statements (store_sql.h, prepared per connection), same contracts: the
// conformance suite in store_test.cc runs on SQLite and on PostgreSQL, and
// the choices listed in sqlite_store.h hold here too.
//
// Connections: a PgStore borrows a connection from a pg::Pool for each call
// (and holds it for the whole of an Atomically step), so a server's worker
// threads each own a PgStore over one shared pool. A PgStore is used by one
// thread at a time; the Pool is thread-safe.
//
// Round trips: inside Atomically, BEGIN and the writes are not sent on
// their own; they go in one pipeline with the next read or with the COMMIT
// (so a Success's records are two round trips: BEGIN + take the token, then
// the writes + COMMIT). A deferred write's failure fails the transaction.
//
// Durability: each call commits before it returns (the server's own
// synchronous_commit setting decides how durably). Bulk registration
// (PutDevices) runs in one transaction in pipeline mode.
//
// Errors: what the server or libpq reports is kIoError "postgresql
// <host>:<port>/<db>: <statement>: <message>" (never the URL's password);
// a column of the wrong type is kMalformed; a value beyond the schema's
// range (unsigned above 2^63-1, unknown enum value) or text PostgreSQL
// cannot hold (NUL, invalid UTF-8) is kInvalidArgument.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tam/store.h"
#include "host/store/pg_db.h"

namespace teep::host {

class PgStore final : public tam::TamStore {
 public:
  // Connects once, brings the schema up to date and returns the pool for
  // Make. A database written by a newer build (schema version above
  // TamSchemaVersion()) is refused with kUnsupported naming both versions.
  static Result<std::shared_ptr<pg::Pool>> OpenPool(const std::string& url, size_t connections);
  // A store over an opened pool.
  static std::unique_ptr<PgStore> Make(std::shared_ptr<pg::Pool> pool);
  // OpenPool with one connection + Make: for the operator's verbs and tests.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& url);

  // ---- tam::TamStore ----
  // BEGIN ... COMMIT on one pooled connection (READ COMMITTED: the token
  // take is a DELETE ... RETURNING, which is atomic at any isolation level).
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
  // Turns the outcome of a write into the store's Status (e.g. a foreign
  // key violation into kNotFound); the default passes it through.
  using Check = std::function<Status(const Status& executed, const pg::Rows* rows, const std::string& sqlstate)>;

  explicit PgStore(std::shared_ptr<pg::Pool> pool) : pool_(std::move(pool)) {}
  // A read: on the transaction's connection after the pending writes (one
  // round trip for both), or on a connection borrowed for this call.
  Result<pg::Rows> Run(const sql::Named& statement, pg::Params params);
  // A write: run now, or inside Atomically deferred to the next read or the
  // COMMIT (its failure then fails the transaction).
  Status Write(const sql::Named& statement, pg::Params params, Check check = {});
  // Sends the pending writes (and `read`, if any) in one pipeline.
  Status Flush(pg::Connection::Step* read);
  Result<uint64_t> Count(const sql::Named& statement);
  Result<std::optional<tam::TcRecord>> OneTc(const sql::Named& statement, ByteView key);

  std::shared_ptr<pg::Pool> pool_;
  // Inside Atomically: the connection, and what waits to be sent on it
  // (BEGIN first), with the check of each step.
  std::optional<pg::Pool::Lease> transaction_;
  std::vector<pg::Connection::Step> pending_;
  std::vector<Check> checks_;
};

}  // namespace teep::host
