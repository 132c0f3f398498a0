#include "core/suit/builder.h"

#include <algorithm>
#include <string_view>

#include "core/cbor/writer.h"
#include "core/cose/algorithms.h"
#include "core/cose/encrypt.h"
#include "core/cose/headers.h"
#include "core/cose/sign.h"
#include "core/suit/commands.h"
#include "core/suit/component_id.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"
#include "core/suit/manifest.h"
#include "core/suit/parameters.h"

namespace teep::suit {
namespace {

// SUIT_Reporting_Policy (manifest-37 §8.4.9): record and system information
// on success and on failure. Every example manifest uses 15.
constexpr uint64_t kReportAll = 15;

// SUIT_Dependency_Metadata key (trust-domains §6.1).
constexpr int64_t kDependencyPrefix = 1;

constexpr size_t kUuidSize = 16;

Status Invalid(std::string_view where, std::string_view why) {
  return Status(StatusCode::kInvalidArgument, std::string(where) + ": " + std::string(why));
}

Bytes EncodeUintItem(uint64_t value) {
  cbor::Writer w;
  w.WriteUint(value);
  return w.bytes();
}

Bytes EncodeTextItem(std::string_view value) {
  cbor::Writer w;
  w.WriteText(value);
  return w.bytes();
}

// A map with unsigned integer keys given in ascending order (which is also
// the bytewise order of their encodings); values are encoded items.
Result<Bytes> EncodeUintKeyMap(const std::vector<std::pair<uint64_t, Bytes>>& entries) {
  cbor::Writer w;
  w.BeginMap(entries.size());
  for (const auto& [key, value] : entries) {
    w.WriteUint(key);
    w.WriteRaw(value);
  }
  return std::move(w).Finish();
}

// A SUIT_Command_Sequence under construction: a flat array of
// command / argument pairs (manifest-37 §8.4.6).
class CommandSequence {
 public:
  // A condition or directive whose argument is a reporting policy.
  void WithPolicy(int64_t code) { Add(code, EncodeUintItem(kReportAll)); }
  void SetComponentIndex(uint64_t index) {
    Add(kDirSetComponentIndex, EncodeUintItem(index));
  }
  void Add(int64_t code, Bytes argument) { commands_.emplace_back(code, std::move(argument)); }
  bool empty() const { return commands_.empty(); }

  Result<Bytes> Encode() const {
    cbor::Writer w;
    w.BeginArray(2 * commands_.size());
    for (const auto& [code, argument] : commands_) {
      w.WriteInt(code);
      w.WriteRaw(argument);
    }
    return std::move(w).Finish();
  }

