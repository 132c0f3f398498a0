// Directives (draft-ietf-suit-manifest-37 §8.4.10; trust-domains-12
// §5.6.3-5; firmware-encryption-24 §4; update-management-14 §5). Effects go
// to the platform's ComponentStore, staged until the procedure commits.
#include <string>

#include "core/cose/encrypt.h"
#include "core/suit/commands.h"
#include "core/suit/component_id.h"
#include "core/suit/interpreter.h"
#include "core/suit/parameters.h"

namespace teep::suit::internal {

namespace {

// A capability the platform lacks (no fetcher, no invoke, no key) is
// reported as kNotFound, so it maps to operation-failed; kUnsupported stays
// reserved for algorithms (alg-unsupported).

Status Missing(std::string_view parameter) {
  return Status(StatusCode::kNotFound, std::string(parameter) + " is not set");
}

}  // namespace

Status ManifestContext::Directive(int64_t code, uint64_t index) {
  switch (code) {
    case kDirFetch: return Fetch(index);
    case kDirCopy: return Copy(index);
    case kDirWrite: return Write(index);
    case kDirSwap: return Swap(index);
    case kDirInvoke: return Invoke(index);
    case kDirUnlink: return Unlink(index);
    case kDirProcessDependency: return ProcessDependency(index);
    case kDirWait: {
      auto info = Params(index).Bstr(kParamWaitInfo);
      if (!info) return Missing("wait-info");
      if (!state_.platform.wait) {
        return Status(StatusCode::kNotFound, "the platform cannot wait for events");
      }
      return state_.platform.wait(*info);
    }
    default:
      return Status(StatusCode::kInternal, "not a directive: " + CommandName(code));
  }
}

Status ManifestContext::Fetch(uint64_t index) {
  auto uri = Params(index).Text(kParamUri);
  if (!uri) return Missing("uri");
  // manifest-37 §8.4.10.5: "#name" designates an integrated payload (or, for
  // a dependency, an integrated dependency envelope, trust-domains §5.3).
  const bool integrated = !uri->empty() && uri->front() == '#';
  ByteView data;  // an integrated payload: a view into the envelope
  Bytes fetched;  // a fetched one: owned here
  if (integrated) {
    const IntegratedPayload* payload = envelope_.FindPayload(*uri);
    if (payload == nullptr) {
      return Status(StatusCode::kNotFound,
                    "the envelope has no integrated payload \"" + std::string(*uri) + "\"");
    }
    data = payload->bytes;
  } else {
    if (!state_.platform.fetch) {
      return Status(StatusCode::kNotFound,
                    "no fetcher for \"" + std::string(*uri) + "\" (only integrated payloads)");
    }
    auto result = state_.platform.fetch(*uri, Params(index).Bstr(kParamFetchArgs).value_or(ByteView{}));
    if (!result.ok()) {
      return result.status().WithContext("fetching \"" + std::string(*uri) + "\"");
    }
    fetched = std::move(result).value();
  }
  if (IsDependency(index)) {
    // A fetched dependency envelope must outlive the views into it.
    if (!integrated) {
      state_.owned.push_back(std::move(fetched));
      data = state_.owned.back();
    }
    // A new dependency image invalidates its integrity check (trust-domains §5.6.2).
    fetched_dependency_[index] = data;
    verified_.erase(index);
    return OkStatus();
  }
  if (integrated) return state_.platform.store->Write(ComponentKey(index), data);
  // Hand the buffer to the store rather than copying it a second time.
  return state_.platform.store->WriteOwned(ComponentKey(index), std::move(fetched));
}

Result<Bytes> ManifestContext::Decrypt(uint64_t index, ByteView ciphertext) {
  // firmware-encryption-24 §4: encryption-info is a COSE_Encrypt whose
  // ciphertext is detached (it is the content or the source component).
  ByteView info = *Params(index).Bstr(kParamEncryptionInfo);
  TEEP_ASSIGN_OR_RETURN(cose::EncryptMessage message, cose::DecodeEncrypt(info));
  if (message.ciphertext) {
    return Status(StatusCode::kMalformed,
                  "encryption-info: the COSE_Encrypt ciphertext must be detached (nil)");
  }
  if (state_.platform.decryption_keys.empty()) {
    return Status(StatusCode::kNotFound, "encrypted payload, but the device has no decryption key");
  }
  Status last;
  for (const cose::DecryptionKey& key : state_.platform.decryption_keys) {
    cose::DecryptionKey with_context = key;
    if (auto* ecdh = std::get_if<cose::EcdhKey>(&with_context)) ecdh->kdf_other = kPayloadEncryptionKdfOther;
    auto plaintext = cose::DecryptEncrypt(message, with_context, {}, ciphertext);
    // The plaintext goes to the component store as it is: no second copy.
    if (plaintext.ok()) return std::move(*plaintext).Release();
    last = plaintext.status();
  }
  return Status(StatusCode::kVerificationFailed,
                "no decryption key recovers the payload: " + last.message());
}

Status ManifestContext::Write(uint64_t index) {
  if (!IsComponent(index)) {
    return Status(StatusCode::kInvalidArgument, "directive-write targets a dependency index");
  }
  auto content = Params(index).Bstr(kParamContent);
  if (!content) return Missing("content");
  if (Params(index).Has(kParamEncryptionInfo)) {
    TEEP_ASSIGN_OR_RETURN(Bytes plaintext, Decrypt(index, *content));
    return state_.platform.store->WriteOwned(ComponentKey(index), std::move(plaintext));
  }
  return state_.platform.store->Write(ComponentKey(index), *content);
}

Status ManifestContext::Copy(uint64_t index) {
  auto source = Params(index).Uint(kParamSourceComponent);
  if (!source) return Missing("source-component");
  if (!IsComponent(*source) || !IsComponent(index)) {
    return Status(StatusCode::kInvalidArgument,
                  "directive-copy works between components of the components list");
  }
  if (Params(index).Has(kParamEncryptionInfo)) {
    Bytes ciphertext;
    TEEP_RETURN_IF_ERROR(ReadComponent(*source, &ciphertext));
    TEEP_ASSIGN_OR_RETURN(Bytes plaintext, Decrypt(index, ciphertext));
    return state_.platform.store->WriteOwned(ComponentKey(index), std::move(plaintext));
  }
  return state_.platform.store->Copy(ComponentKey(index), ComponentKey(*source));
}

Status ManifestContext::Swap(uint64_t index) {
  auto other = Params(index).Uint(kParamSourceComponent);
  if (!other) return Missing("source-component");
  if (!IsComponent(*other) || !IsComponent(index)) {
    return Status(StatusCode::kInvalidArgument,
                  "directive-swap works between components of the components list");
  }
  return state_.platform.store->Swap(ComponentKey(index), ComponentKey(*other));
}

Status ManifestContext::Invoke(uint64_t index) {
  if (!IsComponent(index)) {
    return Status(StatusCode::kInvalidArgument, "directive-invoke targets a dependency index");
  }
  if (!state_.platform.invoke) {
    return Status(StatusCode::kNotFound, "the platform cannot invoke components");
  }
  return state_.platform.invoke(manifest_.common.components[index],
                                Params(index).Bstr(kParamInvokeArgs).value_or(ByteView{}));
}

Status ManifestContext::Unlink(uint64_t index) {
  // trust-domains §5.6.5: unlinking a dependency releases one reference to
  // it; unlinking a component removes it (staged until commit).
  if (IsDependency(index)) return ReleaseDependency(index);
  return state_.platform.store->Remove(ComponentKey(index));
}

Status ManifestContext::ProcessDependency(uint64_t index) {
  if (!IsDependency(index)) {
    return Status(StatusCode::kInvalidArgument,
                  "component " + std::to_string(index) + " is not a dependency");
  }
  // In the uninstall procedure, processing a dependency means releasing it:
  // its own uninstall runs only when nobody else needs it (reference count).
  if (state_.procedure == Procedure::kUninstall) return ReleaseDependency(index);
  if (verified_.count(index) == 0) {
    if (!state_.policy.implicit_dependency_integrity) {
      return Status(StatusCode::kVerificationFailed,
                    "dependency " + std::to_string(index) +
                        " has not passed condition-dependency-integrity (trust-domains §5.6.2)");
    }
    auto verified = VerifyDependency(index);
    if (!verified.ok()) return verified.status();
    verified_.emplace(index, std::move(verified).value());
  }
  if (depth_ + 1 > state_.policy.max_dependency_depth) {
    return Status(StatusCode::kLimitExceeded, "dependencies nested deeper than " +
                                                  std::to_string(state_.policy.max_dependency_depth));
  }
  const VerifiedDependency& dep = verified_.at(index);
  std::vector<uint64_t> path = path_;
  path.push_back(index);
  ManifestContext child(state_, dep.envelope, dep.authenticated.manifest, std::move(path),
                        depth_ + 1);
  if (auto inherited = for_dependency_.find(index); inherited != for_dependency_.end()) {
    child.InheritParameters(inherited->second);
  }
  // trust-domains §5.6.3: run the dependency's shared sequence and its
  // section of the same name as the one running here.
  if (!child.Init() || !child.RunSection(section_)) {
    return Status(StatusCode::kInternal, "dependency " + std::to_string(index) + " failed");
  }
  ProcessedDependency done;
  done.slot = child.Slot();
  done.sequence_number = dep.authenticated.manifest.sequence_number;
  TEEP_ASSIGN_OR_RETURN(done.envelope, EncodeInstalledEnvelope(dep.envelope));
  done.dependent_slot = Slot();
  for (const auto& existing : state_.dependencies) {
    if (existing.slot == done.slot && existing.dependent_slot == done.dependent_slot) {
      return OkStatus();
    }
  }
  state_.dependencies.push_back(std::move(done));
  return OkStatus();
}

Status ManifestContext::ReleaseDependency(uint64_t index) {
  TEEP_ASSIGN_OR_RETURN(auto record, FindInstalledUnder(state_.platform.store,
                                                        dependency_prefix_.at(index)));
  if (!record) return OkStatus();  // nothing installed under that prefix
  std::vector<uint64_t> path = path_;
  path.push_back(index);
  return ReleaseManifest(state_, std::move(*record), std::move(path), depth_ + 1);
}

}  // namespace teep::suit::internal
