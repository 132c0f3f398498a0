// A thin, strict layer over one SQLite connection: the connection and its
// settings, prepared statements that are prepared once and reused, typed
// column reads, transactions and schema migrations. Everything SQLite
// reports becomes a Status (never an exception, never a crash):
//   kIoError   "sqlite <path>: <operation>: <sqlite3_errmsg>"
//   kMalformed "sqlite <path>: <operation>: column <name>: expected integer, got text"
//
// Threading: a Database and its Statements belong to one thread at a time.
// The connection is opened with SQLITE_OPEN_NOMUTEX ("multi-thread" mode):
// SQLite's own per-connection mutex would only protect a connection shared
// between threads, which we never do, so each worker thread opens its own
// Database instead (SQLite still locks the shared file across connections
// and processes). Open refuses a library built without thread support.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "host/store/schema.h"

struct sqlite3;
struct sqlite3_stmt;

namespace teep::host::sqlite {

struct ConnectionCloser {
  void operator()(sqlite3* db) const;
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};
using ConnectionHandle = std::unique_ptr<sqlite3, ConnectionCloser>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

class Database;

// A prepared statement, owned by whoever prepared it and used through Query.
// Must not outlive its Database.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&&) = default;
  Statement& operator=(Statement&&) = default;

  const std::string& operation() const { return operation_; }

 private:
  friend class Database;
  friend class Query;
  Statement(Database* db, StatementHandle stmt, std::string operation)
      : db_(db), stmt_(std::move(stmt)), operation_(std::move(operation)) {}

  Database* db_ = nullptr;
  StatementHandle stmt_;
  std::string operation_;  // names the statement in errors ("take token")
};

// One use of a Statement: bind the parameters in order, step, read columns.
// The destructor resets the statement and clears its bindings, so a query
// never keeps a read snapshot (or a bound buffer) alive past its scope.
class Query {
 public:
  explicit Query(Statement& statement);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Bind the next parameter (?1, ?2, ... in call order). A bind error
  // latches and is reported by the next Step or Run. Empty byte strings are
  // bound as zero-length BLOBs, never as NULL.
  Query& Bind(int64_t value);
  Query& Bind(ByteView value);
  Query& Bind(std::string_view value);
  // Bound buffers are not copied (SQLITE_STATIC): they must outlive the
  // Steps, so temporaries are refused at compile time.
  Query& Bind(Bytes&&) = delete;
  Query& Bind(std::string&&) = delete;
  // An unsigned value in a signed INTEGER column: kInvalidArgument (latched)
  // beyond 2^63-1, naming `what`.
  Query& BindUnsigned(uint64_t value, std::string_view what);

  // True when a row is ready to be read, false when the statement is done.
  Result<bool> Step();
  // Steps to the end, refusing a statement that returns rows.
  Status Run();

  // Typed reads of column `col` of the current row; a NULL or a value of
  // another storage class is kMalformed naming `name`.
  Status ReadInt(int col, std::string_view name, int64_t* value);
  Status ReadUnsigned(int col, std::string_view name, uint64_t* value);  // >= 0
  Status ReadBlob(int col, std::string_view name, Bytes* value);
  Status ReadText(int col, std::string_view name, std::string* value);

 private:
  Status Malformed(std::string_view name, std::string_view message) const;

  Statement& statement_;
  int next_param_ = 1;
  Status bind_status_;
};

// An open connection with the store's settings applied.
class Database {
 public:
  // Opens (creating with mode 0600 if absent) the database at `path`, or a
  // private in-memory database for ":memory:". Applies: busy_timeout
  // `busy_timeout_ms` (concurrent writers wait rather than fail),
  // journal_mode=WAL (file databases), synchronous=FULL (in WAL mode each
  // commit syncs the log, so a commit survives kill -9 and power loss),
  // foreign_keys=ON. Every setting is read back and checked.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                int busy_timeout_ms = 5000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }

  // Prepares `sql` (one statement) for repeated use.
  Result<Statement> Prepare(std::string_view operation, std::string_view sql);
  // Runs `sql` (any number of statements, no results) once.
  Status Exec(std::string_view operation, const std::string& sql);

  // Rows changed by the last INSERT / UPDATE / DELETE on this connection.
  int64_t Changes() const;
  // The extended result code of the last failure (e.g. to tell a foreign
  // key violation from other errors).
  int LastExtendedErrorCode() const;

  // PRAGMA user_version: the schema version stored in the file.
  Result<int64_t> SchemaVersion();
  // Applies, in order, each step newer than the file's schema version, each
  // in its own write transaction (re-checking the version inside it, so two
  // processes migrating the same file at once apply every step once).
  // A file whose version is newer than the last step is refused with
  // kUnsupported naming both versions.
  Status Migrate(std::span<const SchemaStep> steps);

  // kIoError "sqlite <path>: <operation>: <sqlite3_errmsg>".
  Status Error(std::string_view operation) const;

  sqlite3* handle() const { return db_.get(); }

 private:
  Database(std::string path, ConnectionHandle db) : path_(std::move(path)), db_(std::move(db)) {}
  Status Configure(int busy_timeout_ms);
  // Runs `set`, then checks that `get` now reads back `expected`.
  Status SetPragma(std::string_view operation, const std::string& set, std::string_view get,
                   std::string_view expected);
  // Runs a PRAGMA that returns one row and returns its first column as text.
  Result<std::string> PragmaText(std::string_view operation, std::string_view sql);

  std::string path_;
  ConnectionHandle db_;
};

// BEGIN IMMEDIATE ... COMMIT: takes the write lock at the start (waiting up
// to the busy timeout), so a transaction that reads and then writes never
// fails half way because another connection wrote in between. Rolled back
// by the destructor unless committed.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(Database& db, std::string_view operation);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Commit();

 private:
  Transaction(Database& db, std::string operation) : db_(db), operation_(std::move(operation)) {}
  Database& db_;
  std::string operation_;
  bool open_ = true;
};

}  // namespace teep::host::sqlite
