// Writes the seed corpus of fuzz_suit_process: SUIT envelopes signed with the
// fuzzer's fixed P-256 key (cose_fixed_keys.h) that exercise every command
// family, plus the published envelopes (manifest-37 Appendix B, TEEP
// Appendix E). Each seed is one flags byte (see suit_process_fuzzer.cc)
// followed by the envelope. The manifests use the fuzzer's platform: TEEP
// vendor/class ids, device id 00112233..., its fetch rule ("404" -> not
// found, "hex:..." -> those bytes, else "fetched:" + uri + fetch-args; the
// TEEP Appendix E URIs serve the published bytes).
//
// Usage: make_suit_seeds DIR [SPEC_DIR]   (SPEC_DIR defaults to TEEP_SPEC_DIR)
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/cbor/value.h"
#include "core/cose/encrypt.h"
#include "core/suit/builder.h"
#include "core/suit/commands.h"
#include "core/suit/component_id.h"
#include "core/suit/digest.h"
#include "core/suit/manifest.h"
#include "core/suit/parameters.h"
#include "cose_fixed_keys.h"
#include "manifest_dsl.h"

#ifndef TEEP_SPEC_DIR
#define TEEP_SPEC_DIR "../shared/spec"
#endif

namespace {

using namespace teep;
using namespace teep::suit;
using cbor::Value;

// Flags byte (suit_process_fuzzer.cc).
constexpr uint8_t kImplicit = 1 << 0;
constexpr uint8_t kResign = 1 << 1;
constexpr uint8_t kNonce = 1 << 2;
constexpr uint8_t kSlotOne = 1 << 3;
constexpr uint8_t kFailCommit = 1 << 4;
constexpr uint8_t kPreinstalled = 1 << 5;

std::string out_dir;
int written = 0;

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::cerr << what << ": " << r.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

void Write(const std::string& name, uint8_t flags, const Bytes& envelope) {
  std::ofstream f(out_dir + "/" + name, std::ios::binary);
  f.put(static_cast<char>(flags));
  f.write(reinterpret_cast<const char*>(envelope.data()), static_cast<std::streamsize>(envelope.size()));
  if (!f) {
    std::cerr << "cannot write " << out_dir << "/" << name << "\n";
    std::exit(1);
  }
  ++written;
}

// The CBOR DSL of tests/suit/manifest_dsl.h, plus a decoder for raw items.
using namespace teep::suit::dsl;
Value Raw(ByteView encoded) { return Must(cbor::Decode(encoded), "decode"); }

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) std::abort();
  return *b;
}
const Bytes kVendor = Hex("c0ddd5f15243566087db4f5b0aa26c2f");
const Bytes kClass = Hex("db42f7093d8c55baa8c5265fc5820f4e");
const Bytes kDevice = Hex("00112233445566778899aabbccddeeff");
const Bytes kPayload = ToBytes(AsBytes("trusted component bytes"));

// The fuzzer's fetcher for an ordinary URI.
Bytes Fetched(std::string_view uri, std::string_view args = {}) {
  return ToBytes(AsBytes("fetched:" + std::string(uri) + std::string(args)));
}

Value App() { return A({B("app")}); }
Value Other() { return A({B("other")}); }

Value IdentityChecks(bool all = false) { return dsl::IdentityChecks(kVendor, kClass, all); }

Commands FetchAndCheck(std::string_view uri = "#p", ByteView payload = kPayload) {
  return dsl::FetchAndCheck(uri, payload);
}

Commands Concat(Commands a, Commands b) {
  for (auto& c : b) a.push_back(std::move(c));
  return a;
}

struct ManifestOptions {
  uint64_t sequence = 1;
  Value::Array components = {App()};
  Value shared = IdentityChecks();
  Value::Map extra;                  // further manifest keys
  std::optional<Value> dependencies;  // SUIT_Dependencies
};

Bytes Manifest(ManifestOptions o) {
  Value::Map common;
  if (o.dependencies) common.emplace_back(U(kCommonDependencies), std::move(*o.dependencies));
  common.emplace_back(U(kCommonComponents), A(std::move(o.components)));
  common.emplace_back(U(kCommonSharedSequence), std::move(o.shared));
  Value::Map manifest;
  manifest.emplace_back(U(kManifestVersion), U(1));
  manifest.emplace_back(U(kManifestSequenceNumber), U(o.sequence));
  manifest.emplace_back(U(kManifestCommon), Wrap(M(std::move(common))));
  for (auto& kv : o.extra) manifest.push_back(std::move(kv));
  return Enc(M(std::move(manifest)));
}