 private:
  std::vector<std::pair<int64_t, Bytes>> commands_;
};

// directive-override-parameters with the given parameters (ascending keys).
Status AddOverride(CommandSequence& seq, const std::vector<std::pair<uint64_t, Bytes>>& params) {
  TEEP_ASSIGN_OR_RETURN(Bytes map, EncodeUintKeyMap(params));
  seq.Add(kDirOverrideParameters, std::move(map));
  return OkStatus();
}

// The signature algorithm to use with `signer`, or kInvalidArgument.
Result<int64_t> ChooseAlg(const crypto::PrivateKey& signer, int64_t alg) {
  if (alg == 0) {
    std::optional<int64_t> def = cose::DefaultSignatureAlg(signer.type());
    if (!def) {
      return Invalid("SUIT signer", std::string(crypto::KeyTypeName(signer.type())) +
                                        " keys cannot sign");
    }
    return *def;
  }
  std::optional<crypto::KeyType> needs = cose::SignatureKeyType(alg);
  auto name = cose::AlgorithmName(alg);
  std::string alg_text = (name ? std::string(*name) + " " : std::string()) + "(" +
                         std::to_string(alg) + ")";
  if (!needs) return Invalid("SUIT signer", "algorithm " + alg_text + " is not a signature algorithm we implement");
  if (*needs != signer.type()) {
    return Invalid("SUIT signer", "algorithm " + alg_text + " is for " +
                                      std::string(crypto::KeyTypeName(*needs)) +
                                      " keys, but the signing key is " +
                                      std::string(crypto::KeyTypeName(signer.type())));
  }
  return alg;
}

// The image digest parameter value: bstr(SUIT_Digest) (manifest-37 §8.4.8.6).
Result<Bytes> ImageDigestParam(ByteView image) {
  TEEP_ASSIGN_OR_RETURN(Bytes digest, ComputeDigest(kDigestSha256, image));
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, EncodeDigest(kDigestSha256, digest));
  return cose::EncodeBytesItem(encoded);
}

// What the builder needs to know about one dependency.
struct Dependency {
  uint64_t index = 0;       // component index (after the TC)
  Bytes prefix;             // encoded manifest-component-id of the dependency
  Bytes digest_param;       // bstr(SUIT_Digest of its bstr-wrapped manifest)
  uint64_t size = 0;        // size of its envelope
  std::string uri;          // where it is fetched from ("#depN" when integrated)
  bool integrated = false;
};

Result<Dependency> InspectDependency(const DependencySpec& spec, uint64_t index) {
  std::string where = "ManifestSpec.dependencies[" + std::to_string(index - 1) + "]";
  Result<Envelope> env = DecodeEnvelope(spec.envelope);
  if (!env.ok()) return Invalid(where, "not a SUIT envelope: " + env.status().message());
  // The author names the dependency by what its own manifest declares; it is
  // the author's own input, so reading it before authentication is fine here
  // (the device authenticates it in condition-dependency-integrity).
  Result<Manifest> manifest = DecodeManifest(env->manifest.content);
  if (!manifest.ok()) {
    return Invalid(where, "its manifest does not decode: " + manifest.status().message());
  }
  if (!manifest->manifest_component_id) {
    // trust-domains §6.1: the dependency map names each dependency by a
    // prefix; TEEP uses the dependency's manifest-component-id (§6.3).
    return Invalid(where, "its manifest has no manifest-component-id (5), so the dependency "
                          "map cannot name it");
  }
  Dependency dep;
  dep.index = index;
  dep.prefix = EncodeComponentId(*manifest->manifest_component_id);
  // The dependency's image digest is its authentication digest: SHA-256 of
  // the bstr-wrapped manifest (trust-domains §5.6.2). Check that the envelope
  // agrees, so that we do not publish a dependency that can never pass
  // condition-dependency-integrity.
  Result<Digest> auth_digest = DecodeDigest(env->digest, where + ".authentication-wrapper[0]");
  if (!auth_digest.ok()) return Invalid(where, auth_digest.status().message());
  Status match = CheckDigest(*auth_digest, env->manifest.wrapped);
  if (!match.ok()) {
    return Invalid(where, "its authentication digest does not match its manifest (" +
                              match.message() + ")");
  }
  TEEP_ASSIGN_OR_RETURN(Bytes digest, ComputeDigest(kDigestSha256, env->manifest.wrapped));
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, EncodeDigest(kDigestSha256, digest));
  dep.digest_param = cose::EncodeBytesItem(encoded);
  dep.size = spec.envelope.size();
  if (spec.uri) {
    if (spec.uri->empty()) return Invalid(where, "uri is empty");
    dep.uri = *spec.uri;
  } else {
    dep.integrated = true;
    dep.uri = "#dep" + std::to_string(index);
  }
  return dep;
}

