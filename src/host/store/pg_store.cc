#include "host/store/pg_store.h"

#include <limits>
#include <utility>

#include "core/base/strings.h"
#include "host/store/schema.h"
#include "host/store/store_sql.h"
#include "host/store/store_text.h"
#include "host/store/token_items.h"

namespace teep::host {
namespace {

using tam::AuditRecord;
using tam::DeviceRecord;
using tam::InstalledRecord;
using tam::PolicyRecord;
using tam::TcRecord;
using tam::TokenRecord;

// SQLSTATE foreign_key_violation: SetInstalled for an unregistered device.
constexpr std::string_view kForeignKeyViolation = "23503";
// SQLSTATE unique_violation: PutToken / PutTc of a key already stored.
constexpr std::string_view kUniqueViolation = "23505";

// Serialises schema migrations of concurrently starting TAM instances (an
// arbitrary constant naming this lock in pg_advisory_xact_lock).
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock(7361696701)";

constexpr sql::Named kSchemaVersion{"schema version", "SELECT version FROM teep_schema"};

Status Migrate(pg::Connection& conn) {
  TEEP_RETURN_IF_ERROR(conn.Exec("migrate: begin", "BEGIN"));
  auto migrate = [&]() -> Status {
    TEEP_RETURN_IF_ERROR(conn.Exec("migrate: lock", std::string(kMigrationLock)));
    TEEP_RETURN_IF_ERROR(conn.Exec("migrate: version table",
                                   "CREATE TABLE IF NOT EXISTS teep_schema (version BIGINT NOT NULL)"));
    TEEP_ASSIGN_OR_RETURN(pg::Rows rows, conn.Run(kSchemaVersion, pg::Params()));
    int64_t current = 0;
    if (rows.count() > 1) {
      return Status(StatusCode::kMalformed,
                    Cat("postgresql ", conn.name(), ": teep_schema holds ", rows.count(), " rows"));
    }
    if (rows.count() == 1) TEEP_RETURN_IF_ERROR(rows.ReadInt(0, 0, "version", &current));
    if (current > TamSchemaVersion()) {
      return Status(StatusCode::kUnsupported,
                    Cat("postgresql ", conn.name(), ": schema version ", current,
                        " was written by a newer teep (this build knows up to ", TamSchemaVersion(), ")"));
    }
    if (current < 0) {
      return Status(StatusCode::kMalformed, Cat("postgresql ", conn.name(), ": negative schema version ", current));
    }
    for (const SchemaStep& step : TamSchema()) {
      if (step.version <= current) continue;
      TEEP_RETURN_IF_ERROR(conn.Exec(Cat("migrate to schema ", step.version, " (", step.summary, ")"),
                                     PostgresSchemaSql(step.sql)));
      current = step.version;
    }
    // The version is our own integer, not input.
    return conn.Exec("migrate: record version",
                     Cat("DELETE FROM teep_schema; INSERT INTO teep_schema (version) VALUES (", current, ")"));
  };
  Status status = migrate();
  if (!status.ok()) {
    (void)conn.Exec("migrate: rollback", "ROLLBACK");
    return status;
  }
  return conn.Exec("migrate: commit", "COMMIT");
}

Status ReadDevice(const pg::Rows& rows, int r, DeviceRecord* d) {
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 0, "device_id", &d->device_id));
  TEEP_RETURN_IF_ERROR(rows.ReadText(r, 1, "teep_key_pem", &d->teep_key_pem));
  TEEP_RETURN_IF_ERROR(rows.ReadText(r, 2, "attestation_key_pem", &d->attestation_key_pem));
  TEEP_RETURN_IF_ERROR(rows.ReadText(r, 3, "name", &d->name));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 4, "ueid", &d->ueid));
  TEEP_RETURN_IF_ERROR(rows.ReadText(r, 5, "hwmodel", &d->hwmodel));
  TEEP_RETURN_IF_ERROR(rows.ReadText(r, 6, "attestation", &d->attestation));
  return rows.ReadInt(r, 7, "last_contact", &d->last_contact);
}

