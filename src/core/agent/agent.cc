#include "core/agent/agent.h"

#include <algorithm>
#include <utility>

#include "core/base/strings.h"
#include "core/cose/key.h"
#include "core/cose/sign.h"
#include "core/teep/codec.h"

namespace teep::agent {

namespace {

bool SameComponent(const msg::ComponentId& a, const msg::ComponentId& b) { return a == b; }

// P §4.1.2 failed: tell a forged signature from a signer we do not trust.
// A kid naming one of our TAM keys whose signature does not verify is a bad
// signature (ERR_PERMANENT_ERROR); any other signer is a credential we
// cannot use (ERR_BAD_CERTIFICATE, P §4.6).
msg::ErrorCode VerificationFailureCode(ByteView cose, std::span<const msg::TrustAnchor> anchors) {
  std::vector<Bytes> kids;
  if (auto sign1 = cose::DecodeSign1(cose); sign1.ok()) {
    if (auto kid = sign1->headers.kid()) kids.push_back(ToBytes(*kid));
  } else if (auto sign = cose::DecodeSign(cose); sign.ok()) {
    for (const auto& s : sign->signatures) {
      if (auto kid = s.headers.kid()) kids.push_back(ToBytes(*kid));
    }
  }
  for (const Bytes& kid : kids) {
    for (const msg::TrustAnchor& a : anchors) {
      if (a.kid == kid) return msg::ErrorCode::kPermanentError;
    }
  }
  return msg::ErrorCode::kBadCertificate;
}

}  // namespace

Agent::Agent(AgentConfig config, AgentStateStorage& storage)
    : config_(std::move(config)), storage_(storage) {}

Agent::~Agent() = default;

Result<std::unique_ptr<Agent>> Agent::Create(AgentConfig config, AgentStateStorage& storage) {
  if (config.teep_key == nullptr || config.attestation_key == nullptr) {
    return Status(StatusCode::kInvalidArgument, "Agent: a TEEP key and an attestation key are required");
  }
  auto suite = msg::SuiteForKeyType(config.teep_key->type());
  if (!suite) {
    return Status(StatusCode::kInvalidArgument,
                  "Agent: the TEEP key must be P-256 or Ed25519 (the two TEEP cipher suites, P §8.1)");
  }
  if (config.tams.empty()) {
    return Status(StatusCode::kInvalidArgument, "Agent: at least one trusted TAM is required");
  }
  if (config.suit.store == nullptr) {
    return Status(StatusCode::kInvalidArgument, "Agent: the SUIT platform has no component store");
  }
  if (config.suit_profiles.empty()) {
    return Status(StatusCode::kInvalidArgument, "Agent: at least one SUIT COSE profile is required");
  }
  std::unique_ptr<Agent> agent(new Agent(std::move(config), storage));
  agent->suite_ = std::move(*suite);
  for (const TamConfig& tam : agent->config_.tams) {
    TEEP_ASSIGN_OR_RETURN(msg::TrustAnchor anchor, msg::TrustAnchor::Make(tam.uri, tam.key));
    agent->tam_anchors_.push_back(std::move(anchor));
  }
  agent->tam_challenges_.resize(agent->tam_anchors_.size());
  TEEP_ASSIGN_OR_RETURN(auto kid, cose::Thumbprint(agent->config_.teep_key->Public()));
  agent->teep_kid_.assign(kid.begin(), kid.end());
  TEEP_ASSIGN_OR_RETURN(auto attestation_kid, cose::Thumbprint(agent->config_.attestation_key->Public()));
  agent->attestation_kid_.assign(attestation_kid.begin(), attestation_kid.end());
  TEEP_ASSIGN_OR_RETURN(std::optional<Bytes> saved, storage.Load());
  if (saved) {
    auto state = DecodeAgentState(*saved);
    if (!state.ok()) return state.status().WithContext("Agent: stored state is corrupt");
    agent->state_ = std::move(*state);
  }
  return agent;
}

// ---- the local API (RFC 9397 §6.2.1) ------------------------------------------

Result<std::string> Agent::RequestTA(const msg::ComponentId& component,
                                     std::optional<std::string_view> tam_uri) {
  if (component.empty()) return Status(StatusCode::kInvalidArgument, "RequestTA: empty component id");
  std::string uri = config_.tams.front().uri;
  if (tam_uri) {
    // otrp-over-http §5.1: the Agent picks the TAM; the untrusted REE may
    // only name one the Agent already trusts.
    auto it = std::find_if(config_.tams.begin(), config_.tams.end(),
                           [&](const TamConfig& t) { return t.uri == *tam_uri; });
    if (it == config_.tams.end()) {
      return Status(StatusCode::kInvalidArgument,
                    Cat("RequestTA: ", *tam_uri, " is not a TAM this Agent trusts"));
    }
    uri = it->uri;
  }
  std::erase_if(state_.unneeded,
                [&](const PendingRequest& p) { return SameComponent(p.component, component); });
  auto existing = std::find_if(state_.requested.begin(), state_.requested.end(),
                               [&](const PendingRequest& p) { return SameComponent(p.component, component); });
  if (existing != state_.requested.end()) {
    existing->tam_uri = uri;
  } else {
    if (state_.requested.size() + state_.unneeded.size() >= config_.max_requests) {
      return Status(StatusCode::kLimitExceeded,
                    Cat("RequestTA: ", config_.max_requests, " requests are already pending"));
    }
    state_.requested.push_back({component, uri});
  }
  TEEP_RETURN_IF_ERROR(SaveState());
  return uri;
}

Result<std::string> Agent::UnrequestTA(const msg::ComponentId& component) {
  if (component.empty()) return Status(StatusCode::kInvalidArgument, "UnrequestTA: empty component id");
  std::string uri = config_.tams.front().uri;
  auto requested = std::find_if(state_.requested.begin(), state_.requested.end(),
                                [&](const PendingRequest& p) { return SameComponent(p.component, component); });
  if (requested != state_.requested.end()) {
    uri = requested->tam_uri;
    state_.requested.erase(requested);
  }
  auto existing = std::find_if(state_.unneeded.begin(), state_.unneeded.end(),
                               [&](const PendingRequest& p) { return SameComponent(p.component, component); });
  if (existing == state_.unneeded.end()) {
    if (state_.requested.size() + state_.unneeded.size() >= config_.max_requests) {
      return Status(StatusCode::kLimitExceeded,
                    Cat("UnrequestTA: ", config_.max_requests, " requests are already pending"));
    }
    state_.unneeded.push_back({component, uri});
  }
  TEEP_RETURN_IF_ERROR(SaveState());
  return uri;
}

std::vector<std::string> Agent::RequestPolicyCheck() const {
  std::vector<std::string> uris;
  for (const TamConfig& tam : config_.tams) {
    if (std::find(uris.begin(), uris.end(), tam.uri) == uris.end()) uris.push_back(tam.uri);
  }
  return uris;
}

// ---- messages ---------------------------------------------------------------------

Result<Bytes> Agent::ProcessTeepMessage(ByteView message) {
  last_ = ExchangeSummary{};
  if (message.size() > config_.max_message_bytes) {
    return SendError(std::nullopt, {msg::ErrorCode::kPermanentError,
                                    Cat("message of ", message.size(), " bytes exceeds the limit of ",
                                        config_.max_message_bytes)});
  }
  // P §4.1.2: valid COSE_Sign1 / COSE_Sign, a trusted signer, a valid TEEP
  // message, before anything in it is acted on.
  auto verified = msg::VerifyAndDecode(message, tam_anchors_, *config_.profile, config_.verify_options);
  if (!verified.ok()) {
    const Status& s = verified.status();
    msg::ErrorCode code = msg::ErrorCode::kPermanentError;
    if (s.code() == StatusCode::kUnsupported) {
      code = msg::ErrorCode::kUnsupportedCipherSuites;
    } else if (s.code() == StatusCode::kVerificationFailed) {
      code = VerificationFailureCode(message, tam_anchors_);
    }
    // The token of an unverified message is not trusted: none is echoed.
    return SendError(std::nullopt, {code, s.message()});
  }
  Incoming in;
  in.tam_index = verified->verified.anchor_index;
  in.tam = &config_.tams[in.tam_index];
  in.verified = verified->verified;
  last_.received = msg::TypeOf(verified->message);
  if (auto* request = std::get_if<msg::QueryRequest>(&verified->message)) {
    return HandleQueryRequest(in, *request);
  }
  if (auto* update = std::get_if<msg::Update>(&verified->message)) {
    return HandleUpdate(in, *update);
  }
  // P §7.2: an Agent receives only QueryRequest and Update.
  return SendError(std::nullopt, {msg::ErrorCode::kPermanentError,
                                  Cat("a TEEP Agent does not accept ",
                                      msg::MessageTypeName(msg::TypeOf(verified->message)),
                                      " messages")});
}

void Agent::ProcessError() {
  std::fill(tam_challenges_.begin(), tam_challenges_.end(), std::nullopt);
}

Result<Bytes> Agent::Send(const msg::Message& message) {
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, msg::EncodeMessage(message, *config_.profile));
  last_.sent = msg::TypeOf(message);
  // P §8.1: after the QueryRequest the selected suite (ours) is used both ways.
  return msg::SignMessage(encoded, *config_.teep_key, suite_, teep_kid_);
}

