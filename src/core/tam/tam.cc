#include "core/tam/tam.h"

#include <utility>

#include "core/base/strings.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/suit/report.h"
#include "core/suit/report_reason.h"
#include "core/tam/tam_internal.h"
#include "core/teep/codec.h"

namespace teep::tam {
namespace {

constexpr size_t kTokenBytes = 16;      // P §4.2: 8..64; 128 bits from the CSPRNG
constexpr size_t kChallengeBytes = 32;  // P §4.2: 8..512; fits eat_nonce (8..64)
constexpr size_t kMaxCachedAnchors = 4096;
constexpr uint64_t kTokenCountInterval = 64;

Result<Bytes> Random(size_t n) {
  Bytes out(n);
  TEEP_RETURN_IF_ERROR(crypto::RandomBytes(out));
  return out;
}

Result<Bytes> KidOf(const crypto::PrivateKey& key) {
  TEEP_ASSIGN_OR_RETURN(auto kid, cose::Thumbprint(key.Public()));
  return Bytes(kid.begin(), kid.end());
}

}  // namespace

Result<std::unique_ptr<Tam>> Tam::Create(TamConfig config, TamStore& store) {
  if (config.p256_key == nullptr || config.p256_key->type() != crypto::KeyType::kP256 ||
      config.ed25519_key == nullptr || config.ed25519_key->type() != crypto::KeyType::kEd25519) {
    return Status(StatusCode::kInvalidArgument,
                  "TAM: a P-256 and an Ed25519 key are required (a TAM supports both TEEP cipher "
                  "suites, P §8.1)");
  }
  if ((config.policy.data_items & msg::kDataItemAttestation) && config.verifier == nullptr) {
    return Status(StatusCode::kInvalidArgument, "TAM: attestation is requested but there is no Verifier");
  }
  if (!config.now) return Status(StatusCode::kInvalidArgument, "TAM: no clock");
  std::unique_ptr<Tam> tam(new Tam(std::move(config), store));
  TEEP_ASSIGN_OR_RETURN(tam->p256_kid_, KidOf(*tam->config_.p256_key));
  TEEP_ASSIGN_OR_RETURN(tam->ed25519_kid_, KidOf(*tam->config_.ed25519_key));
  return tam;
}

Result<TamReply> Tam::ProcessConnect() {
  const int64_t now = config_.now();
  // P §7.1: bounded token state. Checked every kTokenCountInterval connects
  // (per instance, so the bound can be overshot by that many per instance).
  if (connects_since_count_++ % kTokenCountInterval == 0) {
    TEEP_ASSIGN_OR_RETURN(uint64_t outstanding, store_.CountTokens());
    if (outstanding >= config_.policy.max_tokens) {
      TEEP_RETURN_IF_ERROR(store_.ExpireTokens(now).status());
      TEEP_ASSIGN_OR_RETURN(outstanding, store_.CountTokens());
    }
    if (outstanding >= config_.policy.max_tokens) {
      connects_since_count_ = 0;  // look again at the next connect
      return Status(StatusCode::kLimitExceeded,
                    Cat("TAM: ", outstanding, " tokens outstanding (limit ", config_.policy.max_tokens, ")"));
    }
  }
  msg::QueryRequest request;
  TEEP_ASSIGN_OR_RETURN(Bytes token, Random(kTokenBytes));
  request.token = token;
  request.data_item_requested = config_.policy.data_items;
  TokenRecord record;
  record.token = token;
  record.kind = TokenRecord::Kind::kQueryRequest;
  record.data_items = config_.policy.data_items;
  record.expires = now + config_.policy.token_lifetime;
  if (config_.policy.data_items & msg::kDataItemAttestation) {
    // P §4.2, §9: background check with the nonce mechanism.
    TEEP_ASSIGN_OR_RETURN(record.challenge, Random(kChallengeBytes));
    request.challenge = record.challenge;
    request.supported_freshness_mechanisms = std::vector<uint64_t>{msg::kFreshnessNonce};
  }
  request.supported_teep_cipher_suites = {msg::SuiteSign1Esp256(), msg::SuiteSign1Ed25519()};
  request.supported_suit_cose_profiles = msg::MandatorySuitCoseProfiles();
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, msg::EncodeMessage(request));
  // P §8.1: the device is not known on connect (HTTP carries no identity),
  // so one signature per suite.
  const msg::Signer signers[] = {{config_.p256_key, msg::SuiteSign1Esp256(), p256_kid_},
                                 {config_.ed25519_key, msg::SuiteSign1Ed25519(), ed25519_kid_}};
  TEEP_ASSIGN_OR_RETURN(Bytes signed_request, msg::SignMessageMulti(encoded, signers));
  TEEP_RETURN_IF_ERROR(store_.PutToken(record));
  return TamReply{TamReply::Kind::kMessage, std::move(signed_request), {}};
}