Bytes Sign(Bytes manifest, std::vector<std::pair<std::string, Bytes>> integrated = {},
           std::vector<std::pair<int64_t, Bytes>> severed = {}) {
  EnvelopeParts parts;
  parts.manifest = std::move(manifest);
  parts.integrated = std::move(integrated);
  parts.severed = std::move(severed);
  return Must(SignEnvelope(parts, teep::fuzz::FixedKeys().p256), "SignEnvelope");
}

Bytes OneComponentInstall(Commands install, uint64_t sequence = 1) {
  ManifestOptions o;
  o.sequence = sequence;
  o.extra = {{U(kManifestInstall), Seq(std::move(install))}};
  return Sign(Manifest(std::move(o)), {{"#p", kPayload}});
}

Bytes TwoComponentInstall(Commands install) {
  ManifestOptions o;
  o.components = {App(), Other()};
  o.shared = IdentityChecks(true);
  o.extra = {{U(kManifestInstall), Seq(std::move(install))}};
  return Sign(Manifest(std::move(o)), {{"#p", kPayload}});
}

// ---- hand-written manifests, one per command family --------------------------

void FlowControl() {
  // try-each: a failing branch then one that works; a final null branch.
  Write("signed-try-each", 0,
        OneComponentInstall(Concat(
            {{kDirTryEach, A({Seq({{kCondAbort, U(0)}}), Value::Null()})},
             {kDirTryEach, A({Seq({{kCondAbort, U(0)}}),
                              Seq({{kDirOverrideParameters, M({{U(kParamUri), T("#p")}})}})})}},
            FetchAndCheck())));
  // run-sequence whose body fails softly, then the install goes on.
  Write("signed-run-sequence", 0,
        OneComponentInstall(Concat(
            {{kDirRunSequence,
              Seq({{kDirOverrideParameters, M({{U(kParamSoftFailure), Value::Bool(true)}})},
                   {kCondAbort, U(0)},
                   {kDirWrite, U(0)}})}},
            FetchAndCheck())));
  // try-each inside run-sequence (strict-order set), run-sequence inside a branch.
  Write("signed-nested", 0,
        OneComponentInstall(
            {{kDirRunSequence,
              Seq({{kDirOverrideParameters, M({{U(kParamStrictOrder), Value::Bool(true)}})},
                   {kDirTryEach, A({Seq({{kCondAbort, U(0)}}),
                                    Seq({{kDirRunSequence, Seq(FetchAndCheck())}})})}})}}));
}

void ComponentSelection() {
  Write("signed-component-index-true", 0,
        TwoComponentInstall(Concat({{kDirSetComponentIndex, Value::Bool(true)}}, FetchAndCheck())));
  Write("signed-component-index-list", 0,
        TwoComponentInstall(Concat({{kDirSetComponentIndex, A({U(1)})}}, FetchAndCheck())));
  Write("signed-component-index-out-of-range", 0,
        TwoComponentInstall({{kDirSetComponentIndex, U(2)}}));
}

void Parameters() {
  ManifestOptions o;
  o.components = {App(), Other()};
  o.shared = IdentityChecks(true);
  o.extra = {{U(kManifestInstall),
              Seq({{kDirSetComponentIndex, U(0)},
                   {kDirOverrideParameters, M({{U(kParamUri), T("#first")}, {I(-300), T("hint")}})},
                   {kDirSetParameters, M({{U(kParamUri), T("#second")}})},
                   {kDirFetch, U(0)},
                   {kDirOverrideMultiple, M({{U(0), M({{U(kParamUri), T("#p")}})},
                                             {U(1), M({{U(kParamContent), B("other")}})}})},
                   {kDirFetch, U(0)},
                   {kDirSetComponentIndex, U(1)},
                   {kDirWrite, U(0)},
                   {kDirCopyParams, M({{U(0), A({U(kParamUri)})}})},
                   {kDirFetch, U(0)}})}};
  Write("signed-parameters", 0,
        Sign(Manifest(std::move(o)),
             {{"#first", ToBytes(AsBytes("1"))}, {"#second", ToBytes(AsBytes("2"))}, {"#p", kPayload}}));
  // Unknown parameter and unknown command: rejections.
  Write("signed-unknown-parameter", 0,
        OneComponentInstall({{kDirOverrideParameters, M({{U(99), U(1)}})}}));
  Write("signed-unknown-command", 0, OneComponentInstall({{9, U(0)}}));
  // The shared sequence may not run directives.
  ManifestOptions s;
  s.shared = Seq({{kDirOverrideParameters, M({{U(kParamUri), T("#p")}})}, {kDirFetch, U(0)}});
  s.extra = {{U(kManifestInstall), Seq(FetchAndCheck())}};
  Write("signed-shared-directive", 0, Sign(Manifest(std::move(s)), {{"#p", kPayload}}));
}

