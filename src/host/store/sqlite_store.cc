#include "host/store/sqlite_store.h"

#include <sqlite3.h>

#include <limits>
#include <utility>

#include "host/store/schema.h"
#include "host/store/store_sql.h"
#include "host/store/store_text.h"
#include "host/store/token_items.h"

namespace teep::host {
namespace {

using sqlite::Query;
using tam::AuditRecord;
using tam::DeviceRecord;
using tam::InstalledRecord;
using tam::PolicyRecord;
using tam::TcRecord;
using tam::TokenRecord;

Status ReadDevice(Query& q, DeviceRecord* d) {
  TEEP_RETURN_IF_ERROR(q.ReadBlob(0, "device_id", &d->device_id));
  TEEP_RETURN_IF_ERROR(q.ReadText(1, "teep_key_pem", &d->teep_key_pem));
  TEEP_RETURN_IF_ERROR(q.ReadText(2, "attestation_key_pem", &d->attestation_key_pem));
  TEEP_RETURN_IF_ERROR(q.ReadText(3, "name", &d->name));
  TEEP_RETURN_IF_ERROR(q.ReadBlob(4, "ueid", &d->ueid));
  TEEP_RETURN_IF_ERROR(q.ReadText(5, "hwmodel", &d->hwmodel));
  TEEP_RETURN_IF_ERROR(q.ReadText(6, "attestation", &d->attestation));
  return q.ReadInt(7, "last_contact", &d->last_contact);
}

Status ReadTc(Query& q, TcRecord* tc) {
  TEEP_RETURN_IF_ERROR(q.ReadBlob(0, "manifest_id", &tc->manifest_id));
  TEEP_RETURN_IF_ERROR(q.ReadUnsigned(1, "sequence_number", &tc->sequence_number));
  TEEP_RETURN_IF_ERROR(q.ReadBlob(2, "component_id", &tc->component_id));
  TEEP_RETURN_IF_ERROR(q.ReadBlob(3, "envelope", &tc->envelope));
  TEEP_RETURN_IF_ERROR(q.ReadText(4, "signer", &tc->signer));
  return q.ReadInt(5, "uploaded", &tc->uploaded);
}

// Runs a query that returns at most one TC.
Result<std::optional<TcRecord>> OneTc(sqlite::Statement& statement, ByteView key) {
  Query q(statement);
  q.Bind(key);
  TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<TcRecord>();
  TcRecord tc;
  TEEP_RETURN_IF_ERROR(ReadTc(q, &tc));
  return std::optional<TcRecord>(std::move(tc));
}

Result<std::vector<TcRecord>> AllTcs(sqlite::Statement& statement) {
  Query q(statement);
  std::vector<TcRecord> out;
  while (true) {
    TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    TcRecord tc;
    TEEP_RETURN_IF_ERROR(ReadTc(q, &tc));
    out.push_back(std::move(tc));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  TEEP_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(path));
  TEEP_RETURN_IF_ERROR(db->Migrate(TamSchema()));
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db)));
  TEEP_RETURN_IF_ERROR(store->PrepareStatements());
  return store;
}

SqliteStore::SqliteStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::PrepareStatements() {
  struct Entry {
    sqlite::Statement* statement;
    const sql::Named& sql;
  };
  const Entry entries[] = {
      {&put_token_, sql::kPutToken},
      {&take_token_, sql::kTakeToken},
      {&expire_tokens_, sql::kExpireTokens},
      {&count_tokens_, sql::kCountTokens},
      {&put_device_, sql::kPutDevice},
      {&find_device_, sql::kFindDevice},
      {&list_devices_, sql::kListDevices},
      {&count_devices_, sql::kCountDevices},
      {&set_installed_, sql::kSetInstalled},
      {&remove_installed_, sql::kRemoveInstalled},
      {&list_installed_, sql::kListInstalled},
      {&put_tc_, sql::kPutTc},
      {&latest_tc_, sql::kLatestTc},
      {&find_tc_by_component_, sql::kFindTcByComponent},
      {&list_latest_tcs_, sql::kListLatestTcs},
      {&put_policy_, sql::kPutPolicy},
      {&remove_policy_, sql::kRemovePolicy},
      {&list_policies_, sql::kListPolicies},
      {&audit_, sql::kAudit},
      {&recent_audit_, sql::kRecentAudit},
  };
  for (const Entry& e : entries) {
    TEEP_ASSIGN_OR_RETURN(*e.statement, db_->Prepare(e.sql.name, e.sql.text));
  }
  return OkStatus();
}

