// The TAM (draft-ietf-teep-protocol-26 §7.1; RFC 9397 §4): a state machine
// over bytes with every piece of state in a TamStore, so that TAM instances
// are interchangeable (any instance can take any step of any conversation).
//
//   ProcessConnect()          empty POST (otrp-over-http §6.1) -> QueryRequest,
//                             COSE_Sign with one signature per suite (P §8.1)
//   ProcessMessage(body)      QueryResponse -> Update, or nothing to do (204)
//                             Success / Error -> recorded (204)
//                             anything invalid -> dropped (P §7.1: the TAM
//                             sends no Error message)
//
// The choices the draft leaves open are in docs/tam.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/crypto/crypto.h"
#include "core/tam/store.h"
#include "core/tam/verifier.h"
#include "core/teep/messages.h"
#include "core/teep/signing.h"

namespace teep::tam {

struct TamPolicy {
  // data-item-requested of every QueryRequest (P §4.2).
  uint64_t data_items = msg::kDataItemAttestation | msg::kDataItemTrustedComponents;
  // Seconds a token stays valid (P §7.1: "several hours" because SUIT
  // processing can be slow).
  int64_t token_lifetime = 6 * 3600;
  // Install a TC a device asks for (requested-tc-list) when the repository
  // has it, without a policy naming the device.
  bool install_requested = true;
  // Honour unneeded-manifest-list unless a policy requires the TC.
  bool remove_unneeded = true;
  // Bring every TC a device holds from this TAM to the repository's latest
  // version, not only those a policy names.
  bool update_installed = true;
  size_t max_manifests_per_update = 16;
  // Outstanding tokens allowed (P §7.1: bounded token state). Anyone can
  // open a conversation, so this caps what unauthenticated connects can
  // make the TAM store; past it, connects are refused (503) until tokens
  // expire or are used.
  uint64_t max_tokens = 1'000'000;
};

struct TamConfig {
  // P §8.1: a TAM supports both suites, so it holds one key per suite.
  const crypto::PrivateKey* p256_key = nullptr;
  const crypto::PrivateKey* ed25519_key = nullptr;
  Verifier* verifier = nullptr;  // required when the attestation bit is requested
  TamPolicy policy;
  std::function<int64_t()> now;  // seconds since 1970
};

// What the HTTP layer sends back.
struct TamReply {
  enum class Kind { kMessage, kNoContent, kDropped };
  Kind kind = Kind::kNoContent;
  Bytes message;       // kMessage: the signed TEEP message
  std::string reason;  // kDropped: why (for the log; never sent)
};

class Tam {
 public:
  // Checks the keys (P-256 and Ed25519) and the verifier.
  static Result<std::unique_ptr<Tam>> Create(TamConfig config, TamStore& store);

  // An error Status means the TAM could not answer (store failure): 5xx.
  Result<TamReply> ProcessConnect();
  Result<TamReply> ProcessMessage(ByteView body);
  // Forgets expired tokens (P §7.1: bounded token state).
  Result<uint64_t> ExpireTokens();

 private:
  Tam(TamConfig config, TamStore& store) : config_(std::move(config)), store_(store) {}

  struct Sender;  // the verified device and its decoded message
  // Takes the message's token (P §7.1), checks it was issued for this kind
  // of message (and device), and hands the message to its handler.
  Result<TamReply> TakeTokenAndHandle(Sender& sender, ByteView token, TokenRecord::Kind expected);
  Result<TamReply> HandleQueryResponse(Sender& sender, const TokenRecord& token,
                                       const msg::QueryResponse& response);
  Result<TamReply> HandleSuccess(Sender& sender, const TokenRecord& token,
                                 const msg::Success& success);
  Result<TamReply> HandleError(Sender& sender, const TokenRecord& token, const msg::Error& error);
  // Signs the Update, then records the device and `audit` with the Update's
  // token in one transaction (one commit: one round trip to PostgreSQL, one
  // fsync for SQLite).
  Result<TamReply> SendUpdate(Sender& sender, msg::Update update, TokenRecord record, const AuditRecord& audit);
  // Records the device at the end of a QueryResponse and its audit record
  // together.
  Status RecordDevice(const DeviceRecord& device, const AuditRecord& audit);
  Result<TamReply> Drop(ByteView device_id, std::string reason);
  // The TAM key of the device's suite (P §8.1: the selected suite both ways).
  const crypto::PrivateKey& KeyFor(const Sender& sender) const;
  Result<const msg::TrustAnchor*> AnchorFor(const DeviceRecord& device);

  TamConfig config_;
  TamStore& store_;
  Bytes p256_kid_, ed25519_kid_;
  // Parsed device keys by device id: the registry holds PEM text, parsing it
  // for every message would cost more than the signature check.
  std::map<Bytes, msg::TrustAnchor> anchors_;
  // Connects since the token count was last checked (counting every time
  // would cost a query per connect).
  uint64_t connects_since_count_ = 0;
};

}  // namespace teep::tam
