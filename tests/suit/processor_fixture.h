// Shared set-up for the SUIT processor tests: a device platform over an
// in-memory store, a fetcher serving a URI table, the published keys, and a
// small DSL to write and sign manifests with deterministic CBOR.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/cbor/value.h"
#include "core/crypto/crypto.h"
#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/suit/memory_store.h"
#include "core/suit/processor.h"
#include "core/suit/report.h"
#include "manifest_dsl.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::suit::test {

using namespace dsl;  // NOLINT: the DSL is what these tests are written in

// A manifest map: version 1, `sequence`, common {2: components, 4: shared},
// plus extra keys (already in key order after 3).
Bytes ManifestBytes(uint64_t sequence, Value::Array components, std::optional<Value> shared,
                    Value::Map extra, std::optional<Value> dependencies = std::nullopt);

struct Keys {
  crypto::PrivateKey signer;       // TEEP Appendix E signer (published)
  crypto::PublicKey signer_public;
  crypto::PublicKey spec_example;  // manifest-37 Appendix B key
  crypto::PrivateKey kek;          // TEEP E.3 payload decryption key
};
const Keys& PublishedKeys();

// Signs manifest bytes into an envelope with the TEEP signer key.
Bytes Sign(Bytes manifest, std::vector<std::pair<std::string, Bytes>> integrated = {},
           std::vector<std::pair<int64_t, Bytes>> severed = {});

// Vendor/class ids of the published SUIT examples and of TEEP Appendix E.
Bytes SuitExampleVendor();
Bytes SuitExampleClass();
Bytes TeepVendor();
Bytes TeepClass();

class ProcessorTest : public ::testing::Test {
 protected:
  ProcessorTest();

  Outcome RunUpdate(ByteView envelope) { return Update(envelope, platform_, policy_, options_); }
  Outcome RunInvoke(ByteView envelope) { return Invoke(envelope, platform_, policy_, options_); }
  Outcome RunUninstall(ByteView manifest_id) {
    return Uninstall(manifest_id, platform_, policy_, options_);
  }

  // Expects a failure with `reason`; checks the report encodes and decodes.
  void ExpectFailure(const Outcome& outcome, ReportReason reason, int64_t section = -1);
  void ExpectSuccess(const Outcome& outcome);

  std::optional<Bytes> Component(const ComponentId& id) {
    return store_.CommittedComponent(EncodeComponentId(id));
  }
  std::optional<Bytes> Component(std::vector<std::string> parts);

  MemoryStore store_;
  Platform platform_;
  ProcessorPolicy policy_;
  ProcessOptions options_;
  std::map<std::string, Bytes> served_;   // fetcher: uri -> bytes
  std::vector<std::string> fetched_;      // every URI asked for
  std::vector<std::pair<Bytes, Bytes>> invoked_;  // (component id, args)
  std::vector<crypto::PublicKey> anchors_;
};

}  // namespace teep::suit::test
