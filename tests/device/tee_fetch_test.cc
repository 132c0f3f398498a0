// The simulated TEE fetches SUIT payloads named by URI (TEEP Appendix E.1
// shape) over HTTP(S). The E.1 vector itself names https://example.org/...,
// which is not reachable here, and its URI is covered by its signature; so
// the manifests are built like E.1 (same component and manifest ids, the
// tc-binary-hello payload, image-match after the fetch), signed with the
// published Appendix E TC-signer key that the TEE is provisioned with, and
// name a scripted server on 127.0.0.1 instead. The TEE itself fetches
// exactly the URI the signed manifest names: nothing in it is rewritten.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "core/suit/builder.h"
#include "core/suit/component_id.h"
#include "core/teep/codec.h"
#include "core/teep/errors.h"
#include "core/teep/signing.h"
#include "host/broker/scripted_http_server.h"
#include "host/device/tee_host.h"
#include "test_util.h"
#include "vector_files.h"

namespace teep::host::device {
namespace {

using test::ScriptedHttpServer;
using test::ScriptedResponse;

constexpr char kTaPath[] = "/8d82573a-926d-4754-9353-32dc29997f74.ta";  // as in E.1

Bytes Str(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// TEEP Appendix E: the TC and its manifest.
std::vector<Bytes> TcId() {
  return {Str("TEEP-Device"), Str("SecureFS"), test::H("8d82573a926d4754935332dc29997f74"),
          Str("ta")};
}
std::vector<Bytes> ManifestId() {
  return {Str("TEEP-Device"), Str("SecureFS"), test::H("8d82573a926d4754935332dc29997f74"),
          Str("suit")};
}

ScriptedResponse Serving(const Bytes& body) {
  ScriptedResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/octet-stream"}};
  r.body = std::string(body.begin(), body.end());
  return r;
}

// Every file of the store's directory (symlink targets for links), to show
// that a failed install touched nothing on disk.
std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = std::filesystem::relative(entry.path(), dir).string();
    if (entry.is_symlink()) {
      files[name] = "-> " + std::filesystem::read_symlink(entry.path()).string();
    } else if (entry.is_regular_file()) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      files[name] = content.str();
    } else {
      files[name] = "<dir>";
    }
  }
  return files;
}

