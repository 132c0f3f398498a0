#include "core/tam/repository.h"

#include <string>

#include "core/base/strings.h"
#include "core/suit/authenticate.h"
#include "core/suit/component_id.h"
#include "core/suit/envelope.h"
#include "core/suit/processor.h"

namespace teep::tam {

Result<TcRecord> AddTc(TamStore& store, ByteView envelope, std::span<const crypto::PublicKey> signers,
                       int64_t now) {
  TEEP_ASSIGN_OR_RETURN(suit::Envelope decoded, suit::DecodeEnvelope(envelope));
  auto authenticated = suit::Authenticate(decoded, signers);
  if (!authenticated.ok()) return authenticated.status().WithContext("TC manifest");
  const suit::Manifest& manifest = authenticated->manifest;
  TcRecord tc;
  tc.manifest_id = suit::ManifestSlot(manifest);
  tc.component_id = manifest.common.components.empty()
                        ? tc.manifest_id
                        : suit::EncodeComponentId(manifest.common.components.front());
  tc.sequence_number = manifest.sequence_number;
  tc.envelope = ToBytes(envelope);
  tc.signer = Cat("signer #", authenticated->key_index.value_or(0));
  tc.uploaded = now;
  TEEP_RETURN_IF_ERROR(store.PutTc(tc));
  return tc;
}

}  // namespace teep::tam