Status ValidateSpec(const ManifestSpec& spec) {
  constexpr std::string_view kWhere = "ManifestSpec";
  if (spec.component_id.empty()) {
    return Invalid(kWhere, "component_id needs at least one part");
  }
  if (spec.vendor_id && spec.vendor_id->size() != kUuidSize) {
    return Invalid(kWhere, "vendor_id must be a 16-byte UUID, got " +
                               std::to_string(spec.vendor_id->size()) + " bytes");
  }
  if (spec.class_id && spec.class_id->size() != kUuidSize) {
    return Invalid(kWhere, "class_id must be a 16-byte UUID, got " +
                               std::to_string(spec.class_id->size()) + " bytes");
  }
  if (spec.manifest_component_id && spec.manifest_component_id->empty()) {
    return Invalid(kWhere, "manifest_component_id needs at least one part");
  }
  if (spec.reference_uri && spec.reference_uri->empty()) {
    return Invalid(kWhere, "reference_uri is empty");
  }
  if (!spec.payload) return Invalid(kWhere, "payload is required (the TC image)");
  if (spec.encryption) {
    const PayloadEncryption& e = *spec.encryption;
    if (e.recipient == nullptr) return Invalid(kWhere, "encryption.recipient is not set");
    if (e.recipient->type() != crypto::KeyType::kP256 &&
        e.recipient->type() != crypto::KeyType::kX25519) {
      // firmware-encryption §5.2.4 as profiled by mti §3: ECDH-ES + A128KW on
      // P-256 (ESP256 profiles) or X25519 (Ed25519 profiles).
      return Invalid(kWhere,
                     "encryption.recipient must be a P-256 or X25519 key (ECDH-ES + A128KW), got " +
                         std::string(crypto::KeyTypeName(e.recipient->type())));
    }
    // The content algorithms of the TEEP SUIT profiles (mti §3).
    if (e.content_alg != cose::kAlgA128Gcm && e.content_alg != cose::kAlgA128Ctr &&
        e.content_alg != cose::kAlgChaCha20Poly1305) {
      return Invalid(kWhere,
                     "encryption.content_alg must be A128GCM (1), A128CTR (-65534) or "
                     "ChaCha20/Poly1305 (24), got " +
                         std::to_string(e.content_alg));
    }
    if (spec.payload_uri) {
      return Invalid(kWhere, "an encrypted payload travels in the manifest (content parameter); "
                             "payload_uri cannot be combined with encryption");
    }
  } else if (spec.payload_uri) {
    if (spec.payload_uri->empty()) return Invalid(kWhere, "payload_uri is empty");
  } else {
    // manifest-37 §7.5: an integrated payload is referenced as "#key" and
    // stored under that text key in the envelope.
    if (spec.integrated_key.size() < 2 || spec.integrated_key[0] != '#') {
      return Invalid(kWhere, "integrated_key must be a URI fragment such as \"#tc\", got \"" +
                                 spec.integrated_key + "\"");
    }
    if (spec.integrated_key.rfind("#dep", 0) == 0 && !spec.dependencies.empty()) {
      return Invalid(kWhere, "integrated_key \"" + spec.integrated_key +
                                 "\" is reserved for integrated dependencies");
    }
  }
  return OkStatus();
}

}  // namespace

// ---- level 1 --------------------------------------------------------------------

Result<Bytes> SeveredMemberDigest(ByteView member_content) {
  // manifest-37 §8.4.4 / README §1: the digest covers the bstr-wrapped member
  // including its bstr head.
  TEEP_ASSIGN_OR_RETURN(Bytes digest, ComputeDigest(kDigestSha256, cose::EncodeBytesItem(member_content)));
  return EncodeDigest(kDigestSha256, digest);
}

