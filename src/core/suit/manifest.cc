#include "core/suit/manifest.h"

#include <string>

#include "core/cbor/reader.h"
#include "core/suit/decode_util.h"

namespace teep::suit {

using namespace internal;  // NOLINT: decode helpers
using cbor::MajorType;

namespace {

constexpr std::string_view kPath = "SUIT_Manifest";
constexpr std::string_view kCommonPath = "SUIT_Manifest.common";

std::string BareName(int64_t key) {
  switch (key) {
    case kManifestVersion: return "manifest-version";
    case kManifestSequenceNumber: return "manifest-sequence-number";
    case kManifestCommon: return "common";
    case kManifestReferenceUri: return "reference-uri";
    case kManifestComponentId: return "manifest-component-id";
    case kManifestValidate: return "validate";
    case kManifestLoad: return "load";
    case kManifestInvoke: return "invoke";
    case kManifestCoswid: return "coswid";
    case kManifestDependencyResolution: return "dependency-resolution";
    case kManifestPayloadFetch: return "payload-fetch";
    case kManifestCandidateVerification: return "candidate-verification";
    case kManifestInstall: return "install";
    case kManifestText: return "text";
    case kManifestUninstall: return "uninstall";
    default: return std::to_string(key);
  }
}

bool IsSectionKey(int64_t key) {
  switch (key) {
    case kManifestValidate:
    case kManifestLoad:
    case kManifestInvoke:
    case kManifestCoswid:
    case kManifestDependencyResolution:
    case kManifestPayloadFetch:
    case kManifestCandidateVerification:
    case kManifestInstall:
    case kManifestText:
    case kManifestUninstall: return true;
    default: return false;
  }
}

// manifest-37 §8.4.4 / trust-domains §6: validate, load, invoke and uninstall
// are SUIT_Unseverable_Members.
bool MayBeSevered(int64_t key) {
  return key != kManifestValidate && key != kManifestLoad && key != kManifestInvoke &&
         key != kManifestUninstall;
}

Status DecodeComponentId(cbor::Reader& r, std::string_view path, ComponentId* id) {
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, path, &n));
  for (uint64_t i = 0; i < n; ++i) {
    ByteView part;
    TEEP_RETURN_IF_ERROR(ReadBstr(r, Index(path, i), &part));
    id->push_back(part);
  }
  return OkStatus();
}

// SUIT_Common (manifest-37 §8.4.5).
Status DecodeCommon(ByteView content, Common* common) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(content, kCommonPath));
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kCommonPath, &pairs));
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(kCommonPath, i) + " key", &key));
    switch (key) {
      case kCommonDependencies: {
        const std::string path = Member(kCommonPath, "dependencies");
        if (r.PeekType() != MajorType::kMap) {
          return Malformed(path, "expected map, got " + cbor::DescribeNextItem(r));
        }
        ByteView raw;
        r.ReadRaw(&raw);
        common->dependencies = raw;
        break;
      }
      case kCommonComponents: {
        const std::string path = Member(kCommonPath, "components");
        uint64_t n = 0;
        TEEP_RETURN_IF_ERROR(ReadArray(r, path, &n));
        // SUIT_Components = [ + SUIT_Component_Identifier ]
        if (n == 0) return Malformed(path, "at least one component is required");
        for (uint64_t c = 0; c < n; ++c) {
          ComponentId id;
          TEEP_RETURN_IF_ERROR(DecodeComponentId(r, Index(path, c), &id));
          common->components.push_back(std::move(id));
        }
        break;
      }
      case kCommonSharedSequence: {
        ByteView seq;
        TEEP_RETURN_IF_ERROR(ReadBstr(r, Member(kCommonPath, "shared-sequence"), &seq));
        common->shared_sequence = seq;
        break;
      }
      default:
        return Malformed(kCommonPath, "unknown SUIT_Common key " + std::to_string(key));
    }
  }
  if (!r.ok()) return r.status().WithContext(kCommonPath);
  return OkStatus();
}

}  // namespace

std::string SectionName(int64_t key) { return BareName(key) + " (" + std::to_string(key) + ")"; }