Result<const msg::TrustAnchor*> Tam::AnchorFor(const DeviceRecord& device) {
  auto it = anchors_.find(device.device_id);
  if (it != anchors_.end()) return &it->second;
  TEEP_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromPem(device.teep_key_pem));
  TEEP_ASSIGN_OR_RETURN(msg::TrustAnchor anchor, msg::TrustAnchor::Make("device", std::move(key)));
  if (anchors_.size() >= kMaxCachedAnchors) anchors_.clear();
  return &anchors_.emplace(device.device_id, std::move(anchor)).first->second;
}

Result<TamReply> Tam::ProcessMessage(ByteView body) {
  // The sender is named by the COSE kid (RFC 9679 thumbprint of its TEEP
  // key); only a registered device key can verify (P §4.1.2).
  auto sign1 = cose::DecodeSign1(body);
  if (!sign1.ok()) return Drop({}, Cat("not a COSE_Sign1: ", sign1.status().message()));
  std::optional<ByteView> kid = sign1->headers.kid();
  if (!kid) return Drop({}, "the COSE_Sign1 carries no kid naming the device key");
  TEEP_ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, store_.FindDevice(*kid));
  if (!device) return Drop(*kid, "unknown device key");
  auto anchor = AnchorFor(*device);
  if (!anchor.ok()) return Drop(*kid, Cat("registered key unusable: ", anchor.status().message()));
  auto verified = msg::VerifyAndDecode(body, std::span<const msg::TrustAnchor>(*anchor, 1));
  if (!verified.ok()) return Drop(*kid, std::string(verified.status().message()));

  Sender sender{std::move(*device), *anchor, std::move(verified->message)};
  const std::optional<Bytes>* token = nullptr;
  TokenRecord::Kind expected = TokenRecord::Kind::kUpdate;
  if (auto* r = std::get_if<msg::QueryResponse>(&sender.message)) {
    token = &r->token;
    expected = TokenRecord::Kind::kQueryRequest;
  } else if (auto* s = std::get_if<msg::Success>(&sender.message)) {
    token = &s->token;
  } else if (auto* e = std::get_if<msg::Error>(&sender.message)) {
    token = &e->token;
  } else {
    return Drop(sender.device.device_id, "a TAM accepts only QueryResponse, Success and Error");
  }
  // P §7.1: a token is accepted once, and never after it expired.
  if (!token->has_value()) return Drop(sender.device.device_id, "no token");
  if (expected == TokenRecord::Kind::kQueryRequest) {
    // Taken in a transaction of its own: appraising the Evidence and signing
    // the Update must not hold the store's locks. If the TAM dies after the
    // take, the device's next conversation starts afresh.
    return TakeTokenAndHandle(sender, **token, expected);
  }
  // Success / Error: the token's consumption and what it records (installs,
  // removals, the device, the audit) commit together or not at all.
  Result<TamReply> reply = Status(StatusCode::kInternal, "transaction did not run");
  TEEP_RETURN_IF_ERROR(store_.Atomically([&]() -> Status {
    reply = TakeTokenAndHandle(sender, **token, expected);
    return reply.status();
  }));
  return reply;
}

