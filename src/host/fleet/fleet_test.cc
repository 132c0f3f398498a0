// Fleet runs against a real TamService on loopback (HTTP, SQLite), and the
// classification of failed conversations against a scripted HTTP server:
// real sockets and the real client, nothing mocked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "core/suit/builder.h"
#include "core/tam/repository.h"
#include "host/broker/scripted_http_server.h"
#include "host/fleet/conversation.h"
#include "host/fleet/fleet_run.h"
#include "host/fleet/import_file.h"
#include "host/fleet/report.h"
#include "host/io/file.h"
#include "host/tam_server/config.h"
#include "host/tam_server/tam_directory.h"
#include "host/tam_server/tam_service.h"
#include "temp_dir.h"

namespace teep::host::fleet {
namespace {

using ::testing::HasSubstr;
using test::ScriptedHttpServer;
using test::ScriptedResponse;

Bytes Str(std::string_view s) { return ToBytes(AsBytes(s)); }
const msg::ComponentId kTc = {Str("TEEP-Device"), Str("SecureFS"), Str("fleet-ta")};

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

crypto::PublicKey PublicKeyFile(const std::string& path) {
  Bytes pem = Must(ReadFile(path));
  return Must(crypto::PublicKey::FromPem(AsChars(pem)));
}

// `teep tam init` in a temporary directory, fleet devices first..first+n-1
// registered, one TC in the repository; the server is started by Start().
class FleetTam {
 public:
  FleetTam() {
    EXPECT_TRUE(CreateTamDirectory(dir_.path(), 0).ok());
    config_ = Must(LoadTamConfig(dir_.path() + "/tam.toml"));
    store_ = Must(OpenTamStore(config_));
    Bytes signer_pem = Must(ReadFile(dir_.path() + "/signer.pem"));
    const crypto::PrivateKey signer = Must(crypto::PrivateKey::FromPem(AsChars(signer_pem)));
    suit::ManifestSpec spec;
    spec.sequence_number = 1;
    spec.component_id = kTc;
    spec.payload = Str("fleet TC");
    const Bytes envelope = Must(suit::BuildEnvelope(spec, signer));
    const crypto::PublicKey signers[] = {signer.Public()};
    EXPECT_TRUE(tam::AddTc(*store_, envelope, signers, 0).ok());
  }

  void Register(uint64_t first, uint64_t n) {
    std::vector<tam::DeviceRecord> records;
    for (uint64_t i = first; i < first + n; ++i) {
      DeviceKeys keys = Must(DeriveDeviceKeys(kDefaultSeed, i));
      const crypto::PublicKey attestation = keys.attestation_key.Public();
      records.push_back(
          Must(MakeDeviceRecord(DeviceName(kDefaultNamePrefix, i), keys.teep_key.Public(), &attestation)));
    }
    EXPECT_TRUE(store_->PutDevices(records).ok());
  }

  // `hwmodel`: a reference value the devices do not match, so that the
  // Verifier refuses them.
  std::string Start(std::optional<Bytes> hwmodel = std::nullopt) {
    TamServerConfig config = config_;
    if (hwmodel) config.reference.hwmodels.push_back(*hwmodel);
    service_ = Must(TamService::Start(config));
    return "http://127.0.0.1:" + std::to_string(service_->port()) + "/tam";
  }

  FleetPlan Plan(const std::string& url) const {
    FleetPlan plan;
    plan.tam_url = url;
    for (const char* key : {"/tam-p256.pub.pem", "/tam-ed25519.pub.pem"}) {
      plan.profile.provisioning.tams.push_back({url, PublicKeyFile(dir_.path() + key)});
    }
    plan.profile.provisioning.signers.push_back(PublicKeyFile(dir_.path() + "/signer.pub.pem"));
    plan.profile.agent_digest = Must(MeasureThisExecutable());
    return plan;
  }

  tam::TamStore& store() { return *store_; }

