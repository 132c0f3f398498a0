#include "host/store/schema.h"

#include <regex>

namespace teep::host {
namespace {

// Version 1. Identifiers (device ids, manifest ids, tokens) are the encoded
// CBOR bytes of what they name, compared bytewise (BLOB ordering is memcmp
// in SQLite and in PostgreSQL's BYTEA). Unsigned 64-bit values are stored in
// signed 64-bit INTEGER columns and limited to 0..2^63-1 by the store.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE devices (
  device_id BLOB NOT NULL PRIMARY KEY,
  teep_key_pem TEXT NOT NULL,
  attestation_key_pem TEXT NOT NULL,
  name TEXT NOT NULL,
  ueid BLOB NOT NULL,
  hwmodel TEXT NOT NULL,
  attestation TEXT NOT NULL,
  last_contact INTEGER NOT NULL
);
CREATE TABLE installed (
  device_id BLOB NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
  manifest_id BLOB NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence >= 0),
  PRIMARY KEY (device_id, manifest_id)
);
CREATE TABLE tcs (
  manifest_id BLOB NOT NULL,
  sequence_number INTEGER NOT NULL CHECK (sequence_number >= 0),
  component_id BLOB NOT NULL,
  envelope BLOB NOT NULL,
  signer TEXT NOT NULL,
  uploaded INTEGER NOT NULL,
  PRIMARY KEY (manifest_id, sequence_number)
);
-- FindTcByComponent: the newest version of a component in index order.
CREATE INDEX tcs_component_id ON tcs (component_id, sequence_number DESC, uploaded DESC, manifest_id);
CREATE TABLE policies (
  target TEXT NOT NULL,
  manifest_id BLOB NOT NULL,
  action INTEGER NOT NULL CHECK (action IN (1, 2)),
  PRIMARY KEY (target, manifest_id)
);
CREATE TABLE tokens (
  token BLOB NOT NULL PRIMARY KEY,
  kind INTEGER NOT NULL CHECK (kind IN (1, 3)),
  device_id BLOB NOT NULL,
  challenge BLOB NOT NULL,
  data_items INTEGER NOT NULL CHECK (data_items >= 0),
  installs BLOB NOT NULL,
  removals BLOB NOT NULL,
  expires INTEGER NOT NULL
);
CREATE INDEX tokens_expires ON tokens (expires);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  device_id BLOB NOT NULL,
  event TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";

constexpr SchemaStep kSteps[] = {
    {1, "tables devices, installed, tcs, policies, tokens, audit", kV1},
};

}  // namespace

std::span<const SchemaStep> TamSchema() { return kSteps; }

int64_t TamSchemaVersion() { return kSteps[std::size(kSteps) - 1].version; }

std::string PostgresSchemaSql(std::string_view sqlite_sql) {
  static const std::regex kAuditId(R"(\bid INTEGER PRIMARY KEY\b)");
  static const std::regex kInteger(R"(\bINTEGER\b)");
  static const std::regex kBlob(R"(\bBLOB\b)");
  static const std::regex kText(R"(\bTEXT\b)");
  std::string sql(sqlite_sql);
  sql = std::regex_replace(sql, kAuditId, "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
  sql = std::regex_replace(sql, kInteger, "BIGINT");
  sql = std::regex_replace(sql, kBlob, "BYTEA");
  sql = std::regex_replace(sql, kText, "TEXT COLLATE \"C\"");
  return sql;
}

}  // namespace teep::host