Result<TamReply> Tam::TakeTokenAndHandle(Sender& sender, ByteView token, TokenRecord::Kind expected) {
  TEEP_ASSIGN_OR_RETURN(std::optional<TokenRecord> record, store_.TakeToken(token, config_.now()));
  if (!record) return Drop(sender.device.device_id, "unknown, expired or already used token");
  if (record->kind != expected ||
      (expected == TokenRecord::Kind::kUpdate && record->device_id != sender.device.device_id)) {
    return Drop(sender.device.device_id, "the token was issued for another message or device");
  }
  sender.device.last_contact = config_.now();
  if (auto* r = std::get_if<msg::QueryResponse>(&sender.message)) return HandleQueryResponse(sender, *record, *r);
  if (auto* s = std::get_if<msg::Success>(&sender.message)) return HandleSuccess(sender, *record, *s);
  return HandleError(sender, *record, std::get<msg::Error>(sender.message));
}

const crypto::PrivateKey& Tam::KeyFor(const Sender& sender) const {
  return sender.anchor->key.type() == crypto::KeyType::kEd25519 ? *config_.ed25519_key
                                                                  : *config_.p256_key;
}

Result<TamReply> Tam::SendUpdate(Sender& sender, msg::Update update, TokenRecord record,
                                 const AuditRecord& audit) {
  TEEP_ASSIGN_OR_RETURN(Bytes token, Random(kTokenBytes));
  update.token = token;
  record.token = std::move(token);
  record.kind = TokenRecord::Kind::kUpdate;
  record.device_id = sender.device.device_id;
  record.expires = config_.now() + config_.policy.token_lifetime;
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, msg::EncodeMessage(update));
  const crypto::PrivateKey& key = KeyFor(sender);
  const bool ed = key.type() == crypto::KeyType::kEd25519;
  TEEP_ASSIGN_OR_RETURN(Bytes signed_update,
                        msg::SignMessage(encoded, key, ed ? msg::SuiteSign1Ed25519() : msg::SuiteSign1Esp256(),
                                         ed ? ed25519_kid_ : p256_kid_));
  Status recorded = store_.Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(store_.PutDevice(sender.device));
    TEEP_RETURN_IF_ERROR(store_.Audit(audit));
    return store_.PutToken(record);
  });
  TEEP_RETURN_IF_ERROR(recorded);
  return TamReply{TamReply::Kind::kMessage, std::move(signed_update), {}};
}

Status Tam::RecordDevice(const DeviceRecord& device, const AuditRecord& audit) {
  return store_.Atomically([&]() -> Status {
    TEEP_RETURN_IF_ERROR(store_.PutDevice(device));
    return store_.Audit(audit);
  });
}

Result<TamReply> Tam::Drop(ByteView device_id, std::string reason) {
  TEEP_RETURN_IF_ERROR(store_.Audit({config_.now(), ToBytes(device_id), "dropped", reason}));
  return TamReply{TamReply::Kind::kDropped, {}, std::move(reason)};
}

Result<uint64_t> Tam::ExpireTokens() { return store_.ExpireTokens(config_.now()); }

namespace internal {

Result<std::string> CheckReportNonces(const std::optional<std::vector<Bytes>>& reports,
                                      const Bytes& token) {
  if (!reports) return std::string();
  std::string summary = "; SUIT reports:";
  for (size_t i = 0; i < reports->size(); ++i) {
    auto report = suit::DecodeReport((*reports)[i]);
    if (!report.ok()) return report.status().WithContext(Cat("suit-reports[", i, "]"));
    // P §4.5: with a token, every SUIT Report carries it as its nonce.
    if (!report->nonce || *report->nonce != token) {
      return Status(StatusCode::kVerificationFailed,
                    Cat("suit-reports[", i, "]: the nonce is not the token"));
    }
    summary += i ? ", " : " ";
    if (report->succeeded()) {
      summary += "ok";
    } else {
      const suit::ReportFailure& f = *report->failure;
      summary += Cat("failed (", suit::ReportReasonName(f.reason), ", command ", f.code, " in section ",
                     f.record.section, ")");
    }
  }
  return summary;
}

}  // namespace internal
}  // namespace teep::tam
