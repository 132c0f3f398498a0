// A thin, strict layer over libpq for the PostgreSQL store (issue 7):
// connections with their prepared statements, typed binary parameters and
// column reads, a bounded pool shared by a server's worker threads, and
// pipelined batches. Everything libpq or the server reports becomes a
// Status, never an exception or a crash:
//   kIoError   "postgresql <host>:<port>/<db>: <operation>: <server message>"
//   kMalformed "postgresql <host>:<port>/<db>: <operation>: column <name>: expected int8, got text"
// The connection's name in errors never includes the password of the URL.
//
// Parameters and results travel in binary format: no text escaping, and a
// column of an unexpected type is detected by its type OID instead of being
// parsed loosely.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "host/store/store_sql.h"

struct pg_conn;
struct pg_result;

namespace teep::host::pg {

// The parameters of one execution, bound in order ($1, $2, ...). Values
// are copied in, so a Params may be kept (a deferred write) after what it
// was made from is gone. A bind error latches and is reported when the
// statement runs.
class Params {
 public:
  static constexpr size_t kMax = 8;
  Params& Int(int64_t value);
  // kInvalidArgument beyond 2^63-1 (the schema's BIGINT), naming `what`.
  Params& Unsigned(uint64_t value, std::string_view what);
  Params& Blob(ByteView value);
  // kInvalidArgument for a NUL byte or invalid UTF-8: a PostgreSQL TEXT
  // value holds neither (the server would refuse it less clearly).
  Params& Text(std::string_view value, std::string_view what);

  const Status& status() const { return status_; }
  int count() const { return count_; }
  const unsigned* types() const { return types_.data(); }
  // Pointers into this object's copies, taken afresh on every call (so a
  // copied or moved Params is safe).
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void Next(unsigned type, std::string_view data);

  int count_ = 0;
  Status status_;
  std::array<unsigned, kMax> types_{};
  std::array<std::string, kMax> data_{};
  mutable std::array<const char*, kMax> values_{};
  std::array<int, kMax> lengths_{};
  std::array<int, kMax> formats_{};
};

struct ResultDeleter {
  void operator()(pg_result* result) const;
};

// The rows of one execution.
class Rows {
 public:
  Rows(std::string context, std::unique_ptr<pg_result, ResultDeleter> result);
  int count() const;
  // INSERT / UPDATE / DELETE: rows affected.
  int64_t affected() const;
  // Typed reads; NULL, a wrong type OID or a wrong length is kMalformed.
  Status ReadInt(int row, int col, std::string_view name, int64_t* value) const;
  Status ReadUnsigned(int row, int col, std::string_view name, uint64_t* value) const;
  Status ReadBlob(int row, int col, std::string_view name, Bytes* value) const;
  Status ReadText(int row, int col, std::string_view name, std::string* value) const;

 private:
  Result<std::string_view> Raw(int row, int col, std::string_view name, unsigned type,
                               std::string_view type_name) const;
  std::string context_;
  std::unique_ptr<pg_result, ResultDeleter> result_;
};

// One server connection. Statements from store_sql.h are prepared on first
// use and kept for the connection's life. Used by one thread at a time.
class Connection {
 public:
  // `url`: a libpq connection URI or keyword string. connect_timeout
  // defaults to 10 s unless the URL sets one.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // "host:port/dbname", for errors and logs.
  const std::string& name() const { return name_; }
  // After a lost connection (server restart, network) the pool replaces it.
  bool broken() const;
  // Not inside a transaction or a pipeline (and no command in progress).
  bool idle() const;
  // SQLSTATE of the last failed execution ("" if none), e.g. "23503".
  const std::string& last_sqlstate() const { return last_sqlstate_; }

  Result<Rows> Run(const sql::Named& statement, const Params& params);
  // Runs `text` once (no parameters, any number of statements, rows ignored).
  Status Exec(std::string_view operation, const std::string& text);
  // Runs `statement` once per element of `batch` in pipeline mode, several
  // hundred executions per round trip; stops at the first failure (whose
  // error it returns; the server skips the rest). Meant for use inside a
  // transaction, which the caller rolls back on failure.
  Status RunPipelined(const sql::Named& statement, std::span<const Params> batch);

  // One execution of a pipeline: `statement` with `params`, or, when
  // `statement` is null, the parameterless command `command` (BEGIN, COMMIT).
  struct Step {
    const sql::Named* statement = nullptr;
    std::string_view command;
    Params params;
    Status status;                // filled in by RunSteps
    std::optional<Rows> rows;     // filled in on success
  };
  // Sends every step, then reads every result: one round trip. The server
  // skips the steps after a failure (their status says so). Returns the
  // first failure; SQLSTATE is that step's.
  Status RunSteps(std::span<Step> steps);

  Status Error(std::string_view operation) const;

 private:
  Connection(pg_conn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  Status Prepare(const sql::Named& statement);
  Status CheckResult(std::string_view operation, pg_result* result, bool rows_expected);

  pg_conn* conn_;
  std::string name_;
  std::string last_sqlstate_;
  std::set<std::string_view> prepared_;  // names from store_sql.h (static storage)
};

// A bounded set of connections to one database, shared by threads. Acquire
// waits for a free connection (up to a timeout) or opens a new one while
// fewer than `size` exist; a connection found broken on return is dropped,
// so the pool heals after a server restart.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  Pool(std::string url, size_t size, std::chrono::milliseconds wait = std::chrono::seconds(10))
      : url_(std::move(url)), size_(size == 0 ? 1 : size), wait_(wait) {}
  Result<Lease> Acquire();
  size_t size() const { return size_; }
  // "postgresql host:port/db" once a connection has been made (for errors).
  std::string name();

 private:
  void Return(std::unique_ptr<Connection> connection);

  const std::string url_;
  const size_t size_;
  const std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle + leased
  std::string name_ = "postgresql";
};

// "postgresql://..." or "postgres://..." (the URL forms libpq accepts).
bool IsPostgresUrl(std::string_view database);

}  // namespace teep::host::pg