Result<uint64_t> SqliteStore::Count(sqlite::Statement& statement) {
  Query q(statement);
  TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return db_->Error(statement.operation());
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(q.ReadUnsigned(0, "COUNT(*)", &n));
  return n;
}

Status SqliteStore::Atomically(const std::function<Status()>& step) {
  if (in_transaction_) {
    return Status(StatusCode::kInternal, "sqlite " + path() + ": nested transaction");
  }
  TEEP_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_, "transaction"));
  in_transaction_ = true;
  Status status = step();
  in_transaction_ = false;
  if (!status.ok()) return status;  // ~Transaction rolls back
  return tx->Commit();
}

// ---- tokens -----------------------------------------------------------------

Status SqliteStore::PutToken(const TokenRecord& token) {
  if (!tam::IsKnown(token.kind)) {
    return Status(StatusCode::kInvalidArgument,
                  "sqlite " + path() + ": put token: unknown kind " +
                      std::to_string(static_cast<int>(token.kind)));
  }
  TEEP_ASSIGN_OR_RETURN(Bytes installs, EncodeTokenInstalls(token.installs));
  TEEP_ASSIGN_OR_RETURN(Bytes removals, EncodeTokenRemovals(token.removals));
  Query q(put_token_);
  q.Bind(token.token)
      .Bind(static_cast<int64_t>(token.kind))
      .Bind(token.device_id)
      .Bind(token.challenge)
      .BindUnsigned(token.data_items, "data_items")
      .Bind(installs)
      .Bind(removals)
      .Bind(token.expires);
  Status s = q.Run();
  if (!s.ok() && db_->LastExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status(StatusCode::kInvalidArgument,
                  "sqlite " + path() + ": put token: token " + HexEncode(token.token) +
                      " is already outstanding");
  }
  return s;
}

Result<std::optional<TokenRecord>> SqliteStore::TakeToken(ByteView token, int64_t now) {
  TokenRecord taken;
  Bytes installs;
  Bytes removals;
  int64_t kind = 0;
  {
    Query q(take_token_);
    q.Bind(token);
    TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return std::optional<TokenRecord>();
    // Copy the row out, then step to the end: in autocommit mode the delete
    // commits when the statement completes.
    TEEP_RETURN_IF_ERROR(q.ReadInt(0, "kind", &kind));
    TEEP_RETURN_IF_ERROR(q.ReadBlob(1, "device_id", &taken.device_id));
    TEEP_RETURN_IF_ERROR(q.ReadBlob(2, "challenge", &taken.challenge));
    TEEP_RETURN_IF_ERROR(q.ReadUnsigned(3, "data_items", &taken.data_items));
    TEEP_RETURN_IF_ERROR(q.ReadBlob(4, "installs", &installs));
    TEEP_RETURN_IF_ERROR(q.ReadBlob(5, "removals", &removals));
    TEEP_RETURN_IF_ERROR(q.ReadInt(6, "expires", &taken.expires));
    TEEP_ASSIGN_OR_RETURN(bool more, q.Step());
    if (more) {
      return Status(StatusCode::kInternal,
                    "sqlite " + path() + ": take token: more than one row for one token");
    }
  }
  // Taken (deleted) either way: an expired token is gone as well.
  if (now > taken.expires) return std::optional<TokenRecord>();
  taken.token = ToBytes(token);
  taken.kind = static_cast<TokenRecord::Kind>(kind);
  if (kind < 0 || kind > 255 || !tam::IsKnown(taken.kind)) {
    return Status(StatusCode::kMalformed, "sqlite " + path() +
                                              ": take token: column kind: unknown kind " +
                                              std::to_string(kind));
  }
  auto decoded_installs = DecodeTokenInstalls(installs);
  if (!decoded_installs.ok()) {
    return decoded_installs.status().WithContext("sqlite " + path() + ": take token");
  }
  auto decoded_removals = DecodeTokenRemovals(removals);
  if (!decoded_removals.ok()) {
    return decoded_removals.status().WithContext("sqlite " + path() + ": take token");
  }
  taken.installs = std::move(decoded_installs).value();
  taken.removals = std::move(decoded_removals).value();
  return std::optional<TokenRecord>(std::move(taken));
}

