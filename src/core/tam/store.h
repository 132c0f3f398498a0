// Everything a TAM remembers, behind one interface (issue 6/7: the TAM is
// stateless over its store, so several TAM instances can share one
// database and any instance can take any step of any conversation).
// Implementations: MemoryTamStore (tests), host/store SqliteStore (embedded
// default) and PgStore (PostgreSQL, several TAM instances). Each method is
// one transaction unless called inside Atomically. Identifiers are the
// encoded CBOR bytes of what they name, compared bytewise.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace teep::tam {

// A device TEE the TAM manages (RFC 9397 §5: the TAM trusts the TEE's key).
struct DeviceRecord {
  Bytes device_id;                 // RFC 9679 thumbprint of the Agent's TEEP key (its COSE kid)
  std::string teep_key_pem;        // verifies the Agent's TEEP messages
  std::string attestation_key_pem; // verifies its Evidence ("" = only the fleet-wide keys)
  std::string name;                // operator's label
  // Updated by the conversations:
  Bytes ueid;                      // from the last affirming Evidence
  std::string hwmodel;             // hex of the EAT hwmodel, for class policies
  std::string attestation;         // "none", "affirming", or "refused: <reason>"
  int64_t last_contact = 0;        // seconds since 1970
};

// A Trusted Component in the repository: one signed SUIT envelope per
// (manifest id, sequence number), as uploaded by a TC signer (P §4.4: the
// TAM relays the signer's manifest unchanged).
struct TcRecord {
  Bytes manifest_id;    // encoded SUIT_Component_Identifier of the manifest slot
  Bytes component_id;   // encoded id of its first component (the TC itself)
  uint64_t sequence_number = 0;
  Bytes envelope;
  std::string signer;   // which registered signer verified it
  int64_t uploaded = 0;
};

// What a device holds, as the TAM knows it.
struct InstalledRecord {
  Bytes manifest_id;
  uint64_t sequence_number = 0;
};

// Which devices must hold (or must not hold) a TC.
struct PolicyRecord {
  enum class Action : uint8_t { kInstall = 1, kRemove = 2 };
  std::string target;  // "all", "device:<hex device id>", "class:<hex hwmodel>"
  Bytes manifest_id;
  Action action = Action::kInstall;
};

// One outstanding request of a conversation (P §4.2, §4.4; token rules of
// P §7.1 and spec digest §5.1): single use, bounded lifetime.
struct TokenRecord {
  enum class Kind : uint8_t { kQueryRequest = 1, kUpdate = 3 };
  Bytes token;
  Kind kind = Kind::kQueryRequest;
  Bytes device_id;        // empty for a QueryRequest (the device is not known yet)
  Bytes challenge;        // QueryRequest: the attestation challenge, if any
  uint64_t data_items = 0;  // QueryRequest: data-item-requested
  // Update: what it carries, recorded as installed / removed on Success.
  std::vector<InstalledRecord> installs;
  std::vector<Bytes> removals;
  int64_t expires = 0;    // seconds since 1970
};

// Stores refuse to write, and report as malformed when they read, any other
// value of these enums.
inline bool IsKnown(TokenRecord::Kind kind) {
  return kind == TokenRecord::Kind::kQueryRequest || kind == TokenRecord::Kind::kUpdate;
}
inline bool IsKnown(PolicyRecord::Action action) {
  return action == PolicyRecord::Action::kInstall || action == PolicyRecord::Action::kRemove;
}

struct AuditRecord {
  int64_t time = 0;
  Bytes device_id;        // empty when the sender is unknown
  std::string event;      // "connect", "query-response", "update", "success", "error", "dropped", ...
  std::string detail;
};

class TamStore {
 public:
  virtual ~TamStore() = default;

  // Runs `step` as one transaction: what it writes through this store
  // commits together, or (if it returns an error, or the process dies)
  // none of it does. Used where a step of a conversation must not be half
  // recorded (the token of a Success taken + what it installed). Not
  // nestable: a call inside `step` fails with kInternal.
  virtual Status Atomically(const std::function<Status()>& step) = 0;

  // ---- tokens ----
  virtual Status PutToken(const TokenRecord& token) = 0;
  // Removes and returns the token if it exists and has not expired at
  // `now`; nullopt otherwise. Atomic: of two concurrent takers (two TAM
  // instances) exactly one gets it (P §7.1: a token is accepted once).
  virtual Result<std::optional<TokenRecord>> TakeToken(ByteView token, int64_t now) = 0;
  // Deletes tokens expired at `now`; returns how many.
  virtual Result<uint64_t> ExpireTokens(int64_t now) = 0;
  virtual Result<uint64_t> CountTokens() = 0;

  // ---- devices ----
  virtual Status PutDevice(const DeviceRecord& device) = 0;  // insert or replace
  // PutDevice for each, all or nothing (bulk registration).
  virtual Status PutDevices(std::span<const DeviceRecord> devices) = 0;
  virtual Result<std::optional<DeviceRecord>> FindDevice(ByteView device_id) = 0;
  virtual Result<std::vector<DeviceRecord>> ListDevices() = 0;
  virtual Result<uint64_t> CountDevices() = 0;

  // ---- what each device holds ----
  virtual Status SetInstalled(ByteView device_id, const InstalledRecord& installed) = 0;  // upsert
  virtual Status RemoveInstalled(ByteView device_id, ByteView manifest_id) = 0;
  virtual Result<std::vector<InstalledRecord>> ListInstalled(ByteView device_id) = 0;

  // ---- TC repository ----
  // kInvalidArgument if (manifest id, sequence number) is already stored.
  virtual Status PutTc(const TcRecord& tc) = 0;
  // The highest sequence number stored for the manifest id.
  virtual Result<std::optional<TcRecord>> LatestTc(ByteView manifest_id) = 0;
  // The latest TC whose manifest id or component id is `id`.
  virtual Result<std::optional<TcRecord>> FindTcByComponent(ByteView id) = 0;
  // The latest version of every manifest id, ordered by manifest id.
  virtual Result<std::vector<TcRecord>> ListLatestTcs() = 0;

  // ---- policy ----
  virtual Status PutPolicy(const PolicyRecord& policy) = 0;     // replaces (target, manifest id)
  virtual Status RemovePolicy(const std::string& target, ByteView manifest_id) = 0;
  virtual Result<std::vector<PolicyRecord>> ListPolicies() = 0;

  // ---- audit log (append-only) ----
  virtual Status Audit(const AuditRecord& record) = 0;
  // The newest `limit` records, newest first.
  virtual Result<std::vector<AuditRecord>> RecentAudit(size_t limit) = 0;
};

}  // namespace teep::tam
