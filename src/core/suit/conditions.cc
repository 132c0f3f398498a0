// Conditions (draft-ietf-suit-manifest-37 §8.4.9; trust-domains-12 §5.6.1-2;
// update-management-14 §5). Each returns true/false; a condition whose input
// is missing (parameter unset, component absent, platform callback absent)
// is false, never skipped. An error (malformed digest, unsupported
// algorithm, forged dependency) aborts regardless of soft-failure.
#include <algorithm>
#include <string>

#include "core/cbor/reader.h"
#include "core/cbor/writer.h"
#include "core/cose/headers.h"
#include "core/crypto/crypto.h"
#include "core/suit/commands.h"
#include "core/suit/component_id.h"
#include "core/suit/decode_util.h"
#include "core/suit/digest.h"
#include "core/suit/interpreter.h"

namespace teep::suit::internal {

namespace {

bool AnyEqual(const std::vector<Bytes>& known, ByteView value) {
  return std::any_of(known.begin(), known.end(), [&](const Bytes& k) {
    return k.size() == value.size() && std::equal(k.begin(), k.end(), value.begin());
  });
}

// update-management §4.5: bstr .cbor [comparison-type, [+ int]].
struct VersionRequirement {
  uint64_t comparison = 0;  // 1 >, 2 >=, 3 ==, 4 <=, 5 <
  std::vector<int64_t> version;
};

Result<VersionRequirement> DecodeVersion(ByteView content) {
  constexpr std::string_view kPath = "parameter-version";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(content, kPath));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kPath, &n));
  if (n != 2) return Malformed(kPath, "expected [comparison-type, [+ int]]");
  VersionRequirement v;
  TEEP_RETURN_IF_ERROR(ReadUint(r, Index(kPath, 0), &v.comparison));
  if (v.comparison < 1 || v.comparison > 5) {
    return Malformed(Index(kPath, 0), "comparison type must be 1..5");
  }
  uint64_t parts = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, Index(kPath, 1), &parts));
  if (parts == 0) return Malformed(Index(kPath, 1), "a version has at least one part");
  for (uint64_t i = 0; i < parts; ++i) {
    int64_t part = 0;
    TEEP_RETURN_IF_ERROR(ReadInt(r, Index(Index(kPath, 1), i), &part));
    v.version.push_back(part);
  }
  return v;
}

// Lexicographic comparison, missing trailing parts counting as 0.
int CompareVersions(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = i < a.size() ? a[i] : 0;
    const int64_t y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

}  // namespace

Result<bool> ManifestContext::Condition(int64_t code, uint64_t index,
                                        std::vector<std::pair<int64_t, Bytes>>* measured) {
  const Platform& platform = state_.platform;
  ParameterSet& params = Params(index);
  switch (code) {
    case kCondVendorIdentifier: {
      auto id = params.Bstr(kParamVendorId);
      return id && AnyEqual(platform.vendor_ids, *id);
    }
    case kCondClassIdentifier: {
      auto id = params.Bstr(kParamClassId);
      return id && AnyEqual(platform.class_ids, *id);
    }
    case kCondDeviceIdentifier: {
      auto id = params.Bstr(kParamDeviceId);
      return id && AnyEqual(platform.device_ids, *id);
    }
    case kCondImageMatch:
    case kCondImageNotMatch: {
      // A missing image-digest makes both conditions fail (manifest-37 §8.4.9.3).
      if (!params.Has(kParamImageDigest)) return false;
      TEEP_ASSIGN_OR_RETURN(bool match, ImageMatches(index, measured));
      return code == kCondImageMatch ? match : !match;
    }
    case kCondComponentSlot: {
      auto wanted = params.Uint(kParamComponentSlot);
      if (!wanted || !platform.component_slot || !IsComponent(index)) return false;
      auto slot = platform.component_slot(manifest_.common.components[index]);
      return slot && *slot == *wanted;
    }
    case kCondCheckContent: return CheckContent(index);
    case kCondDependencyIntegrity: return DependencyIntegrity(index);
    case kCondIsDependency: return IsDependency(index);
    case kCondAbort: return false;  // manifest-37 §8.4.9.7: always fails
    case kCondUseBefore: {
      auto deadline = params.Uint(kParamUseBefore);
      if (!deadline || !platform.now) return false;
      auto now = platform.now();
      return now && *now <= *deadline;
    }
    case kCondMinimumBattery: {
      auto minimum = params.Uint(kParamMinimumBattery);
      if (!minimum || !platform.battery_mwh) return false;
      auto level = platform.battery_mwh();
      return level && *level >= *minimum;
    }
    case kCondUpdateAuthorized: {
      auto priority = params.Int(kParamUpdatePriority);
      return priority && platform.update_authorized && platform.update_authorized(*priority);
    }
    case kCondVersion: return VersionMatches(index);
    default:
      return Status(StatusCode::kInternal, "not a condition: " + CommandName(code));
  }
}