Result<Bytes> SignEnvelope(const EnvelopeParts& parts, const crypto::PrivateKey& signer,
                           int64_t alg) {
  TEEP_ASSIGN_OR_RETURN(int64_t chosen_alg, ChooseAlg(signer, alg));
  if (parts.manifest.empty()) return Invalid("EnvelopeParts", "manifest is empty");

  // Severed members: integer keys in ascending order (RFC 8949 §4.2.1 for
  // unsigned keys); only the severable ones (manifest-37 §8.4.4).
  std::vector<std::pair<int64_t, ByteView>> severed;
  for (const auto& [key, content] : parts.severed) {
    if (!IsSeverableKey(key)) {
      return Invalid("EnvelopeParts.severed", "envelope key " + std::to_string(key) +
                                                  " cannot carry a severed member");
    }
    severed.emplace_back(key, content);
  }
  std::sort(severed.begin(), severed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < severed.size(); ++i) {
    if (severed[i].first == severed[i - 1].first) {
      return Invalid("EnvelopeParts.severed",
                     "envelope key " + std::to_string(severed[i].first) + " given twice");
    }
  }

  // Integrated payloads: text keys sorted by their encodings (shorter first,
  // then bytewise), as deterministic encoding requires.
  std::vector<std::pair<Bytes, ByteView>> integrated;
  for (const auto& [key, bytes] : parts.integrated) {
    if (key.empty()) return Invalid("EnvelopeParts.integrated", "empty key");
    integrated.emplace_back(EncodeTextItem(key), bytes);
  }
  std::sort(integrated.begin(), integrated.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < integrated.size(); ++i) {
    if (integrated[i].first == integrated[i - 1].first) {
      return Invalid("EnvelopeParts.integrated", "a key is given twice");
    }
  }

  // manifest-37 §8.3: SUIT_Digest over the bstr-wrapped manifest (head
  // included), signed as the detached payload of COSE_Sign1_Tagged.
  Bytes wrapped_manifest = cose::EncodeBytesItem(parts.manifest);
  TEEP_ASSIGN_OR_RETURN(Bytes digest_bytes, ComputeDigest(kDigestSha256, wrapped_manifest));
  TEEP_ASSIGN_OR_RETURN(Bytes suit_digest, EncodeDigest(kDigestSha256, digest_bytes));
  cose::SignOptions options;
  options.tagged = true;
  options.detached = true;
  options.alg = chosen_alg;
  Result<Bytes> sign1 = cose::CreateSign1(signer, suit_digest, options);
  if (!sign1.ok()) return sign1.status().WithContext("SUIT_Envelope.authentication-wrapper[1]");

  cbor::Writer auth;
  auth.BeginArray(2);
  auth.WriteBytes(suit_digest);
  auth.WriteBytes(*sign1);
  TEEP_ASSIGN_OR_RETURN(Bytes auth_bytes, std::move(auth).Finish());

  cbor::Writer w;
  if (parts.tagged) w.WriteTag(kTagEnvelope);
  w.BeginMap(2 + severed.size() + integrated.size());
  w.WriteUint(kEnvelopeAuthentication);
  w.WriteBytes(auth_bytes);
  w.WriteUint(kEnvelopeManifest);
  w.WriteRaw(wrapped_manifest);
  for (const auto& [key, content] : severed) {
    w.WriteUint(static_cast<uint64_t>(key));
    w.WriteBytes(content);
  }
  for (const auto& [key, bytes] : integrated) {
    w.WriteRaw(key);
    w.WriteBytes(bytes);
  }
  Result<Bytes> out = std::move(w).Finish();
  if (!out.ok()) return out.status().WithContext("SUIT_Envelope");
  return out;
}

// ---- level 2 --------------------------------------------------------------------