Status ReadTc(const pg::Rows& rows, int r, TcRecord* tc) {
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 0, "manifest_id", &tc->manifest_id));
  TEEP_RETURN_IF_ERROR(rows.ReadUnsigned(r, 1, "sequence_number", &tc->sequence_number));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 2, "component_id", &tc->component_id));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 3, "envelope", &tc->envelope));
  TEEP_RETURN_IF_ERROR(rows.ReadText(r, 4, "signer", &tc->signer));
  return rows.ReadInt(r, 5, "uploaded", &tc->uploaded);
}

// `attestation` may quote what a refused device sent; the device's other
// text comes from the operator and is refused if PostgreSQL cannot hold it.
pg::Params DeviceParams(const DeviceRecord& d, const std::string& attestation) {
  pg::Params p;
  p.Blob(d.device_id)
      .Text(d.teep_key_pem, "teep_key_pem")
      .Text(d.attestation_key_pem, "attestation_key_pem")
      .Text(d.name, "name")
      .Blob(d.ueid)
      .Text(d.hwmodel, "hwmodel")
      .Text(attestation, "attestation")
      .Int(d.last_contact);
  return p;
}

}  // namespace

Result<std::shared_ptr<pg::Pool>> PgStore::OpenPool(const std::string& url, size_t connections) {
  auto pool = std::make_shared<pg::Pool>(url, connections);
  TEEP_ASSIGN_OR_RETURN(pg::Pool::Lease lease, pool->Acquire());
  TEEP_RETURN_IF_ERROR(Migrate(*lease));
  return pool;
}

std::unique_ptr<PgStore> PgStore::Make(std::shared_ptr<pg::Pool> pool) {
  return std::unique_ptr<PgStore>(new PgStore(std::move(pool)));
}

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& url) {
  TEEP_ASSIGN_OR_RETURN(auto pool, OpenPool(url, 1));
  return Make(std::move(pool));
}

Result<pg::Rows> PgStore::Run(const sql::Named& statement, pg::Params params) {
  if (transaction_) {
    pg::Connection::Step read;
    read.statement = &statement;
    read.params = std::move(params);
    TEEP_RETURN_IF_ERROR(Flush(&read));
    return std::move(*read.rows);
  }
  TEEP_ASSIGN_OR_RETURN(pg::Pool::Lease lease, pool_->Acquire());
  return lease->Run(statement, params);
}

Status PgStore::Write(const sql::Named& statement, pg::Params params, Check check) {
  if (!check) {
    check = [](const Status& executed, const pg::Rows*, const std::string&) { return executed; };
  }
  if (transaction_) {
    if (!params.status().ok()) return params.status().WithContext(Cat(pool_->name(), ": ", statement.name));
    pg::Connection::Step step;
    step.statement = &statement;
    step.params = std::move(params);
    pending_.push_back(std::move(step));
    checks_.push_back(std::move(check));
    return OkStatus();
  }
  TEEP_ASSIGN_OR_RETURN(pg::Pool::Lease lease, pool_->Acquire());
  auto rows = lease->Run(statement, params);
  return check(rows.status(), rows.ok() ? &*rows : nullptr, lease->last_sqlstate());
}

Status PgStore::Flush(pg::Connection::Step* read) {
  const size_t writes = pending_.size();
  if (read) pending_.push_back(std::move(*read));
  Status sent = (*transaction_)->RunSteps(pending_);
  const std::string sqlstate = (*transaction_)->last_sqlstate();
  Status first;
  for (size_t i = 0; i < writes && first.ok(); ++i) {
    const pg::Connection::Step& step = pending_[i];
    first = checks_[i](step.status, step.rows ? &*step.rows : nullptr, step.status.ok() ? "" : sqlstate);
  }
  if (first.ok()) first = sent;
  if (read) *read = std::move(pending_.back());
  pending_.clear();
  checks_.clear();
  return first;
}