Result<uint64_t> SqliteStore::ExpireTokens(int64_t now) {
  Query q(expire_tokens_);
  q.Bind(now);
  TEEP_RETURN_IF_ERROR(q.Run());
  return static_cast<uint64_t>(db_->Changes());
}

Result<uint64_t> SqliteStore::CountTokens() { return Count(count_tokens_); }

// ---- devices ----------------------------------------------------------------

Status SqliteStore::PutDevice(const DeviceRecord& d) {
  const std::string attestation = StorableText(d.attestation);
  Query q(put_device_);
  q.Bind(d.device_id)
      .Bind(d.teep_key_pem)
      .Bind(d.attestation_key_pem)
      .Bind(d.name)
      .Bind(d.ueid)
      .Bind(d.hwmodel)
      .Bind(attestation)
      .Bind(d.last_contact);
  return q.Run();
}

Status SqliteStore::PutDevices(std::span<const DeviceRecord> devices) {
  return Atomically([&]() -> Status {
    for (const DeviceRecord& d : devices) TEEP_RETURN_IF_ERROR(PutDevice(d));
    return OkStatus();
  });
}

Result<std::optional<DeviceRecord>> SqliteStore::FindDevice(ByteView device_id) {
  Query q(find_device_);
  q.Bind(device_id);
  TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<DeviceRecord>();
  DeviceRecord d;
  TEEP_RETURN_IF_ERROR(ReadDevice(q, &d));
  return std::optional<DeviceRecord>(std::move(d));
}

Result<std::vector<DeviceRecord>> SqliteStore::ListDevices() {
  Query q(list_devices_);
  std::vector<DeviceRecord> out;
  while (true) {
    TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    DeviceRecord d;
    TEEP_RETURN_IF_ERROR(ReadDevice(q, &d));
    out.push_back(std::move(d));
  }
  return out;
}

Result<uint64_t> SqliteStore::CountDevices() { return Count(count_devices_); }

// ---- installed --------------------------------------------------------------

Status SqliteStore::SetInstalled(ByteView device_id, const InstalledRecord& installed) {
  Query q(set_installed_);
  q.Bind(device_id)
      .Bind(installed.manifest_id)
      .BindUnsigned(installed.sequence_number, "sequence number");
  Status s = q.Run();
  if (!s.ok() && db_->LastExtendedErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Status(StatusCode::kNotFound, "sqlite " + path() + ": set installed: device " +
                                             HexEncode(device_id) + " is not registered");
  }
  return s;
}

Status SqliteStore::RemoveInstalled(ByteView device_id, ByteView manifest_id) {
  Query q(remove_installed_);
  q.Bind(device_id).Bind(manifest_id);
  return q.Run();
}

Result<std::vector<InstalledRecord>> SqliteStore::ListInstalled(ByteView device_id) {
  Query q(list_installed_);
  q.Bind(device_id);
  std::vector<InstalledRecord> out;
  while (true) {
    TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    InstalledRecord r;
    TEEP_RETURN_IF_ERROR(q.ReadBlob(0, "manifest_id", &r.manifest_id));
    TEEP_RETURN_IF_ERROR(q.ReadUnsigned(1, "sequence", &r.sequence_number));
    out.push_back(std::move(r));
  }
  return out;
}

// ---- TC repository ----------------------------------------------------------

