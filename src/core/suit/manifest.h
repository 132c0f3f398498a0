// SUIT_Manifest decoding (draft-ietf-suit-manifest-37 §8.4; trust-domains
// §6 for keys 5, 15, 18, 24; update-management for key 14) and command
// sequence shape checks (§8.4.6). Only call DecodeManifest on a manifest whose
// envelope has been authenticated (Authenticate does this for you):
// manifest-37 §8.3 forbids parsing further before authentication.
//
// Views point into the envelope buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/suit/digest.h"
#include "core/suit/envelope.h"

namespace teep::suit {

// Manifest keys (manifest-37 §11.2; trust-domains §9.2; update-management §7.2).
enum ManifestKey : int64_t {
  kManifestVersion = 1,
  kManifestSequenceNumber = 2,
  kManifestCommon = 3,
  kManifestReferenceUri = 4,
  kManifestComponentId = 5,  // trust-domains
  kManifestValidate = 7,
  kManifestLoad = 8,
  kManifestInvoke = 9,
  kManifestCoswid = 14,                 // update-management
  kManifestDependencyResolution = 15,   // trust-domains
  kManifestPayloadFetch = 16,
  kManifestCandidateVerification = 18,  // trust-domains
  kManifestInstall = 20,
  kManifestText = 23,
  kManifestUninstall = 24,              // trust-domains
};

// SUIT_Common keys (manifest-37 §8.4.5; trust-domains §6.1).
enum CommonKey : int64_t {
  kCommonDependencies = 1,
  kCommonComponents = 2,
  kCommonSharedSequence = 4,
};

// "install (20)" etc.
std::string SectionName(int64_t key);

// SUIT_Component_Identifier = [* bstr]
using ComponentId = std::vector<ByteView>;

struct Common {
  std::vector<ComponentId> components;     // [+ component-id] when present
  std::optional<ByteView> dependencies;    // raw encoded map (trust-domains §6.1)
  std::optional<ByteView> shared_sequence; // content of the bstr
};

// A section of the manifest: inline (bstr content) or severed (a SUIT_Digest
// of the bstr-wrapped member that the envelope may carry).
struct SectionRef {
  int64_t key = 0;
  bool severed = false;
  ByteView content;  // inline: the section bytes
  Digest digest;     // severed: digest of the bstr-wrapped envelope member
};

struct Manifest {
  uint64_t version = 0;
  uint64_t sequence_number = 0;
  Common common;
  std::optional<std::string_view> reference_uri;
  std::optional<ComponentId> manifest_component_id;
  std::vector<SectionRef> sections;  // in wire order

  const SectionRef* FindSection(int64_t key) const;
};

// Decodes the manifest content (the bytes inside the envelope's key-3 bstr).
// Rejects a version other than 1 (manifest-37 §8.4.1), unknown keys,
// duplicates, wrong types, and a severed (digest) value for a section that
// may never be severed (7, 8, 9, 24).
Result<Manifest> DecodeManifest(ByteView content);

// The bytes of section `key`: inline -> the content of the bstr; severed ->
// the envelope member after its digest has been checked (manifest-37 §8.4.4).
// kNotFound when the manifest has no such section, or it is severed and the
// envelope does not carry it: an absent section is never treated as empty.
// kVerificationFailed when a severed member does not match its digest.
Result<ByteView> Section(const Manifest& manifest, const Envelope& envelope, int64_t key);

// SUIT_Dependencies (trust-domains-12 §6.1): component index =>
// { 1: dependency-prefix, * extensions }. Index keys must be uint; the
// prefix is required. Views point into `raw`.
Result<std::vector<std::pair<uint64_t, ComponentId>>> DecodeDependencies(ByteView raw);

// One (command, argument) pair of a SUIT_Command_Sequence. `argument` is the
// raw encoding of the argument item (not interpreted here).
struct Command {
  int64_t code = 0;
  ByteView argument;
  size_t offset = 0;  // byte offset of the command code within the sequence (SUIT_Record offset)
};

// Checks the shape of a command sequence (manifest-37 §8.4.6: an array of
// command/argument pairs, so even length, integer command codes) and splits
// it into pairs. Arguments are not interpreted.
Result<std::vector<Command>> DecodeCommandSequence(ByteView sequence);

}  // namespace teep::suit