void Directives() {
  Write("signed-write-copy-swap-unlink", 0,
        TwoComponentInstall({{kDirSetComponentIndex, U(0)},
                             {kDirOverrideParameters, M({{U(kParamContent), B("A")}})},
                             {kDirWrite, U(15)},
                             {kDirSetComponentIndex, U(1)},
                             {kDirOverrideParameters, M({{U(kParamSourceComponent), U(0)}})},
                             {kDirCopy, U(15)},
                             {kDirOverrideParameters, M({{U(kParamContent), B("A")}})},
                             {kCondCheckContent, U(15)},
                             {kDirSetComponentIndex, U(0)},
                             {kDirOverrideParameters, M({{U(kParamContent), B("B")}})},
                             {kDirWrite, U(15)},
                             {kDirOverrideParameters, M({{U(kParamSourceComponent), U(1)}})},
                             {kDirSwap, U(15)},
                             {kDirSetComponentIndex, U(1)},
                             {kDirUnlink, U(15)}}));

  // Encrypted payload, copied (and decrypted) from a staging component:
  // component 1 holds the ciphertext, copy decrypts it into component 0.
  crypto::PublicKey device = teep::fuzz::FixedKeys().p256.Public();
  cose::RecipientSpec recipients[] = {
      cose::EcdhRecipient{&device, {}, kPayloadEncryptionKdfOther},
      cose::KeyWrapRecipient{teep::fuzz::FixedKeys().kek, {}}};
  cose::EncryptOptions eo;
  eo.detached = true;
  auto enc = Must(cose::CreateEncrypt(recipients, kPayload, eo), "CreateEncrypt");
  Write("signed-copy-encrypted", 0,
        TwoComponentInstall({{kDirSetComponentIndex, U(1)},
                             {kDirOverrideParameters, M({{U(kParamContent), B(enc.detached_ciphertext)}})},
                             {kDirWrite, U(15)},
                             {kDirSetComponentIndex, U(0)},
                             {kDirOverrideParameters,
                              M({{U(kParamSourceComponent), U(1)},
                                 {U(kParamEncryptionInfo), B(enc.message)},
                                 {U(kParamImageDigest), ImageDigest(kPayload)},
                                 {U(kParamImageSize), U(kPayload.size())}})},
                             {kDirCopy, U(15)},
                             {kCondImageMatch, U(15)}}));

  // Fetch by URI with fetch-args; and a URI the fetcher does not serve.
  const std::string uri = "https://fuzz.example/app.bin";
  Write("signed-fetch-uri", 0,
        OneComponentInstall(Concat({{kDirOverrideParameters, M({{U(kParamFetchArgs), B("v1")}})}},
                                   FetchAndCheck(uri, Fetched(uri, "v1")))));
  Write("signed-fetch-404", 0,
        OneComponentInstall(FetchAndCheck("https://fuzz.example/404.bin", kPayload)));

  // Download, verify, then copy into place (payload-fetch 16,
  // candidate-verification 18, install 20), validate (7), load (8) and
  // invoke (9): Update then Invoke both succeed.
  ManifestOptions o;
  o.components = {App(), A({B("download")}), Other()};
  o.shared = IdentityChecks(true);
  o.extra = {
      {U(kManifestValidate), Seq({{kDirSetComponentIndex, U(0)},
                                  {kDirOverrideParameters, M({{U(kParamImageDigest), ImageDigest(kPayload)},
                                                              {U(kParamImageSize), U(kPayload.size())}})},
                                  {kCondImageMatch, U(15)}})},
      {U(kManifestLoad), Seq({{kDirSetComponentIndex, U(2)},
                              {kDirOverrideParameters, M({{U(kParamSourceComponent), U(0)}})},
                              {kDirCopy, U(15)}})},
      {U(kManifestInvoke), Seq({{kDirSetComponentIndex, U(2)},
                                {kDirOverrideParameters, M({{U(kParamInvokeArgs), B("--boot")}})},
                                {kDirInvoke, U(15)}})},
      {U(kManifestPayloadFetch), Seq(Concat({{kDirSetComponentIndex, U(1)}}, FetchAndCheck()))},
      {U(kManifestCandidateVerification),
       Seq({{kDirSetComponentIndex, U(1)}, {kCondImageMatch, U(15)}})},
      {U(kManifestInstall), Seq({{kDirSetComponentIndex, U(0)},
                                 {kDirOverrideParameters, M({{U(kParamSourceComponent), U(1)},
                                                             {U(kParamImageDigest), ImageDigest(kPayload)},
                                                             {U(kParamImageSize), U(kPayload.size())}})},
                                 {kDirCopy, U(15)},
                                 {kCondImageMatch, U(15)},
                                 {kDirSetComponentIndex, U(1)},
                                 {kDirUnlink, U(15)}})},
      {U(kManifestText), Wrap(M({{I(1), T("fuzz seed")}}))},
      {U(kManifestUninstall), Seq({{kDirSetComponentIndex, A({U(0), U(2)})}, {kDirUnlink, U(15)}})},
  };
  Write("signed-download-copy-invoke", 0, Sign(Manifest(std::move(o)), {{"#p", kPayload}}));

  // The platform refuses to invoke with these arguments.
  ManifestOptions r;
  r.extra = {{U(kManifestInvoke), Seq({{kDirOverrideParameters, M({{U(kParamInvokeArgs), B("refuse")}})},
                                       {kDirInvoke, U(15)}})},
             {U(kManifestInstall), Seq(FetchAndCheck())}};
  Write("signed-invoke-refused", 0, Sign(Manifest(std::move(r)), {{"#p", kPayload}}));
}