Result<Bytes> BuildEnvelope(const ManifestSpec& spec, const crypto::PrivateKey& signer,
                            int64_t alg) {
  TEEP_RETURN_IF_ERROR(ValidateSpec(spec));
  TEEP_RETURN_IF_ERROR(ChooseAlg(signer, alg).status());
  const Bytes& payload = *spec.payload;

  std::vector<Dependency> deps;
  for (size_t i = 0; i < spec.dependencies.size(); ++i) {
    TEEP_ASSIGN_OR_RETURN(Dependency dep, InspectDependency(spec.dependencies[i], i + 1));
    for (size_t j = 0; j < deps.size(); ++j) {
      if (deps[j].prefix == dep.prefix) {
        // Two entries of the dependency map would name the same manifest.
        return Invalid("ManifestSpec.dependencies[" + std::to_string(i) + "]",
                       "same manifest-component-id " + DescribeEncodedComponentId(dep.prefix) +
                           " as dependencies[" + std::to_string(j) + "]");
      }
    }
    deps.push_back(std::move(dep));
  }
  // With more than one component index in use, every sequence selects its
  // component first (manifest-37 §6.4 recommendation; README §3.1 step 8).
  const bool multi = !deps.empty();

  EnvelopeParts parts;
  parts.tagged = spec.tagged;

  // ---- common: dependencies, components, shared sequence (manifest-37 §8.4.5).
  CommandSequence shared;
  if (multi) shared.SetComponentIndex(0);
  {
    std::vector<std::pair<uint64_t, Bytes>> params;
    if (spec.vendor_id) params.emplace_back(kParamVendorId, cose::EncodeBytesItem(*spec.vendor_id));
    if (spec.class_id) params.emplace_back(kParamClassId, cose::EncodeBytesItem(*spec.class_id));
    // The digest and size of the plaintext image: what image-match checks
    // after fetch (plain) or after directive-write decrypted it (encrypted).
    TEEP_ASSIGN_OR_RETURN(Bytes digest_param, ImageDigestParam(payload));
    params.emplace_back(kParamImageDigest, std::move(digest_param));
    params.emplace_back(kParamImageSize, EncodeUintItem(payload.size()));
    TEEP_RETURN_IF_ERROR(AddOverride(shared, params));
  }
  // manifest-37 §8.4.5: the shared sequence should check vendor and class.
  if (spec.vendor_id) shared.WithPolicy(kCondVendorIdentifier);
  if (spec.class_id) shared.WithPolicy(kCondClassIdentifier);
  TEEP_ASSIGN_OR_RETURN(Bytes shared_bytes, shared.Encode());

  std::vector<ByteView> tc_parts(spec.component_id.begin(), spec.component_id.end());
  cbor::Writer common;
  common.BeginMap(multi ? 3 : 2);
  if (multi) {
    // trust-domains §6.1: {component-index => {dependency-prefix: id}}.
    common.WriteUint(kCommonDependencies);
    common.BeginMap(deps.size());
    for (const Dependency& dep : deps) {
      common.WriteUint(dep.index);
      common.BeginMap(1);
      common.WriteUint(kDependencyPrefix);
      common.WriteRaw(dep.prefix);
    }
  }
  common.WriteUint(kCommonComponents);
  common.BeginArray(1);
  common.WriteRaw(EncodeComponentId(tc_parts));
  common.WriteUint(kCommonSharedSequence);
  common.WriteBytes(shared_bytes);
  TEEP_ASSIGN_OR_RETURN(Bytes common_bytes, std::move(common).Finish());

  // ---- install (20).
  CommandSequence install;
  for (const Dependency& dep : deps) {
    // trust-domains §5.6.3: run the dependency's install section.
    install.SetComponentIndex(dep.index);
    install.WithPolicy(kDirProcessDependency);
  }
  if (multi) install.SetComponentIndex(0);
  if (spec.encryption) {
    // firmware-encryption §4 and TEEP Appendix E.3: the ciphertext is the
    // content parameter, encryption-info the COSE_Encrypt with detached
    // ciphertext; directive-write decrypts into the component.
    const PayloadEncryption& e = *spec.encryption;
    cose::EcdhRecipient recipient{e.recipient, e.recipient_kid, kPayloadEncryptionKdfOther,
                                  cose::kAlgEcdhEsA128Kw};
    std::vector<cose::RecipientSpec> recipients{recipient};
    cose::EncryptOptions options;
    options.content_alg = e.content_alg;
    options.tagged = true;
    options.detached = true;
    Result<cose::EncryptResult> enc = cose::CreateEncrypt(recipients, payload, options);
    if (!enc.ok()) return enc.status().WithContext("ManifestSpec.encryption");
    TEEP_RETURN_IF_ERROR(AddOverride(
        install, {{kParamContent, cose::EncodeBytesItem(enc->detached_ciphertext)},
                  {kParamEncryptionInfo, cose::EncodeBytesItem(enc->message)}}));
    install.WithPolicy(kDirWrite);
  } else {
    std::string uri = spec.payload_uri ? *spec.payload_uri : spec.integrated_key;
    if (!spec.payload_uri) parts.integrated.emplace_back(spec.integrated_key, payload);
    TEEP_RETURN_IF_ERROR(AddOverride(install, {{kParamUri, EncodeTextItem(uri)}}));
    install.WithPolicy(kDirFetch);
  }
  install.WithPolicy(kCondImageMatch);
  TEEP_ASSIGN_OR_RETURN(Bytes install_bytes, install.Encode());

  // ---- dependency-resolution (15, trust-domains §6.2): fetch each
  // dependency and check it before anything is installed.
  Bytes resolution_bytes;
  if (multi) {
    CommandSequence resolution;
    for (const Dependency& dep : deps) {
      resolution.SetComponentIndex(dep.index);
      TEEP_RETURN_IF_ERROR(AddOverride(resolution, {{kParamImageDigest, dep.digest_param},
                                                    {kParamImageSize, EncodeUintItem(dep.size)},
                                                    {kParamUri, EncodeTextItem(dep.uri)}}));
      resolution.WithPolicy(kDirFetch);
      // trust-domains §5.6.2: process-dependency aborts unless the
      // dependency passed this condition in the same manifest context.
      resolution.WithPolicy(kCondDependencyIntegrity);
      if (dep.integrated) {
        parts.integrated.emplace_back(dep.uri, spec.dependencies[dep.index - 1].envelope);
      }
    }
    TEEP_ASSIGN_OR_RETURN(resolution_bytes, resolution.Encode());
  }

  // ---- validate (7): the installed image still matches.
  CommandSequence validate;
  if (multi) validate.SetComponentIndex(0);
  validate.WithPolicy(kCondImageMatch);
  TEEP_ASSIGN_OR_RETURN(Bytes validate_bytes, validate.Encode());

  // ---- invoke (9).
  Bytes invoke_bytes;
  if (spec.invoke) {
    CommandSequence invoke;
    if (multi) invoke.SetComponentIndex(0);
    invoke.WithPolicy(kDirInvoke);
    TEEP_ASSIGN_OR_RETURN(invoke_bytes, invoke.Encode());
  }

  // ---- uninstall (24, trust-domains §6.4): dependencies first, then unlink.
  Bytes uninstall_bytes;
  if (spec.uninstall) {
    CommandSequence uninstall;
    for (const Dependency& dep : deps) {
      uninstall.SetComponentIndex(dep.index);
      uninstall.WithPolicy(kDirProcessDependency);
    }
    if (multi) uninstall.SetComponentIndex(0);
    uninstall.WithPolicy(kDirUnlink);
    TEEP_ASSIGN_OR_RETURN(uninstall_bytes, uninstall.Encode());
  }

  // ---- the manifest, keys in ascending order.
  const bool has_ref = spec.reference_uri.has_value();
  const bool has_mcid = spec.manifest_component_id.has_value();
  uint64_t pairs = 3 /* version, sequence, common */ + (has_ref ? 1 : 0) + (has_mcid ? 1 : 0) +
                   1 /* validate */ + (spec.invoke ? 1 : 0) + (multi ? 1 : 0) +
                   1 /* install */ + (spec.uninstall ? 1 : 0);
  cbor::Writer m;
  m.BeginMap(pairs);
  m.WriteUint(kManifestVersion);
  m.WriteUint(1);  // manifest-37 §8.4.1
  m.WriteUint(kManifestSequenceNumber);
  m.WriteUint(spec.sequence_number);
  m.WriteUint(kManifestCommon);
  m.WriteBytes(common_bytes);
  if (has_ref) {
    m.WriteUint(kManifestReferenceUri);
    m.WriteText(*spec.reference_uri);
  }
  if (has_mcid) {
    std::vector<ByteView> id(spec.manifest_component_id->begin(),
                             spec.manifest_component_id->end());
    m.WriteUint(kManifestComponentId);
    m.WriteRaw(EncodeComponentId(id));
  }
  m.WriteUint(kManifestValidate);
  m.WriteBytes(validate_bytes);
  if (spec.invoke) {
    m.WriteUint(kManifestInvoke);
    m.WriteBytes(invoke_bytes);
  }
  if (multi) {
    m.WriteUint(kManifestDependencyResolution);
    m.WriteBytes(resolution_bytes);
  }
  m.WriteUint(kManifestInstall);
  m.WriteBytes(install_bytes);
  if (spec.uninstall) {
    m.WriteUint(kManifestUninstall);
    m.WriteBytes(uninstall_bytes);
  }
  Result<Bytes> manifest = std::move(m).Finish();
  if (!manifest.ok()) return manifest.status().WithContext("SUIT_Manifest");
  parts.manifest = std::move(manifest).value();
  return SignEnvelope(parts, signer, alg);
}

}  // namespace teep::suit