Status PgStore::Atomically(const std::function<Status()>& step) {
  if (transaction_) return Status(StatusCode::kInternal, pool_->name() + ": nested transaction");
  TEEP_ASSIGN_OR_RETURN(pg::Pool::Lease lease, pool_->Acquire());
  transaction_.emplace(std::move(lease));
  auto passed = [](const Status& executed, const pg::Rows*, const std::string&) { return executed; };
  pg::Connection::Step begin;
  begin.command = "BEGIN";
  pending_.push_back(std::move(begin));
  checks_.push_back(passed);
  Status status = step();
  if (status.ok()) {
    pg::Connection::Step commit;
    commit.command = "COMMIT";
    pending_.push_back(std::move(commit));
    checks_.push_back(passed);
    status = Flush(nullptr);
  }
  pending_.clear();
  checks_.clear();
  pg::Pool::Lease held = std::move(*transaction_);
  transaction_.reset();
  // Nothing of a failed step is committed: BEGIN may not even have been
  // sent. A ROLLBACK outside a transaction only warns; a failed ROLLBACK
  // leaves the connection inside the transaction, and the pool then drops
  // it, which ends the transaction on the server.
  if (!status.ok()) (void)held->Exec("rollback", "ROLLBACK");
  return status;
}

Result<uint64_t> PgStore::Count(const sql::Named& statement) {
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(statement, pg::Params()));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(rows.ReadUnsigned(0, 0, "count", &n));
  return n;
}

// ---- tokens -----------------------------------------------------------------

Status PgStore::PutToken(const TokenRecord& token) {
  if (!tam::IsKnown(token.kind)) {
    return Status(StatusCode::kInvalidArgument,
                  Cat(pool_->name(), ": put token: unknown kind ", static_cast<int>(token.kind)));
  }
  TEEP_ASSIGN_OR_RETURN(Bytes installs, EncodeTokenInstalls(token.installs));
  TEEP_ASSIGN_OR_RETURN(Bytes removals, EncodeTokenRemovals(token.removals));
  pg::Params p;
  p.Blob(token.token)
      .Int(static_cast<int64_t>(token.kind))
      .Blob(token.device_id)
      .Blob(token.challenge)
      .Unsigned(token.data_items, "data_items")
      .Blob(installs)
      .Blob(removals)
      .Int(token.expires);
  return Write(sql::kPutToken, std::move(p),
               [name = pool_->name(), id = HexEncode(token.token)](
                   const Status& executed, const pg::Rows*, const std::string& sqlstate) -> Status {
                 if (executed.ok() || sqlstate != kUniqueViolation) return executed;
                 return Status(StatusCode::kInvalidArgument,
                               Cat(name, ": put token: token ", id, " is already outstanding"));
               });
}

Result<std::optional<TokenRecord>> PgStore::TakeToken(ByteView token, int64_t now) {
  pg::Params p;
  p.Blob(token);
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kTakeToken, p));
  if (rows.count() == 0) return std::optional<TokenRecord>();
  if (rows.count() > 1) {
    return Status(StatusCode::kInternal, Cat(pool_->name(), ": take token: more than one row for one token"));
  }
  TokenRecord taken;
  Bytes installs;
  Bytes removals;
  int64_t kind = 0;
  TEEP_RETURN_IF_ERROR(rows.ReadInt(0, 0, "kind", &kind));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(0, 1, "device_id", &taken.device_id));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(0, 2, "challenge", &taken.challenge));
  TEEP_RETURN_IF_ERROR(rows.ReadUnsigned(0, 3, "data_items", &taken.data_items));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(0, 4, "installs", &installs));
  TEEP_RETURN_IF_ERROR(rows.ReadBlob(0, 5, "removals", &removals));
  TEEP_RETURN_IF_ERROR(rows.ReadInt(0, 6, "expires", &taken.expires));
  // Taken (deleted) either way: an expired token is gone as well.
  if (now > taken.expires) return std::optional<TokenRecord>();
  taken.token = ToBytes(token);
  taken.kind = static_cast<TokenRecord::Kind>(kind);
  if (kind < 0 || kind > 255 || !tam::IsKnown(taken.kind)) {
    return Status(StatusCode::kMalformed,
                  Cat(pool_->name(), ": take token: column kind: unknown kind ", kind));
  }
  auto decoded_installs = DecodeTokenInstalls(installs);
  if (!decoded_installs.ok()) return decoded_installs.status().WithContext(pool_->name() + ": take token");
  auto decoded_removals = DecodeTokenRemovals(removals);
  if (!decoded_removals.ok()) return decoded_removals.status().WithContext(pool_->name() + ": take token");
  taken.installs = std::move(decoded_installs).value();
  taken.removals = std::move(decoded_removals).value();
  return std::optional<TokenRecord>(std::move(taken));
}