void Conditions() {
  auto version = [](uint64_t cmp, std::vector<int64_t> v) {
    Value::Array parts;
    for (int64_t p : v) parts.push_back(I(p));
    return Wrap(A({U(cmp), A(std::move(parts))}));
  };
  Write("signed-update-management", 0,
        OneComponentInstall(Concat(
            {{kDirOverrideParameters, M({{U(kParamUseBefore), U(1'900'000'000)},
                                         {U(kParamMinimumBattery), U(400)},
                                         {U(kParamUpdatePriority), I(-1)},
                                         {U(kParamVersion), version(2, {1, 2})},
                                         {U(kParamDeviceId), B(kDevice)},
                                         {U(kParamImageDigest), ImageDigest(kPayload)},
                                         {U(kParamWaitInfo), Wrap(M({{U(1), U(1)}}))},
                                         {U(kParamComponentMetadata), Wrap(M({{U(1), U(420)}}))}})},
             {kCondUseBefore, U(15)},
             {kCondMinimumBattery, U(15)},
             {kCondUpdateAuthorized, U(15)},
             {kCondVersion, U(15)},
             {kCondDeviceIdentifier, U(15)},
             {kCondImageNotMatch, U(15)},
             {kDirWait, U(15)}},
            FetchAndCheck())));
  // Expired (use-before in the past) and a version that is too old.
  Write("signed-use-before-expired", 0,
        OneComponentInstall({{kDirOverrideParameters, M({{U(kParamUseBefore), U(1'700'000'000)}})},
                             {kCondUseBefore, U(15)}}));
  Write("signed-version-mismatch", 0,
        OneComponentInstall({{kDirOverrideParameters, M({{U(kParamVersion), version(5, {1, 2, 3})}})},
                             {kCondVersion, U(15)}}));
  // Slot selection (manifest-37 Appendix B example 3 shape), with slot 0 and 1.
  const std::string uri0 = "https://fuzz.example/slot0.bin";
  const std::string uri1 = "https://fuzz.example/slot1.bin";
  Bytes slots = OneComponentInstall(
      {{kDirTryEach,
        A({Seq({{kDirOverrideParameters, M({{U(kParamComponentSlot), U(0)}})},
                {kCondComponentSlot, U(15)},
                {kDirOverrideParameters, M({{U(kParamUri), T(uri0)},
                                            {U(kParamImageDigest), ImageDigest(Fetched(uri0))}})}}),
           Seq({{kDirOverrideParameters, M({{U(kParamComponentSlot), U(1)}})},
                {kCondComponentSlot, U(15)},
                {kDirOverrideParameters, M({{U(kParamUri), T(uri1)},
                                            {U(kParamImageDigest), ImageDigest(Fetched(uri1))}})}})})},
       {kDirFetch, U(15)},
       {kCondImageMatch, U(15)}});
  Write("signed-component-slot-0", 0, slots);
  Write("signed-component-slot-1", kSlotOne, slots);
}

void Severed() {
  // The install section travels severed: the manifest holds its digest.
  Value::Array items;
  for (auto& [code, arg] : FetchAndCheck()) {
    items.push_back(I(code));
    items.push_back(std::move(arg));
  }
  const Bytes install = Enc(A(std::move(items)));  // the section, not yet bstr-wrapped
  Bytes digest = Must(SeveredMemberDigest(install), "SeveredMemberDigest");
  ManifestOptions o;
  o.extra = {{U(kManifestInstall), Raw(digest)}};
  Bytes manifest = Manifest(std::move(o));
  Write("signed-severed-install", 0,
        Sign(manifest, {{"#p", kPayload}}, {{kEnvelopeInstall, install}}));
  // The same manifest without the severed member: severing-unsupported.
  Write("signed-severed-missing", 0, Sign(manifest, {{"#p", kPayload}}));
}

// ---- builder-made (TEEP-shaped) manifests ---------------------------------------

ManifestSpec TcSpec() {
  ManifestSpec spec;
  spec.sequence_number = 1;
  spec.component_id = {ToBytes(AsBytes("app"))};
  spec.vendor_id = kVendor;
  spec.class_id = kClass;
  spec.payload = kPayload;
  spec.invoke = true;
  return spec;
}

Bytes Build(const ManifestSpec& spec, const crypto::PrivateKey* key = nullptr) {
  return Must(BuildEnvelope(spec, key ? *key : teep::fuzz::FixedKeys().p256), "BuildEnvelope");
}

Bytes DependencyEnvelope(std::string_view name) {
  ManifestSpec dep;
  dep.sequence_number = 2;
  dep.component_id = {ToBytes(AsBytes(name))};
  dep.manifest_component_id = std::vector<Bytes>{ToBytes(AsBytes(std::string(name) + ".suit"))};
  dep.vendor_id = kVendor;
  dep.class_id = kClass;
  dep.payload = ToBytes(AsBytes("dependency " + std::string(name)));
  return Build(dep);
}

void Builder() {
  ManifestSpec spec = TcSpec();
  Write("builder-integrated", 0, Build(spec));
  Write("builder-integrated-nonce", kNonce, Build(spec));
  Write("builder-integrated-commit-fails", kFailCommit, Build(spec));
  Write("builder-integrated-ed25519", 0, Build(spec, &teep::fuzz::FixedKeys().ed25519));

  ManifestSpec options = TcSpec();
  options.tagged = true;
  options.reference_uri = "https://fuzz.example/app.suit";
  options.manifest_component_id = std::vector<Bytes>{ToBytes(AsBytes("app.suit"))};
  Write("builder-tagged-reference-mcid", 0, Build(options));

  ManifestSpec uri = TcSpec();
  uri.payload_uri = "https://fuzz.example/tc.bin";
  uri.payload = Fetched(*uri.payload_uri);
  Write("builder-uri", 0, Build(uri));

  crypto::PublicKey device = teep::fuzz::FixedKeys().p256.Public();
  for (int64_t alg : {1, -65534}) {
    ManifestSpec enc = TcSpec();
    enc.encryption = PayloadEncryption{&device, {}, alg};
    Write(alg == 1 ? "builder-encrypted-a128gcm" : "builder-encrypted-a128ctr", 0, Build(enc));
  }

  // Dependencies: integrated, and fetched ("hex:" URI, the fuzzer's rule).
  ManifestSpec deps = TcSpec();
  deps.dependencies.push_back({DependencyEnvelope("lib"), std::nullopt});
  Write("builder-dependency-integrated", 0, Build(deps));
  ManifestSpec fetched = TcSpec();
  Bytes lib = DependencyEnvelope("lib");
  fetched.dependencies.push_back({lib, "hex:" + HexEncode(lib)});
  fetched.dependencies.push_back({DependencyEnvelope("cfg"), std::nullopt});
  Write("builder-dependency-two-fetched", 0, Build(fetched));

  // Rollback: the store holds sequence 7 for slot ["old"].
  ManifestSpec old = TcSpec();
  old.sequence_number = 3;
  old.manifest_component_id = std::vector<Bytes>{ToBytes(AsBytes("old"))};
  Write("builder-rollback", kPreinstalled, Build(old));
  old.sequence_number = 7;
  Write("builder-same-sequence-preinstalled", kPreinstalled, Build(old));
}

// A dependency processed without condition-dependency-integrity (TEEP E.3
// shape): accepted only under implicit_dependency_integrity. Also
// set-parameters handed to the dependency, is-dependency, unlink of a
// dependency in the uninstall section.
void DependencyWithoutIntegrity() {
  Bytes lib = DependencyEnvelope("lib");
  auto env = Must(DecodeEnvelope(lib), "DecodeEnvelope");
  Bytes digest = Must(ComputeDigest(kDigestSha256, env.manifest.wrapped), "digest");
  Bytes suit_digest = Must(EncodeDigest(kDigestSha256, digest), "EncodeDigest");
  ManifestOptions o;
  o.dependencies = M({{U(1), M({{U(1), A({B("lib.suit")})}})}});
  o.shared = Seq({{kDirSetComponentIndex, U(0)},
                  {kDirOverrideParameters, M({{U(kParamVendorId), B(kVendor)}, {U(kParamClassId), B(kClass)}})},
                  {kCondVendorIdentifier, U(15)},
                  {kCondClassIdentifier, U(15)}});
  o.extra = {
      {U(kManifestDependencyResolution),
       Seq({{kDirSetComponentIndex, U(1)},
            {kCondIsDependency, U(15)},
            {kDirOverrideParameters, M({{U(kParamImageDigest), B(suit_digest)},
                                        {U(kParamImageSize), U(lib.size())},
                                        {U(kParamUri), T("#lib")}})},
            {kDirFetch, U(15)}})},
      {U(kManifestInstall),
       Seq(Concat({{kDirSetComponentIndex, U(1)},
                   {kDirSetParameters, M({{U(kParamVendorId), B(kVendor)}})},
                   {kDirProcessDependency, U(15)},
                   {kDirSetComponentIndex, U(0)}},
                  FetchAndCheck()))},
      {U(kManifestUninstall), Seq({{kDirSetComponentIndex, U(1)},
                                   {kDirUnlink, U(15)},
                                   {kDirSetComponentIndex, U(0)},
                                   {kDirUnlink, U(15)}})},
  };
  Bytes envelope = Sign(Manifest(std::move(o)), {{"#lib", lib}, {"#p", kPayload}});
  Write("signed-dependency-implicit-integrity", kImplicit, envelope);
  Write("signed-dependency-strict-policy", 0, envelope);
}

// ---- the published envelopes ------------------------------------------------------

void Published(const std::string& spec_dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(spec_dir + "/suit/vectors")) {
    if (entry.path().extension() == ".hex") files.push_back(entry.path());
  }
  for (const auto& entry : fs::directory_iterator(spec_dir + "/teep/vectors")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".hex" && name.size() > 1 && name[0] == 'e') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto bytes = HexDecode(text.str());
    if (!bytes) {
      std::cerr << path << ": not hex\n";
      std::exit(1);
    }
    const std::string stem = path.stem().string();
    // As published (the fuzzer trusts the published signer), and e3 also
    // under the policy it needs; e2 re-signed, to seed that mode.
    Write("vec-" + stem, 0, *bytes);
    if (stem.rfind("e3-", 0) == 0) Write("vec-" + stem + "-implicit", kImplicit, *bytes);
    if (stem.rfind("e2-", 0) == 0) Write("vec-" + stem + "-resigned", kResign, *bytes);
  }
  if (files.empty()) {
    std::cerr << "no vectors under " << spec_dir << "\n";
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: make_suit_seeds DIR [SPEC_DIR]\n";
    return 2;
  }
  out_dir = argv[1];
  std::filesystem::create_directories(out_dir);
  FlowControl();
  ComponentSelection();
  Parameters();
  Directives();
  Conditions();
  Severed();
  Builder();
  DependencyWithoutIntegrity();
  Published(argc == 3 ? argv[2] : TEEP_SPEC_DIR);
  std::cout << "wrote " << written << " seeds to " << out_dir << "\n";
  return 0;
}