Result<bool> ManifestContext::ImageMatches(uint64_t index,
                                           std::vector<std::pair<int64_t, Bytes>>* measured) {
  ParameterSet& params = Params(index);
  TEEP_ASSIGN_OR_RETURN(Digest expected,
                        DecodeDigest(*params.Bstr(kParamImageDigest), "parameter-image-digest"));
  Bytes actual;
  if (IsDependency(index)) {
    // trust-domains §5.6.1: for a dependency the image is its bstr-wrapped
    // manifest, i.e. the digest is the dependency's authentication digest.
    auto fetched = fetched_dependency_.find(index);
    if (fetched == fetched_dependency_.end()) return false;
    auto envelope = DecodeEnvelope(fetched->second);
    if (!envelope.ok()) return false;
    TEEP_ASSIGN_OR_RETURN(actual, ComputeDigest(expected.alg, envelope->manifest.wrapped));
  } else {
    const Bytes key = ComponentKey(index);
    TEEP_ASSIGN_OR_RETURN(auto size, state_.platform.store->Size(key));
    if (!size) return false;
    measured->emplace_back(kParamImageSize, [&] {
      cbor::Writer w;
      w.WriteUint(*size);
      return std::move(w).Finish().value();
    }());
    // image-size bounds what is hashed: a component of another size cannot match.
    auto expected_size = params.Uint(kParamImageSize);
    if (expected_size && *expected_size != *size) return false;
    if (expected.alg != kDigestSha256) {
      return ComputeDigest(expected.alg, {}).status();  // kUnsupported, with the message
    }
    TEEP_ASSIGN_OR_RETURN(crypto::Hasher hasher, crypto::Hasher::Create(crypto::HashAlg::kSha256));
    TEEP_RETURN_IF_ERROR(state_.platform.store->Read(
        key, [&](ByteView chunk) { return hasher.Update(chunk); }));
    TEEP_ASSIGN_OR_RETURN(actual, hasher.Finish());
  }
  TEEP_ASSIGN_OR_RETURN(Bytes encoded, EncodeDigest(expected.alg, actual));
  measured->emplace_back(kParamImageDigest, cose::EncodeBytesItem(encoded));
  return crypto::ConstantTimeEqual(actual, expected.bytes);
}

Status ManifestContext::ReadComponent(uint64_t index, Bytes* out) {
  out->clear();
  return state_.platform.store->Read(ComponentKey(index), [&](ByteView chunk) {
    out->insert(out->end(), chunk.begin(), chunk.end());
    return OkStatus();
  });
}

Result<bool> ManifestContext::CheckContent(uint64_t index) {
  // manifest-37 §8.4.9.6: compare with parameter-content in constant time.
  auto content = Params(index).Bstr(kParamContent);
  if (!content || !IsComponent(index)) return false;
  TEEP_ASSIGN_OR_RETURN(auto size, state_.platform.store->Size(ComponentKey(index)));
  if (!size || *size != content->size()) return false;
  Bytes actual;
  TEEP_RETURN_IF_ERROR(ReadComponent(index, &actual));
  return crypto::ConstantTimeEqual(actual, *content);
}