class TeeFetchTest : public ::testing::Test {
 protected:
  TeeFetchTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("teep-fetch-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        tam_(std::move(crypto::PrivateKey::Generate(crypto::KeyType::kP256)).value()),
        signer_(std::move(crypto::PrivateKey::FromPem(test::ReadSpecText(
                              "teep/vectors/keys/appE-suit-signer-p256.priv.pem")))
                    .value()),
        payload_(test::ReadVector("teep/vectors/tc-binary-hello.hex")) {
    std::filesystem::remove_all(dir_);
    auto signer_public = crypto::PublicKey::FromPem(
        test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.pub.pem"));
    EXPECT_TRUE(signer_public.ok()) << signer_public.status().ToString();
    Provisioning p;
    p.tams.push_back({"http://127.0.0.1/tam", tam_.Public()});
    p.signers.push_back(std::move(signer_public).value());
    auto keys = Provision(dir_.string(), p);
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    if (keys.ok()) tee_key_ = keys->teep_key;
  }
  ~TeeFetchTest() override {
    std::filesystem::remove_all(dir_);
    if (!ca_file_.empty()) std::filesystem::remove(ca_file_);
  }

  // A signed Update carrying an E.1-shaped manifest whose payload (`image`)
  // is fetched from `uri`.
  Bytes UpdateFetching(const std::string& uri, uint64_t sequence, const Bytes& image) {
    suit::ManifestSpec spec;
    spec.sequence_number = sequence;
    spec.component_id = TcId();
    spec.manifest_component_id = ManifestId();
    spec.payload = image;
    spec.payload_uri = uri;
    auto envelope = suit::BuildEnvelope(spec, signer_);
    EXPECT_TRUE(envelope.ok()) << envelope.status().ToString();
    msg::Update update;
    update.token = Bytes(16, static_cast<uint8_t>(++tokens_));
    update.manifest_list = std::vector<Bytes>{std::move(envelope).value()};
    auto encoded = msg::EncodeMessage(update);
    EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
    auto signed_update = msg::SignMessage(*encoded, tam_, msg::SuiteSign1Esp256());
    EXPECT_TRUE(signed_update.ok()) << signed_update.status().ToString();
    return std::move(signed_update).value();
  }

  std::unique_ptr<TeeHost> OpenTee(const std::string& ca_file = {}) {
    auto host = TeeHost::Open(dir_.string(), ca_file);
    EXPECT_TRUE(host.ok()) << host.status().ToString();
    return host.ok() ? std::move(host).value() : nullptr;
  }

  // Sends `update` to the TEE and returns its reply, verified with the TEE's
  // key and decoded.
  msg::Message Send(TeeHost& tee, ByteView update) {
    auto reply = tee.ProcessTeepMessage(update);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    if (!reply.ok() || reply->empty()) {
      ADD_FAILURE() << "the TEE sent nothing";
      return msg::Error{};
    }
    if (!tee_key_) {
      ADD_FAILURE() << "the TEE was not provisioned";
      return msg::Error{};
    }
    auto anchor = msg::TrustAnchor::Make("tee", *tee_key_);
    EXPECT_TRUE(anchor.ok());
    const msg::TrustAnchor anchors[] = {std::move(anchor).value()};
    auto decoded = msg::VerifyAndDecode(*reply, anchors);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    if (!decoded.ok()) return msg::Error{};
    return std::move(decoded->message);
  }

  void ExpectInstalled(TeeHost& tee, ByteView update) {
    msg::Message reply = Send(tee, update);
    EXPECT_TRUE(std::holds_alternative<msg::Success>(reply))
        << "expected Success, got " << msg::MessageTypeName(msg::TypeOf(reply)) << ": "
        << tee.agent().last_exchange().detail;
  }

  // Expects ERR_MANIFEST_PROCESSING_FAILED and returns the Agent's detail.
  std::string ExpectManifestFailure(TeeHost& tee, ByteView update) {
    msg::Message reply = Send(tee, update);
    const auto* error = std::get_if<msg::Error>(&reply);
    if (error == nullptr) {
      ADD_FAILURE() << "expected an Error, got " << msg::MessageTypeName(msg::TypeOf(reply));
      return "";
    }
    EXPECT_EQ(error->err_code, msg::ErrCode(msg::ErrorCode::kManifestProcessingFailed))
        << "got " << msg::ErrorCodeName(error->err_code.Number(msg::Draft26()))
        << ", detail: " << tee.agent().last_exchange().detail;
    EXPECT_EQ(tee.agent().last_exchange().error, msg::ErrorCode::kManifestProcessingFailed);
    EXPECT_TRUE(error->suit_reports.has_value()) << "a failed manifest is reported";
    return tee.agent().last_exchange().detail;
  }

  // The committed TC image, if any.
  std::optional<Bytes> Image(TeeHost& tee) {
    const std::vector<Bytes> parts = TcId();
    const suit::ComponentId id(parts.begin(), parts.end());
    const Bytes component = suit::EncodeComponentId(id);
    auto size = tee.store().Size(component);
    EXPECT_TRUE(size.ok()) << size.status().ToString();
    if (!size.ok() || !*size) return std::nullopt;
    Bytes data;
    EXPECT_TRUE(tee.store()
                    .Read(component,
                          [&](ByteView chunk) {
                            data.insert(data.end(), chunk.begin(), chunk.end());
                            return OkStatus();
                          })
                    .ok());
    return data;
  }

  std::vector<uint64_t> InstalledSequences(TeeHost& tee) {
    auto installed = tee.ListInstalled();
    EXPECT_TRUE(installed.ok()) << installed.status().ToString();
    std::vector<uint64_t> sequences;
    if (installed.ok()) {
      for (const auto& tc : *installed) sequences.push_back(tc.sequence_number);
    }
    return sequences;
  }

  std::filesystem::path tcs() const { return dir_ / "tcs"; }

  std::filesystem::path dir_;
  crypto::PrivateKey tam_;
  crypto::PrivateKey signer_;                 // the published Appendix E TC signer
  Bytes payload_;                             // tc-binary-hello
  std::optional<crypto::PublicKey> tee_key_;  // verifies the TEE's replies
  std::string ca_file_;
  int tokens_ = 0;
};

// (a) The TC is installed with exactly the bytes the server served.
TEST_F(TeeFetchTest, InstallsThePayloadFetchedOverHttp) {
  ScriptedHttpServer server({Serving(payload_)});
  auto tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  ExpectInstalled(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  EXPECT_EQ(Image(*tee), payload_);
  EXPECT_EQ(InstalledSequences(*tee), std::vector<uint64_t>{1});
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, kTaPath);
  // Committed: a TEE started afterwards sees it.
  tee.reset();
  tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  EXPECT_EQ(Image(*tee), payload_);
}

// E.1 names an https:// URI; the TEE trusts the CA it was opened with.
TEST_F(TeeFetchTest, InstallsThePayloadFetchedOverHttps) {
  const test::TlsIdentity identity = test::MakeSelfSignedIdentity();
  ca_file_ = (dir_.parent_path() / (dir_.filename().string() + "-ca.pem")).string();
  std::ofstream(ca_file_) << identity.certificate_pem;
  ScriptedHttpServer server({Serving(payload_)}, identity);
  ASSERT_EQ(server.Url().rfind("https://", 0), 0u);
  {
    // Without that CA the server is not trusted, and nothing is installed.
    auto untrusting = OpenTee();
    ASSERT_NE(untrusting, nullptr);
    const std::string detail =
        ExpectManifestFailure(*untrusting, UpdateFetching(server.Url(kTaPath), 1, payload_));
    EXPECT_NE(detail.find("the server's TLS certificate is not trusted"), std::string::npos)
        << detail;
    EXPECT_EQ(Image(*untrusting), std::nullopt);
  }
  auto tee = OpenTee(ca_file_);
  ASSERT_NE(tee, nullptr);
  ExpectInstalled(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  EXPECT_EQ(Image(*tee), payload_);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].tls_version, "TLSv1.3");
}

// (b) Bytes that do not match the signed digest are never committed: the
// update fails with ERR_MANIFEST_PROCESSING_FAILED and the store, down to
// its files, is as it was.
TEST_F(TeeFetchTest, DifferentBytesFailAndLeaveTheStoreUnchanged) {
  Bytes impostor = payload_;
  impostor.back() ^= 0x01;
  Bytes newer = Str("tc-binary-hello, version 2");
  ScriptedHttpServer server({Serving(payload_), Serving(impostor)});
  auto tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  ExpectInstalled(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  const auto before = Snapshot(tcs());
  const uint64_t generation = tee->store().generation();

  // Version 2 is announced, but the server hands out something else.
  const std::string detail =
      ExpectManifestFailure(*tee, UpdateFetching(server.Url(kTaPath), 2, newer));
  EXPECT_NE(detail.find("condition-image-match (3) failed"), std::string::npos) << detail;
  EXPECT_EQ(Image(*tee), payload_);
  EXPECT_EQ(InstalledSequences(*tee), std::vector<uint64_t>{1});
  EXPECT_EQ(tee->store().generation(), generation);
  EXPECT_EQ(Snapshot(tcs()), before);
}

TEST_F(TeeFetchTest, WrongBytesOnFirstInstallInstallNothing) {
  Bytes impostor = payload_;
  impostor.front() ^= 0x80;
  ScriptedHttpServer server({Serving(impostor)});
  auto tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  const auto before = Snapshot(tcs());
  const std::string detail =
      ExpectManifestFailure(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  EXPECT_NE(detail.find("condition-image-match (3) failed"), std::string::npos) << detail;
  EXPECT_EQ(Image(*tee), std::nullopt);
  EXPECT_TRUE(InstalledSequences(*tee).empty());
  EXPECT_EQ(Snapshot(tcs()), before);
}

// (c) A 404 fails the update cleanly, with the status in the Agent's detail;
// the TEE stays usable and installs once the payload is there.
TEST_F(TeeFetchTest, NotFoundFailsCleanly) {
  ScriptedResponse missing = ScriptedResponse::Empty(404);
  ScriptedHttpServer server({missing, Serving(payload_)});
  auto tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  const auto before = Snapshot(tcs());
  const std::string detail =
      ExpectManifestFailure(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  EXPECT_NE(detail.find("GET " + server.Url(kTaPath) + ": server answered 404 Not Found"),
            std::string::npos)
      << detail;
  EXPECT_EQ(Image(*tee), std::nullopt);
  EXPECT_EQ(Snapshot(tcs()), before);

  ExpectInstalled(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  EXPECT_EQ(Image(*tee), payload_);
}

// Redirects are not followed, even to the right bytes.
TEST_F(TeeFetchTest, RedirectIsNotFollowed) {
  ScriptedHttpServer server({ScriptedResponse::Redirect("/elsewhere.ta"), Serving(payload_)});
  auto tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  const std::string detail =
      ExpectManifestFailure(*tee, UpdateFetching(server.Url(kTaPath), 1, payload_));
  EXPECT_NE(detail.find("302 Found (redirects are not followed)"), std::string::npos) << detail;
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(Image(*tee), std::nullopt);
}

// Only http:// and https:// are fetched; nothing is requested otherwise.
TEST_F(TeeFetchTest, OtherSchemesAreRefusedClearly) {
  auto tee = OpenTee();
  ASSERT_NE(tee, nullptr);
  for (const std::string uri : {"file:///etc/passwd", "coap://127.0.0.1/app.ta"}) {
    const std::string detail = ExpectManifestFailure(*tee, UpdateFetching(uri, 1, payload_));
    EXPECT_NE(detail.find("fetching \"" + uri +
                          "\": the simulated TEE fetches only http:// and https:// URIs"),
              std::string::npos)
        << detail;
  }
  EXPECT_EQ(Image(*tee), std::nullopt);
}

}  // namespace
}  // namespace teep::host::device

namespace teep::host::device {
namespace {

// The published TEEP Appendix E.2 envelope installs on a simulated TEE
// provisioned with the Appendix E vendor and class ids (and is refused by
// one provisioned without them: its conditions fail).
TEST(TeeProvisioningTest, PublishedE2InstallsWithTheVendorAndClassIds) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("teep-e2-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto tam = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(tam.ok());
  auto signer = crypto::PublicKey::FromPem(test::ReadSpecText("teep/vectors/keys/appE-suit-signer-p256.pub.pem"));
  ASSERT_TRUE(signer.ok());
  msg::Update update;
  update.token = Bytes(16, 7);
  update.manifest_list = std::vector<Bytes>{test::ReadVector("teep/vectors/e2-suit-integrated.hex")};
  auto signed_update = msg::SignMessage(*msg::EncodeMessage(update), *tam, msg::SuiteSign1Esp256());
  ASSERT_TRUE(signed_update.ok());
  for (bool with_ids : {false, true}) {
    std::filesystem::remove_all(dir);
    Provisioning p;
    p.tams.push_back({"http://127.0.0.1/tam", tam->Public()});
    p.signers.push_back(*signer);
    if (with_ids) {
      p.vendor_ids.push_back(test::H("c0ddd5f15243566087db4f5b0aa26c2f"));
      p.class_ids.push_back(test::H("db42f7093d8c55baa8c5265fc5820f4e"));
    }
    ASSERT_TRUE(Provision(dir.string(), p).ok());
    auto host = TeeHost::Open(dir.string());
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    ASSERT_TRUE((*host)->ProcessTeepMessage(*signed_update).ok());
    const auto& last = (*host)->agent().last_exchange();
    EXPECT_EQ(last.sent, with_ids ? msg::MessageType::kSuccess : msg::MessageType::kError) << last.detail;
    EXPECT_EQ((*host)->ListInstalled()->size(), with_ids ? 1u : 0u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace teep::host::device