Result<uint64_t> PgStore::ExpireTokens(int64_t now) {
  pg::Params p;
  p.Int(now);
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kExpireTokens, p));
  return static_cast<uint64_t>(rows.affected());
}

Result<uint64_t> PgStore::CountTokens() { return Count(sql::kCountTokens); }

// ---- devices ----------------------------------------------------------------

Status PgStore::PutDevice(const DeviceRecord& d) {
  return Write(sql::kPutDevice, DeviceParams(d, StorableText(d.attestation)));
}

Status PgStore::PutDevices(std::span<const DeviceRecord> devices) {
  std::vector<std::string> attestations;
  attestations.reserve(devices.size());
  for (const DeviceRecord& d : devices) attestations.push_back(StorableText(d.attestation));
  std::vector<pg::Params> batch;
  batch.reserve(devices.size());
  for (size_t i = 0; i < devices.size(); ++i) batch.push_back(DeviceParams(devices[i], attestations[i]));
  return Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(Flush(nullptr));  // BEGIN
    return (*transaction_)->RunPipelined(sql::kPutDevice, batch);
  });
}

Result<std::optional<DeviceRecord>> PgStore::FindDevice(ByteView device_id) {
  pg::Params p;
  p.Blob(device_id);
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kFindDevice, p));
  if (rows.count() == 0) return std::optional<DeviceRecord>();
  DeviceRecord d;
  TEEP_RETURN_IF_ERROR(ReadDevice(rows, 0, &d));
  return std::optional<DeviceRecord>(std::move(d));
}

Result<std::vector<DeviceRecord>> PgStore::ListDevices() {
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kListDevices, pg::Params()));
  std::vector<DeviceRecord> out(static_cast<size_t>(rows.count()));
  for (int r = 0; r < rows.count(); ++r) TEEP_RETURN_IF_ERROR(ReadDevice(rows, r, &out[r]));
  return out;
}

Result<uint64_t> PgStore::CountDevices() { return Count(sql::kCountDevices); }

// ---- installed --------------------------------------------------------------

Status PgStore::SetInstalled(ByteView device_id, const InstalledRecord& installed) {
  pg::Params p;
  p.Blob(device_id).Blob(installed.manifest_id).Unsigned(installed.sequence_number, "sequence number");
  return Write(sql::kSetInstalled, std::move(p),
               [name = pool_->name(), id = HexEncode(device_id)](const Status& executed, const pg::Rows*,
                                                                   const std::string& sqlstate) -> Status {
                 if (executed.ok() || sqlstate != kForeignKeyViolation) return executed;
                 return Status(StatusCode::kNotFound, Cat(name, ": set installed: device ", id, " is not registered"));
               });
}

Status PgStore::RemoveInstalled(ByteView device_id, ByteView manifest_id) {
  pg::Params p;
  p.Blob(device_id).Blob(manifest_id);
  return Write(sql::kRemoveInstalled, std::move(p));
}

Result<std::vector<InstalledRecord>> PgStore::ListInstalled(ByteView device_id) {
  pg::Params p;
  p.Blob(device_id);
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kListInstalled, p));
  std::vector<InstalledRecord> out(static_cast<size_t>(rows.count()));
  for (int r = 0; r < rows.count(); ++r) {
    TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 0, "manifest_id", &out[r].manifest_id));
    TEEP_RETURN_IF_ERROR(rows.ReadUnsigned(r, 1, "sequence", &out[r].sequence_number));
  }
  return out;
}

// ---- TC repository ----------------------------------------------------------

Status PgStore::PutTc(const TcRecord& tc) {
  pg::Params p;
  p.Blob(tc.manifest_id)
      .Unsigned(tc.sequence_number, "sequence number")
      .Blob(tc.component_id)
      .Blob(tc.envelope)
      .Text(tc.signer, "signer")
      .Int(tc.uploaded);
  return Write(sql::kPutTc, std::move(p),
               [name = pool_->name(), id = HexEncode(tc.manifest_id), sequence = tc.sequence_number](
                   const Status& executed, const pg::Rows*, const std::string& sqlstate) -> Status {
                 if (executed.ok() || sqlstate != kUniqueViolation) return executed;
                 return Status(StatusCode::kInvalidArgument,
                               Cat(name, ": put TC: manifest ", id, " sequence number ", sequence, " is already stored"));
               });
}