const SectionRef* Manifest::FindSection(int64_t key) const {
  for (const auto& s : sections) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

Result<Manifest> DecodeManifest(ByteView content) {
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(content, kPath));
  if (r.PeekType() == MajorType::kTag) {
    // Inside an envelope the manifest is untagged; SUIT_Manifest_Tagged
    // (1070) is only for a standalone manifest.
    return Malformed(kPath, "expected an untagged map, got " + cbor::DescribeNextItem(r));
  }
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kPath, &pairs));
  Manifest m;
  bool have_version = false, have_sequence = false, have_common = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    TEEP_RETURN_IF_ERROR(ReadIntKey(r, Index(kPath, i) + " key", &key));
    const std::string path = Member(kPath, BareName(key));
    if (IsSectionKey(key)) {
      SectionRef s;
      s.key = key;
      if (r.PeekType() == MajorType::kArray) {
        // manifest-37 §8.4.4: a SUIT_Digest in place of the section means it
        // was severed to the envelope.
        if (!MayBeSevered(key)) {
          return Malformed(path, SectionName(key) + " may not be severed (got a SUIT_Digest)");
        }
        ByteView raw;
        r.ReadRaw(&raw);
        TEEP_ASSIGN_OR_RETURN(s.digest, DecodeDigest(raw, path));
        s.severed = true;
      } else if (r.PeekType() == MajorType::kBytes) {
        r.ReadBytes(&s.content);
      } else {
        return Malformed(path, std::string(MayBeSevered(key) ? "expected bstr or SUIT_Digest"
                                                             : "expected bstr") +
                                   ", got " + cbor::DescribeNextItem(r));
      }
      m.sections.push_back(s);
      continue;
    }
    switch (key) {
      case kManifestVersion:
        TEEP_RETURN_IF_ERROR(ReadUint(r, path, &m.version));
        // manifest-37 §8.4.1: a processor must reject a manifest version it
        // does not understand; the only version is 1.
        if (m.version != 1) {
          return Malformed(path, "unsupported manifest version " + std::to_string(m.version) +
                                     " (only 1)");
        }
        have_version = true;
        break;
      case kManifestSequenceNumber:
        TEEP_RETURN_IF_ERROR(ReadUint(r, path, &m.sequence_number));
        have_sequence = true;
        break;
      case kManifestCommon: {
        ByteView common;
        TEEP_RETURN_IF_ERROR(ReadBstr(r, path, &common));
        TEEP_RETURN_IF_ERROR(DecodeCommon(common, &m.common));
        have_common = true;
        break;
      }
      case kManifestReferenceUri: {
        std::string_view uri;
        TEEP_RETURN_IF_ERROR(ReadText(r, path, &uri));
        m.reference_uri = uri;
        break;
      }
      case kManifestComponentId: {
        ComponentId id;
        TEEP_RETURN_IF_ERROR(DecodeComponentId(r, path, &id));
        m.manifest_component_id = std::move(id);
        break;
      }
      default:
        // Unknown manifest members could carry semantics we would ignore.
        return Malformed(kPath, "unknown manifest key " + std::to_string(key));
    }
  }
  if (!r.ok()) return r.status().WithContext(kPath);
  // manifest-37 §8.4: version, sequence number and common are required.
  if (!have_version) return Malformed(kPath, "manifest-version (1) is missing");
  if (!have_sequence) return Malformed(kPath, "manifest-sequence-number (2) is missing");
  if (!have_common) return Malformed(kPath, "common (3) is missing");
  return m;
}

Result<ByteView> Section(const Manifest& manifest, const Envelope& envelope, int64_t key) {
  const SectionRef* s = manifest.FindSection(key);
  if (s == nullptr) {
    return Status(StatusCode::kNotFound, "the manifest has no " + SectionName(key) + " section");
  }
  if (!s->severed) return s->content;
  // manifest-37 §8.4.4: a severed member must be supplied by the envelope and
  // match the digest over its bstr-wrapped form. Never run it as if empty.
  const SeveredMember* member = envelope.FindSevered(key);
  if (member == nullptr) {
    return Status(StatusCode::kNotFound,
                  "severed " + SectionName(key) + " is not in the envelope");
  }
  Status check = CheckDigest(s->digest, member->value.wrapped);
  if (!check.ok()) return check.WithContext("SUIT_Envelope." + BareName(key));
  return member->value.content;
}

Result<std::vector<std::pair<uint64_t, ComponentId>>> DecodeDependencies(ByteView raw) {
  constexpr std::string_view kDepPath = "SUIT_Common.dependencies";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(raw, kDepPath));
  uint64_t pairs = 0;
  TEEP_RETURN_IF_ERROR(ReadMap(r, kDepPath, &pairs));
  std::vector<std::pair<uint64_t, ComponentId>> out;
  for (uint64_t i = 0; i < pairs; ++i) {
    uint64_t index = 0;
    TEEP_RETURN_IF_ERROR(ReadUint(r, Index(kDepPath, i) + " key", &index));
    const std::string path = Index(kDepPath, index);
    uint64_t fields = 0;
    TEEP_RETURN_IF_ERROR(ReadMap(r, path, &fields));
    std::optional<ComponentId> prefix;
    for (uint64_t f = 0; f < fields; ++f) {
      int64_t key = 0;
      TEEP_RETURN_IF_ERROR(ReadIntKey(r, path + " key", &key));
      if (key == 1) {  // suit-dependency-prefix
        ComponentId id;
        TEEP_RETURN_IF_ERROR(DecodeComponentId(r, Member(path, "dependency-prefix"), &id));
        prefix = std::move(id);
      } else if (!r.Skip()) {  // $$SUIT_Dependency-extensions
        return r.status().WithContext(path);
      }
    }
    if (!prefix) return Malformed(path, "dependency-prefix (1) is required");
    out.emplace_back(index, std::move(*prefix));
  }
  if (!r.ok()) return r.status().WithContext(kDepPath);
  return out;
}

Result<std::vector<Command>> DecodeCommandSequence(ByteView sequence) {
  constexpr std::string_view kSeqPath = "SUIT_Command_Sequence";
  TEEP_ASSIGN_OR_RETURN(cbor::Reader r, OpenItem(sequence, kSeqPath));
  uint64_t n = 0;
  TEEP_RETURN_IF_ERROR(ReadArray(r, kSeqPath, &n));
  // manifest-37 §8.4.6: [ + (command-code, argument) ].
  if (n == 0) return Malformed(kSeqPath, "a command sequence holds at least one command");
  if (n % 2 != 0) {
    return Malformed(kSeqPath, "odd length " + std::to_string(n) +
                                   ": commands come in (code, argument) pairs");
  }
  std::vector<Command> out;
  out.reserve(n / 2);
  for (uint64_t i = 0; i < n; i += 2) {
    Command c;
    c.offset = r.offset();
    TEEP_RETURN_IF_ERROR(ReadInt(r, Index(kSeqPath, i), &c.code));
    if (!r.ReadRaw(&c.argument)) return r.status().WithContext(Index(kSeqPath, i + 1));
    out.push_back(c);
  }
  return out;
}

}  // namespace teep::suit