 private:
  test::TempDir dir_;
  TamServerConfig config_;
  std::unique_ptr<tam::TamStore> store_;
  std::unique_ptr<TamService> service_;
};

uint64_t Errors(const FleetResult& r, ErrorKind kind) { return r.errors[static_cast<size_t>(kind)]; }

TEST(FleetRunTest, InstallAndRemoveOverRealHttp) {
  FleetTam tam;
  tam.Register(0, 4);
  FleetPlan plan = tam.Plan(tam.Start());
  plan.devices = 4;
  plan.concurrency = 2;
  plan.conversations = 2;  // RequestTA (install), then UnrequestTA (removal)
  plan.tcs = {kTc};
  FleetProgress progress;
  FleetResult r = Must(RunFleet(plan, progress));
  EXPECT_EQ(r.total_errors(), 0u) << (r.error_samples.empty() ? "" : r.error_samples[0]);
  EXPECT_EQ(r.exchanges, 8u);
  EXPECT_EQ(r.latency.count, 8u);
  EXPECT_GT(r.latency.p50, 0);
  EXPECT_LE(r.latency.p50, r.latency.max);
  EXPECT_EQ(r.devices_completed, 4u);
  EXPECT_EQ(r.devices_failed, 0u);
  EXPECT_EQ(r.workers, 2u);
  EXPECT_EQ(progress.exchanges.load(), 8u);
  for (const tam::DeviceRecord& d : Must(tam.store().ListDevices())) {
    EXPECT_EQ(d.attestation, "affirming") << d.name;
    EXPECT_TRUE(Must(tam.store().ListInstalled(d.device_id)).empty()) << d.name;  // installed, then removed
  }
}

TEST(FleetRunTest, ForADurationWithPolicyChecks) {
  FleetTam tam;
  tam.Register(10, 3);
  FleetPlan plan = tam.Plan(tam.Start());
  plan.first_index = 10;
  plan.devices = 3;
  plan.concurrency = 8;  // more workers than devices: one per device
  plan.duration_seconds = 0.3;
  FleetProgress progress;
  FleetResult r = Must(RunFleet(plan, progress));
  EXPECT_EQ(r.workers, 3u);
  EXPECT_EQ(r.total_errors(), 0u) << (r.error_samples.empty() ? "" : r.error_samples[0]);
  EXPECT_GE(r.exchanges, 3u);
  EXPECT_EQ(r.devices_completed, 3u);
  EXPECT_GE(r.seconds, 0.3);
}

TEST(FleetRunTest, UnregisteredDevicesFailAfterTheirRetries) {
  FleetTam tam;
  FleetPlan plan = tam.Plan(tam.Start());
  plan.first_index = 1000;
  plan.devices = 2;
  plan.conversations = 1;
  plan.retries = 1;
  FleetProgress progress;
  FleetResult r = Must(RunFleet(plan, progress));
  EXPECT_EQ(r.exchanges, 0u);
  EXPECT_EQ(Errors(r, ErrorKind::kHttp4xx), 4u);  // 2 devices x (1 try + 1 retry)
  EXPECT_EQ(r.devices_failed, 2u);
  EXPECT_EQ(progress.devices_failed.load(), 2u);
  ASSERT_EQ(r.error_samples.size(), 1u);
  EXPECT_THAT(r.error_samples[0], HasSubstr("http-4xx: device 100"));
  EXPECT_THAT(r.error_samples[0], HasSubstr("TAM answered 400"));
}

TEST(FleetRunTest, ARefusedAttestationIsATamError) {
  FleetTam tam;
  tam.Register(0, 1);
  FleetPlan plan = tam.Plan(tam.Start(Str("another-model")));
  plan.devices = 1;
  plan.conversations = 1;
  plan.retries = 0;
  FleetProgress progress;
  FleetResult r = Must(RunFleet(plan, progress));
  EXPECT_EQ(Errors(r, ErrorKind::kTamError), 1u) << (r.error_samples.empty() ? "" : r.error_samples[0]);
  EXPECT_EQ(r.devices_failed, 1u);
  ASSERT_EQ(r.error_samples.size(), 1u);
  EXPECT_THAT(r.error_samples[0], HasSubstr("attestation refused"));
}

TEST(FleetRunTest, ARequestTheTamCannotFulfilIsCounted) {
  FleetTam tam;
  tam.Register(0, 2);
  FleetPlan plan = tam.Plan(tam.Start());
  plan.devices = 2;
  plan.conversations = 1;
  plan.retries = 0;
  plan.tcs = {{Str("no-such-tc")}};
  FleetProgress progress;
  FleetResult r = Must(RunFleet(plan, progress));
  EXPECT_EQ(Errors(r, ErrorKind::kUnfulfilled), 2u);
  ASSERT_EQ(r.error_samples.size(), 1u);
  EXPECT_THAT(r.error_samples[0], HasSubstr("RequestTA ['no-such-tc']: the TAM did not install it"));
}

// ---- failures by kind, from a scripted server --------------------------------------

class ConversationKindTest : public ::testing::Test {
 protected:
  ConversationResult Run(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    DeviceProfile profile;
    auto tam_key = Must(crypto::PrivateKey::Generate(crypto::KeyType::kP256));
    profile.provisioning.tams.push_back({url, tam_key.Public()});
    auto device = Must(SimulatedDevice::Create(kDefaultSeed, 0, profile));
    HttpClientOptions options;
    options.request_timeout = timeout;
    auto http = Must(HttpClient::Create(options));
    return Converse(url, *device, *http);
  }
};

TEST_F(ConversationKindTest, HttpStatuses) {
  ScriptedHttpServer server({ScriptedResponse::Empty(500), ScriptedResponse::Empty(404),
                             ScriptedResponse::Redirect("/elsewhere")});
  ConversationResult r = Run(server.Url());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.kind, ErrorKind::kHttp5xx);
  EXPECT_THAT(r.detail, HasSubstr("TAM answered 500"));
  EXPECT_EQ(Run(server.Url()).kind, ErrorKind::kHttp4xx);
  EXPECT_EQ(Run(server.Url()).kind, ErrorKind::kHttp3xx);
}

TEST_F(ConversationKindTest, NotTeep) {
  ScriptedResponse html = ScriptedResponse::Empty(200);
  html.headers = {{"Content-Type", "text/html"}};
  html.body = "<html></html>";
  ScriptedHttpServer server({html});
  EXPECT_EQ(Run(server.Url()).kind, ErrorKind::kProtocol);
}

TEST_F(ConversationKindTest, GarbageMakesTheAgentAnswerWithAnError) {
  ScriptedHttpServer server({ScriptedResponse::Teep(200, "not COSE"), ScriptedResponse::Empty(204)});
  ConversationResult r = Run(server.Url());
  EXPECT_EQ(r.kind, ErrorKind::kAgent);
  EXPECT_THAT(r.detail, HasSubstr("TEEP Agent sent Error"));
}

TEST_F(ConversationKindTest, Timeout) {
  ScriptedResponse slow = ScriptedResponse::Empty(204);
  slow.delay = std::chrono::milliseconds(1500);
  ScriptedHttpServer server({slow});
  ConversationResult r = Run(server.Url(), std::chrono::milliseconds(200));
  EXPECT_EQ(r.kind, ErrorKind::kTimeout) << r.detail;
}

TEST_F(ConversationKindTest, Transport) {
  std::string url;
  {
    ScriptedHttpServer closed({});
    url = closed.Url();
  }  // nothing listens there any more
  ConversationResult r = Run(url);
  EXPECT_EQ(r.kind, ErrorKind::kTransport) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("connection refused"));
}