Result<std::optional<TcRecord>> PgStore::OneTc(const sql::Named& statement, ByteView key) {
  pg::Params p;
  p.Blob(key);
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(statement, p));
  if (rows.count() == 0) return std::optional<TcRecord>();
  TcRecord tc;
  TEEP_RETURN_IF_ERROR(ReadTc(rows, 0, &tc));
  return std::optional<TcRecord>(std::move(tc));
}

Result<std::optional<TcRecord>> PgStore::LatestTc(ByteView manifest_id) {
  return OneTc(sql::kLatestTc, manifest_id);
}

Result<std::optional<TcRecord>> PgStore::FindTcByComponent(ByteView id) {
  TEEP_ASSIGN_OR_RETURN(std::optional<TcRecord> by_manifest, OneTc(sql::kLatestTc, id));
  if (by_manifest) return by_manifest;
  return OneTc(sql::kFindTcByComponent, id);
}

Result<std::vector<TcRecord>> PgStore::ListLatestTcs() {
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kListLatestTcs, pg::Params()));
  std::vector<TcRecord> out(static_cast<size_t>(rows.count()));
  for (int r = 0; r < rows.count(); ++r) TEEP_RETURN_IF_ERROR(ReadTc(rows, r, &out[r]));
  return out;
}

// ---- policy -----------------------------------------------------------------

Status PgStore::PutPolicy(const PolicyRecord& policy) {
  if (!tam::IsKnown(policy.action)) {
    return Status(StatusCode::kInvalidArgument,
                  Cat(pool_->name(), ": put policy: unknown action ", static_cast<int>(policy.action)));
  }
  pg::Params p;
  p.Text(policy.target, "target").Blob(policy.manifest_id).Int(static_cast<int64_t>(policy.action));
  return Write(sql::kPutPolicy, std::move(p));
}

Status PgStore::RemovePolicy(const std::string& target, ByteView manifest_id) {
  pg::Params p;
  p.Text(target, "target").Blob(manifest_id);
  return Write(sql::kRemovePolicy, std::move(p));
}

Result<std::vector<PolicyRecord>> PgStore::ListPolicies() {
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kListPolicies, pg::Params()));
  std::vector<PolicyRecord> out(static_cast<size_t>(rows.count()));
  for (int r = 0; r < rows.count(); ++r) {
    int64_t action = 0;
    TEEP_RETURN_IF_ERROR(rows.ReadText(r, 0, "target", &out[r].target));
    TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 1, "manifest_id", &out[r].manifest_id));
    TEEP_RETURN_IF_ERROR(rows.ReadInt(r, 2, "action", &action));
    out[r].action = static_cast<PolicyRecord::Action>(action);
    if (action < 0 || action > 255 || !tam::IsKnown(out[r].action)) {
      return Status(StatusCode::kMalformed,
                    Cat(pool_->name(), ": list policies: column action: unknown action ", action));
    }
  }
  return out;
}

// ---- audit ------------------------------------------------------------------

Status PgStore::Audit(const AuditRecord& record) {
  pg::Params p;
  const std::string event = StorableText(record.event);
  const std::string detail = StorableText(record.detail);
  p.Int(record.time).Blob(record.device_id).Text(event, "event").Text(detail, "detail");
  return Write(sql::kAudit, std::move(p));
}

Result<std::vector<AuditRecord>> PgStore::RecentAudit(size_t limit) {
  std::vector<AuditRecord> out;
  if (limit == 0) return out;
  const uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  pg::Params p;
  p.Int(static_cast<int64_t>(limit > max ? max : limit));
  TEEP_ASSIGN_OR_RETURN(pg::Rows rows, Run(sql::kRecentAudit, p));
  out.resize(static_cast<size_t>(rows.count()));
  for (int r = 0; r < rows.count(); ++r) {
    TEEP_RETURN_IF_ERROR(rows.ReadInt(r, 0, "time", &out[r].time));
    TEEP_RETURN_IF_ERROR(rows.ReadBlob(r, 1, "device_id", &out[r].device_id));
    TEEP_RETURN_IF_ERROR(rows.ReadText(r, 2, "event", &out[r].event));
    TEEP_RETURN_IF_ERROR(rows.ReadText(r, 3, "detail", &out[r].detail));
  }
  return out;
}

}  // namespace teep::host
