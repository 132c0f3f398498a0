// `teep tam serve`: the TAM core behind the HTTP server. Each worker thread
// of the server gets its own Tam and store connection (the core is a
// single-threaded state machine; the store is shared through the database,
// exactly as several TAM processes share it), so the event loop never waits
// for the database or for signatures (issue 6).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto/crypto.h"
#include "core/tam/tam.h"
#include "host/http/http_server.h"
#include "host/store/pg_db.h"
#include "host/tam_server/config.h"

namespace teep::host {

// Opens stores on the configured database: SQLite files (one connection per
// store), or PostgreSQL stores sharing one pool of `connections`.
// Create checks the database and brings its schema up to date once.
class TamStoreOpener {
 public:
  static Result<std::unique_ptr<TamStoreOpener>> Create(const TamServerConfig& config, size_t connections);
  Result<std::unique_ptr<tam::TamStore>> Open();

 private:
  explicit TamStoreOpener(std::string database) : database_(std::move(database)) {}
  std::string database_;
  std::shared_ptr<pg::Pool> pool_;  // PostgreSQL only
};

// One store on the configured database (the operator's verbs); errors name
// the database, without a URL's password.
Result<std::unique_ptr<tam::TamStore>> OpenTamStore(const TamServerConfig& config);

class TamService {
 public:
  // Loads the keys, opens the store once to check it, binds and serves.
  static Result<std::unique_ptr<TamService>> Start(const TamServerConfig& config,
                                                   std::function<void(std::string_view)> log = {});
  ~TamService();
  uint16_t port() const { return server_->port(); }
  void Stop();

 private:
  struct Worker {
    std::unique_ptr<tam::TamStore> store;
    std::unique_ptr<tam::Tam> tam;
  };
  explicit TamService(TamServerConfig config) : config_(std::move(config)) {}
  TamAnswer Handle(const TamRequest& request);
  Result<Worker*> WorkerForThisThread();
  void ExpireTokensPeriodically();

  TamServerConfig config_;
  std::unique_ptr<crypto::PrivateKey> p256_;
  std::unique_ptr<crypto::PrivateKey> ed25519_;
  std::unique_ptr<tam::Verifier> verifier_;
  std::unique_ptr<TamStoreOpener> stores_;
  std::mutex workers_mutex_;
  std::map<std::thread::id, std::unique_ptr<Worker>> workers_;
  std::unique_ptr<HttpServer> server_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread janitor_;
};

}  // namespace teep::host