Result<Bytes> Agent::SendError(std::optional<Bytes> token, Refusal refusal,
                               std::vector<Bytes> suit_reports) {
  const msg::ErrorCode code = refusal.code;
  std::string& detail = refusal.detail;
  msg::Error error;
  error.token = std::move(token);
  error.err_code = code;
  // err-msg is text 1..128 bytes (P §4.6); the detail goes to the operator
  // in full through last_exchange().
  std::string short_msg = detail.substr(0, 128);
  while (!short_msg.empty() && (static_cast<uint8_t>(short_msg.back()) & 0xc0) == 0x80) {
    short_msg.pop_back();  // never cut a UTF-8 sequence in two
  }
  if (!short_msg.empty() && (static_cast<uint8_t>(short_msg.back()) & 0x80) != 0) short_msg.pop_back();
  if (!short_msg.empty()) error.err_msg = std::move(short_msg);
  if (!suit_reports.empty()) error.suit_reports = std::move(suit_reports);
  // P §4.6: the option each code requires.
  switch (code) {
    case msg::ErrorCode::kUnsupportedCipherSuites:
      error.supported_teep_cipher_suites = std::vector<msg::CipherSuite>{suite_};
      break;
    case msg::ErrorCode::kAttestationRequired:
      // P §7.2.1: with the challenge the TAM's Evidence must carry.
      error.challenge = std::move(refusal.challenge);
      [[fallthrough]];
    case msg::ErrorCode::kUnsupportedFreshnessMechanisms:
      error.supported_freshness_mechanisms = config_.now
                                                 ? std::vector<uint64_t>{msg::kFreshnessNonce,
                                                                         msg::kFreshnessTimestamp}
                                                 : std::vector<uint64_t>{msg::kFreshnessNonce};
      break;
    case msg::ErrorCode::kUnsupportedMsgVersion:
      error.versions = std::vector<uint32_t>{msg::kTeepVersion};
      break;
    case msg::ErrorCode::kUnsupportedSuitReport:
      error.supported_suit_cose_profiles = config_.suit_profiles;
      break;
    default:
      break;
  }
  last_.error = code;
  last_.detail = std::move(detail);
  return Send(error);
}

Result<std::vector<InstalledTc>> Agent::ListInstalled() const {
  return ReadInventory(*config_.suit.store);
}

Status Agent::SaveState() {
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, EncodeAgentState(state_));
  return storage_.Save(encoded);
}

}  // namespace teep::agent