TEST(ClassifyTest, Words) {
  EXPECT_EQ(ClassifySessionError("TAM answered 503 Service Unavailable"), ErrorKind::kHttp5xx);
  EXPECT_EQ(ClassifySessionError("TAM answered with no Content-Type, expected application/teep+cbor"),
            ErrorKind::kProtocol);
  EXPECT_EQ(ClassifySessionError("TEEP Agent: storage failed"), ErrorKind::kAgent);
  EXPECT_EQ(ClassifySessionError("conversation did not end after 16 round trips"), ErrorKind::kProtocol);
  EXPECT_EQ(ClassifySessionError("POST http://x/tam: could not connect within 5 s"), ErrorKind::kTimeout);
  EXPECT_EQ(ClassifySessionError("POST http://x/tam: connection lost (reset)"), ErrorKind::kTransport);
}

// ---- the report ----------------------------------------------------------------------

TEST(ReportTest, TextAndJson) {
  FleetPlan plan;
  plan.tam_url = "http://127.0.0.1:1/tam";
  plan.devices = 20;
  plan.conversations = 2;
  FleetResult r;
  r.workers = 4;
  r.seconds = 2;
  r.exchanges = 38;
  r.latency = {38, 0.010, 0.020, 0.030, 0.040};
  r.errors[static_cast<size_t>(ErrorKind::kTimeout)] = 2;
  r.error_samples = {"timeout: device 3: POST \"x\": no answer within 30 s"};
  r.devices_completed = 19;
  r.devices_failed = 1;
  const std::string text = FormatReport(plan, r);
  EXPECT_THAT(text, HasSubstr("devices:     20 (index 0..19)\n"));
  EXPECT_THAT(text, HasSubstr("exchanges:   38 (19.0/s)\n"));
  EXPECT_THAT(text, HasSubstr("latency ms:  p50 10.0  p95 20.0  p99 30.0  max 40.0\n"));
  EXPECT_THAT(text, HasSubstr("errors:      2 (timeout 2)\n"));
  EXPECT_THAT(text, HasSubstr("devices:     19 completed, 1 failed\n"));
  const std::string json = FormatJsonReport(plan, r);
  EXPECT_THAT(json, HasSubstr("\"exchanges\":38,\"exchanges_per_second\":19.0,"));
  EXPECT_THAT(json, HasSubstr("\"latency_ms\":{\"p50\":10.0,\"p95\":20.0,\"p99\":30.0,\"max\":40.0}"));
  EXPECT_THAT(json, HasSubstr("\"timeout\":2,"));
  EXPECT_THAT(json, HasSubstr("\"error_samples\":[\"timeout: device 3: POST \\\"x\\\": no answer within 30 s\"]"));
  EXPECT_THAT(json, HasSubstr("\"devices_failed\":1"));
  EXPECT_EQ(FormatProgress(plan, 1.0, 10, 1, 0), "[#####---------------] 1.0 s  10/40 exchanges  10.0/s  1 error");
  r.exchanges = 0;
  r.latency = {};
  EXPECT_THAT(FormatReport(plan, r), HasSubstr("latency ms:  - (no exchange completed)\n"));
  EXPECT_THAT(FormatJsonReport(plan, r), HasSubstr("\"latency_ms\":null,"));
}

}  // namespace
}  // namespace teep::host::fleet
