// The Trusted Components an Agent holds, read from its SUIT component store,
// and the two ways it reports them to a TAM: tc-list entries of a
// QueryResponse (P §4.3: SUIT system-property-claims) and `manifests`
// entries of its Evidence (P §5; RFC 9711 §4.2.15).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/eat/claims.h"
#include "core/suit/component_store.h"
#include "core/teep/messages.h"

namespace teep::agent {

struct InstalledTc {
  // The manifest's slot (suit::ManifestSlot); unneeded-manifest-list names it.
  msg::ComponentId manifest_id;
  // The manifest's first component: the Trusted Component itself (TEEP
  // Appendix E keeps it apart from the manifest id, e.g. [..., 'ta'] beside
  // [..., 'suit']).
  msg::ComponentId component_id;
  uint64_t sequence_number = 0;
  std::string reference_uri;    // suit-reference-uri, "" when the manifest has none
  Bytes manifest_digest;        // encoded SUIT_Digest from the authentication wrapper
  // component_id as stored, measured now (encoded SUIT_Digest, SHA-256);
  // absent when the manifest stored nothing there.
  std::optional<Bytes> image_digest;
  std::optional<uint64_t> image_size;
};

// Every installed manifest (dependencies are Trusted Components too), in the
// store's order.
Result<std::vector<InstalledTc>> ReadInventory(suit::ComponentStore& store);

// {0: component id, 3: << image digest >>, 14: image size} — the digest and
// size let a TAM compare what is installed with the manifest it would send.
Result<msg::SystemPropertyClaims> TcListEntry(const InstalledTc& tc);

// A SUIT_Reference [uri, SUIT_Digest] (suit-report-18 §4) under a CoAP
// content-format. None is allocated for SUIT_Reference yet (eat/README §5),
// so we use one from the experimental range (RFC 7252 §12.3) until it is.
inline constexpr uint64_t kSuitReferenceContentFormat = 65000;
// Whether `id` names an installed TC, by its component id or manifest id.
const InstalledTc* FindInstalled(const std::vector<InstalledTc>& inventory,
                                 const msg::ComponentId& id);

Result<eat::Manifest> EatManifestEntry(const std::string& uri, ByteView suit_digest);

}  // namespace teep::agent
