#include "host/tam_server/tam_service.h"

#include <chrono>
#include <utility>

#include "core/base/strings.h"
#include "host/io/file.h"
#include "host/store/pg_store.h"
#include "host/store/sqlite_store.h"

namespace teep::host {
namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<crypto::PrivateKey>> LoadKey(const std::string& path, crypto::KeyType type,
                                                    std::string_view what) {
  TEEP_ASSIGN_OR_RETURN(Bytes pem, ReadFile(path));
  auto key = crypto::PrivateKey::FromPem(std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()));
  crypto::Wipe(pem.data(), pem.size());
  if (!key.ok()) return key.status().WithContext(Cat("keys.", what, " (", path, ")"));
  if (key->type() != type) {
    return Status(StatusCode::kInvalidArgument,
                  Cat("keys.", what, " (", path, ") is a ", crypto::KeyTypeName(key->type()), " key"));
  }
  return std::make_unique<crypto::PrivateKey>(std::move(key).value());
}

constexpr auto kTokenSweep = std::chrono::seconds(60);

}  // namespace

Result<std::unique_ptr<TamStoreOpener>> TamStoreOpener::Create(const TamServerConfig& config,
                                                                size_t connections) {
  std::unique_ptr<TamStoreOpener> opener(new TamStoreOpener(config.database));
  const std::string context = Cat("database ", RedactedDatabase(config.database));
  if (pg::IsPostgresUrl(config.database)) {
    auto pool = PgStore::OpenPool(config.database, connections);
    if (!pool.ok()) return pool.status().WithContext(context);
    opener->pool_ = std::move(pool).value();
  } else {
    auto store = SqliteStore::Open(config.database);  // creates and migrates the file
    if (!store.ok()) return store.status().WithContext(context);
  }
  return opener;
}

Result<std::unique_ptr<tam::TamStore>> TamStoreOpener::Open() {
  if (pool_) return std::unique_ptr<tam::TamStore>(PgStore::Make(pool_));
  TEEP_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(database_));
  return std::unique_ptr<tam::TamStore>(std::move(store));
}

Result<std::unique_ptr<tam::TamStore>> OpenTamStore(const TamServerConfig& config) {
  TEEP_ASSIGN_OR_RETURN(auto opener, TamStoreOpener::Create(config, 1));
  return opener->Open();
}

Result<std::unique_ptr<TamService>> TamService::Start(const TamServerConfig& config,
                                                      std::function<void(std::string_view)> log) {
  std::unique_ptr<TamService> service(new TamService(config));
  TEEP_ASSIGN_OR_RETURN(service->p256_, LoadKey(config.p256_key, crypto::KeyType::kP256, "p256"));
  TEEP_ASSIGN_OR_RETURN(service->ed25519_, LoadKey(config.ed25519_key, crypto::KeyType::kEd25519, "ed25519"));
  std::vector<crypto::PublicKey> fleet;
  for (const std::string& path : config.fleet_keys) {
    TEEP_ASSIGN_OR_RETURN(Bytes pem, ReadFile(path));
    auto key = crypto::PublicKey::FromPem(std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()));
    if (!key.ok()) return key.status().WithContext(Cat("attestation.fleet_keys (", path, ")"));
    fleet.push_back(std::move(key).value());
  }
  service->verifier_ = std::make_unique<tam::BuiltInVerifier>(std::move(fleet), config.reference);
  // Fail at start, not at the first request, when the database is unusable.
  // One connection per worker thread and one for the token janitor.
  TEEP_ASSIGN_OR_RETURN(service->stores_, TamStoreOpener::Create(config, config.workers + 1));

  HttpServerOptions options;
  options.address = config.address;
  options.port = config.port;
  options.tam_path = config.path;
  options.tls_cert_file = config.tls_cert;
  options.tls_key_file = config.tls_key;
  options.worker_threads = config.workers;
  options.log = std::move(log);
  TamService* raw = service.get();
  TEEP_ASSIGN_OR_RETURN(service->server_,
                        HttpServer::Start(options, [raw](const TamRequest& r) { return raw->Handle(r); }));
  service->janitor_ = std::thread([raw] { raw->ExpireTokensPeriodically(); });
  return service;
}

TamService::~TamService() { Stop(); }

void TamService::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (janitor_.joinable()) janitor_.join();
  if (server_) server_->Stop();
}

Result<TamService::Worker*> TamService::WorkerForThisThread() {
  std::lock_guard<std::mutex> lock(workers_mutex_);
  auto& slot = workers_[std::this_thread::get_id()];
  if (!slot) {
    auto worker = std::make_unique<Worker>();
    TEEP_ASSIGN_OR_RETURN(worker->store, stores_->Open());
    tam::TamConfig tam_config;
    tam_config.p256_key = p256_.get();
    tam_config.ed25519_key = ed25519_.get();
    tam_config.verifier = verifier_.get();
    tam_config.policy = config_.policy;
    tam_config.now = Now;
    TEEP_ASSIGN_OR_RETURN(worker->tam, tam::Tam::Create(std::move(tam_config), *worker->store));
    slot = std::move(worker);
  }
  return slot.get();
}

TamAnswer TamService::Handle(const TamRequest& request) {
  auto worker = WorkerForThisThread();
  if (!worker.ok()) return {TamAnswer::Kind::kUnavailable, {}, worker.status().ToString()};
  tam::Tam& tam = *(*worker)->tam;
  // otrp-over-http §6.1: an empty body starts a conversation.
  auto reply = request.body.empty() ? tam.ProcessConnect() : tam.ProcessMessage(request.body);
  if (!reply.ok()) return {TamAnswer::Kind::kUnavailable, {}, reply.status().ToString()};
  switch (reply->kind) {
    case tam::TamReply::Kind::kMessage:
      return {TamAnswer::Kind::kMessage, std::move(reply->message), {}};
    case tam::TamReply::Kind::kNoContent:
      return {TamAnswer::Kind::kNoContent, {}, {}};
    case tam::TamReply::Kind::kDropped:
      return {TamAnswer::Kind::kBadRequest, {}, "dropped: " + reply->reason};
  }
  return {TamAnswer::Kind::kUnavailable, {}, "unexpected reply"};
}

void TamService::ExpireTokensPeriodically() {
  auto store = stores_->Open();
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, kTokenSweep, [this] { return stopping_; })) {
    if (store.ok()) (void)(*store)->ExpireTokens(Now());  // P §7.1: bounded token state
  }
}

}  // namespace teep::host