Status SqliteStore::PutTc(const TcRecord& tc) {
  Query q(put_tc_);
  q.Bind(tc.manifest_id)
      .BindUnsigned(tc.sequence_number, "sequence number")
      .Bind(tc.component_id)
      .Bind(tc.envelope)
      .Bind(tc.signer)
      .Bind(tc.uploaded);
  Status s = q.Run();
  if (!s.ok() && db_->LastExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status(StatusCode::kInvalidArgument,
                  "sqlite " + path() + ": put TC: manifest " + HexEncode(tc.manifest_id) +
                      " sequence number " + std::to_string(tc.sequence_number) +
                      " is already stored");
  }
  return s;
}

Result<std::optional<TcRecord>> SqliteStore::LatestTc(ByteView manifest_id) {
  return OneTc(latest_tc_, manifest_id);
}

Result<std::optional<TcRecord>> SqliteStore::FindTcByComponent(ByteView id) {
  TEEP_ASSIGN_OR_RETURN(std::optional<TcRecord> by_manifest, OneTc(latest_tc_, id));
  if (by_manifest) return by_manifest;
  return OneTc(find_tc_by_component_, id);
}

Result<std::vector<TcRecord>> SqliteStore::ListLatestTcs() { return AllTcs(list_latest_tcs_); }

// ---- policy -----------------------------------------------------------------

Status SqliteStore::PutPolicy(const PolicyRecord& policy) {
  if (!tam::IsKnown(policy.action)) {
    return Status(StatusCode::kInvalidArgument,
                  "sqlite " + path() + ": put policy: unknown action " +
                      std::to_string(static_cast<int>(policy.action)));
  }
  Query q(put_policy_);
  q.Bind(policy.target).Bind(policy.manifest_id).Bind(static_cast<int64_t>(policy.action));
  return q.Run();
}

Status SqliteStore::RemovePolicy(const std::string& target, ByteView manifest_id) {
  Query q(remove_policy_);
  q.Bind(target).Bind(manifest_id);
  return q.Run();
}

Result<std::vector<PolicyRecord>> SqliteStore::ListPolicies() {
  Query q(list_policies_);
  std::vector<PolicyRecord> out;
  while (true) {
    TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    PolicyRecord p;
    int64_t action = 0;
    TEEP_RETURN_IF_ERROR(q.ReadText(0, "target", &p.target));
    TEEP_RETURN_IF_ERROR(q.ReadBlob(1, "manifest_id", &p.manifest_id));
    TEEP_RETURN_IF_ERROR(q.ReadInt(2, "action", &action));
    p.action = static_cast<PolicyRecord::Action>(action);
    if (action < 0 || action > 255 || !tam::IsKnown(p.action)) {
      return Status(StatusCode::kMalformed, "sqlite " + path() +
                                                ": list policies: column action: unknown "
                                                "action " +
                                                std::to_string(action));
    }
    out.push_back(std::move(p));
  }
  return out;
}

// ---- audit ------------------------------------------------------------------

Status SqliteStore::Audit(const AuditRecord& record) {
  const std::string event = StorableText(record.event);
  const std::string detail = StorableText(record.detail);
  Query q(audit_);
  q.Bind(record.time).Bind(record.device_id).Bind(event).Bind(detail);
  return q.Run();
}

Result<std::vector<AuditRecord>> SqliteStore::RecentAudit(size_t limit) {
  std::vector<AuditRecord> out;
  if (limit == 0) return out;
  const uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  Query q(recent_audit_);
  q.Bind(static_cast<int64_t>(limit > max ? max : limit));
  while (true) {
    TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AuditRecord r;
    TEEP_RETURN_IF_ERROR(q.ReadInt(0, "time", &r.time));
    TEEP_RETURN_IF_ERROR(q.ReadBlob(1, "device_id", &r.device_id));
    TEEP_RETURN_IF_ERROR(q.ReadText(2, "event", &r.event));
    TEEP_RETURN_IF_ERROR(q.ReadText(3, "detail", &r.detail));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace teep::host
