// The TAM store's statements, written once for both backends (issue 7: the
// same schema, the same queries). The text is SQLite's, with parameters
// numbered ?1, ?2, ...; the PostgreSQL store rewrites them to $1, $2, ...
// (PostgresParameters). Everything else is SQL both accept: INSERT ... ON
// CONFLICT ... DO UPDATE SET x = excluded.x, DELETE ... RETURNING, LIMIT.
#pragma once

#include <string>
#include <string_view>

namespace teep::host::sql {

// A statement and the name it has in errors and as a PostgreSQL prepared
// statement.
struct Named {
  std::string_view name;
  std::string_view text;
};

// A duplicate is a constraint violation, not DO NOTHING: inside a
// transaction it must fail the transaction itself (PgStore sends a
// transaction's writes with its COMMIT), and both backends report it as
// kInvalidArgument.
inline constexpr Named kPutToken{
    "put token",
    "INSERT INTO tokens (token, kind, device_id, challenge, data_items, installs, removals, "
    "expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
// P §7.1: a token is accepted once. Deleting and returning the row in one
// statement makes the take atomic across connections and processes (in
// PostgreSQL a concurrent DELETE of the same row waits for the first, then
// finds nothing).
inline constexpr Named kTakeToken{
    "take token",
    "DELETE FROM tokens WHERE token = ?1 "
    "RETURNING kind, device_id, challenge, data_items, installs, removals, expires"};
inline constexpr Named kExpireTokens{"expire tokens", "DELETE FROM tokens WHERE expires < ?1"};
inline constexpr Named kCountTokens{"count tokens", "SELECT COUNT(*) FROM tokens"};

// An upsert, not INSERT OR REPLACE: a replace would delete the row first and
// cascade to the device's installed entries.
inline constexpr Named kPutDevice{
    "put device",
    "INSERT INTO devices (device_id, teep_key_pem, attestation_key_pem, name, ueid, hwmodel, "
    "attestation, last_contact) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (device_id) DO UPDATE SET teep_key_pem = excluded.teep_key_pem, "
    "attestation_key_pem = excluded.attestation_key_pem, name = excluded.name, "
    "ueid = excluded.ueid, hwmodel = excluded.hwmodel, attestation = excluded.attestation, "
    "last_contact = excluded.last_contact"};
inline constexpr Named kFindDevice{
    "find device",
    "SELECT device_id, teep_key_pem, attestation_key_pem, name, ueid, hwmodel, attestation, "
    "last_contact FROM devices WHERE device_id = ?1"};
inline constexpr Named kListDevices{
    "list devices",
    "SELECT device_id, teep_key_pem, attestation_key_pem, name, ueid, hwmodel, attestation, "
    "last_contact FROM devices ORDER BY device_id"};
inline constexpr Named kCountDevices{"count devices", "SELECT COUNT(*) FROM devices"};

inline constexpr Named kSetInstalled{
    "set installed",
    "INSERT INTO installed (device_id, manifest_id, sequence) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (device_id, manifest_id) DO UPDATE SET sequence = excluded.sequence"};
inline constexpr Named kRemoveInstalled{
    "remove installed", "DELETE FROM installed WHERE device_id = ?1 AND manifest_id = ?2"};
inline constexpr Named kListInstalled{
    "list installed",
    "SELECT manifest_id, sequence FROM installed WHERE device_id = ?1 ORDER BY manifest_id"};

// A duplicate version is a constraint violation (see kPutToken).
inline constexpr Named kPutTc{
    "put TC",
    "INSERT INTO tcs (manifest_id, sequence_number, component_id, envelope, signer, uploaded) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
inline constexpr Named kLatestTc{
    "latest TC",
    "SELECT manifest_id, sequence_number, component_id, envelope, signer, uploaded FROM tcs "
    "WHERE manifest_id = ?1 ORDER BY sequence_number DESC LIMIT 1"};
// A manifest-id match is tried first (kLatestTc); this one follows the
// tcs_component_id index order, so it reads one row however many versions
// there are.
inline constexpr Named kFindTcByComponent{
    "find TC by component",
    "SELECT manifest_id, sequence_number, component_id, envelope, signer, uploaded FROM tcs "
    "WHERE component_id = ?1 ORDER BY sequence_number DESC, uploaded DESC, manifest_id LIMIT 1"};
inline constexpr Named kListLatestTcs{
    "list latest TCs",
    "SELECT manifest_id, sequence_number, component_id, envelope, signer, uploaded FROM tcs AS t "
    "WHERE t.sequence_number = (SELECT MAX(m.sequence_number) FROM tcs AS m "
    "WHERE m.manifest_id = t.manifest_id) ORDER BY t.manifest_id"};

inline constexpr Named kPutPolicy{
    "put policy",
    "INSERT INTO policies (target, manifest_id, action) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (target, manifest_id) DO UPDATE SET action = excluded.action"};
inline constexpr Named kRemovePolicy{
    "remove policy", "DELETE FROM policies WHERE target = ?1 AND manifest_id = ?2"};
inline constexpr Named kListPolicies{
    "list policies",
    "SELECT target, manifest_id, action FROM policies ORDER BY target, manifest_id"};

inline constexpr Named kAudit{
    "audit", "INSERT INTO audit (time, device_id, event, detail) VALUES (?1, ?2, ?3, ?4)"};
// Newest append first: the id grows with each append, the caller's `time`
// need not.
inline constexpr Named kRecentAudit{
    "recent audit",
    "SELECT time, device_id, event, detail FROM audit ORDER BY id DESC LIMIT ?1"};

// `text` with ?N rewritten to $N (PostgreSQL's parameter syntax). The
// statements above have no string literals, so every '?' is a parameter.
std::string PostgresParameters(std::string_view text);

}  // namespace teep::host::sql