Result<bool> ManifestContext::VersionMatches(uint64_t index) {
  auto raw = Params(index).Bstr(kParamVersion);
  if (!raw || !state_.platform.version) return false;
  TEEP_ASSIGN_OR_RETURN(VersionRequirement wanted, DecodeVersion(*raw));
  auto installed = IsComponent(index)
                       ? state_.platform.version(manifest_.common.components[index])
                       : state_.platform.version(dependency_prefix_.at(index));
  if (!installed) return false;
  const int c = CompareVersions(*installed, wanted.version);
  switch (wanted.comparison) {
    case 1: return c > 0;
    case 2: return c >= 0;
    case 3: return c == 0;
    case 4: return c <= 0;
    default: return c < 0;
  }
}

Result<bool> ManifestContext::DependencyIntegrity(uint64_t index) {
  if (!IsDependency(index)) return false;
  if (fetched_dependency_.count(index) == 0) return false;
  // A dependency that does not verify is forged or corrupt: that aborts
  // (reason unauthorised) rather than failing softly.
  verified_.erase(index);
  auto verified = VerifyDependency(index);
  if (!verified.ok()) return verified.status();
  verified_.emplace(index, std::move(verified).value());
  return true;
}

Result<VerifiedDependency> ManifestContext::VerifyDependency(uint64_t index) {
  const std::string what = "dependency " + std::to_string(index);
  auto fetched = fetched_dependency_.find(index);
  if (fetched == fetched_dependency_.end()) {
    return Status(StatusCode::kNotFound, what + " has not been fetched");
  }
  VerifiedDependency dep;
  dep.bytes = fetched->second;
  TEEP_ASSIGN_OR_RETURN(dep.envelope, DecodeEnvelope(dep.bytes));
  // trust-domains §5.6.2: the dependency's own signature, with our anchors...
  auto authenticated = Authenticate(dep.envelope, state_.platform.trust_anchors);
  if (!authenticated.ok()) return authenticated.status().WithContext(what);
  dep.authenticated = std::move(authenticated).value();
  // ...and its digest is the one this manifest names (image-digest).
  auto named = Params(index).Bstr(kParamImageDigest);
  if (!named) {
    return Status(StatusCode::kVerificationFailed, what + ": image-digest is not set");
  }
  TEEP_ASSIGN_OR_RETURN(Digest expected, DecodeDigest(*named, "parameter-image-digest"));
  if (expected.alg != dep.authenticated.digest.alg ||
      !crypto::ConstantTimeEqual(expected.bytes, dep.authenticated.digest.bytes)) {
    return Status(StatusCode::kVerificationFailed,
                  what + ": its manifest digest differs from image-digest");
  }
  // The dependency must live under the prefix the dependent declared
  // (trust-domains §6.1): a dependent cannot pull in an unrelated manifest.
  const ComponentId& prefix = dependency_prefix_.at(index);
  const auto& id = dep.authenticated.manifest.manifest_component_id;
  if (!id || !IsPrefixOf(prefix, *id)) {
    return Status(StatusCode::kVerificationFailed,
                  what + ": its manifest component id is not under the declared prefix " +
                      DescribeComponentId(prefix));
  }
  // Anti-rollback applies to dependencies as to any manifest.
  const Bytes slot = ManifestSlot(dep.authenticated.manifest);
  TEEP_ASSIGN_OR_RETURN(auto highest, state_.platform.store->HighestSequence(slot));
  if (highest && dep.authenticated.manifest.sequence_number < *highest) {
    return Status(StatusCode::kVerificationFailed,
                  what + ": sequence number " +
                      std::to_string(dep.authenticated.manifest.sequence_number) +
                      " is lower than the installed " + std::to_string(*highest));
  }
  return dep;
}

}  // namespace teep::suit::internal
