#include "host/store/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <thread>
#include <utility>

namespace teep::host::sqlite {
namespace {

constexpr std::string_view kMemory = ":memory:";

std::string_view StorageClassName(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "integer";
    case SQLITE_FLOAT: return "float";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "blob";
    case SQLITE_NULL: return "null";
    default: return "unknown";
  }
}

std::string Prefix(const std::string& path, std::string_view operation) {
  std::string message = "sqlite ";
  message += path;
  message += ": ";
  message += operation;
  return message;
}

// Creates the file with mode 0600 if it does not exist, so that SQLite
// (which would create it 0644) never makes it readable by others. SQLite
// gives the -wal and -shm files the database file's permissions.
// Creates the file (0600) only when it does not exist. An existing database
// is never opened here: closing any descriptor of a file drops every POSIX
// lock this process holds on it (fcntl semantics), which would strip the
// locks of the process's other SQLite connections and let another process
// delete the WAL under them.
Status CreatePrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return OkStatus();
    return Status(StatusCode::kIoError, Prefix(path, "create: ") + std::strerror(err));
  }
  ::close(fd);
  return OkStatus();
}

}  // namespace

void ConnectionCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void StatementFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

// ---- Query ------------------------------------------------------------------

Query::Query(Statement& statement) : statement_(statement) {}

Query::~Query() {
  sqlite3_reset(statement_.stmt_.get());
  sqlite3_clear_bindings(statement_.stmt_.get());
}

Query& Query::Bind(int64_t value) {
  const int index = next_param_++;
  if (!bind_status_.ok()) return *this;
  const int rc = sqlite3_bind_int64(statement_.stmt_.get(), index, value);
  if (rc != SQLITE_OK) {
    bind_status_ = Status(StatusCode::kIoError,
                          Prefix(statement_.db_->path(), statement_.operation_) + ": bind ?" +
                              std::to_string(index) + ": " + sqlite3_errstr(rc));
  }
  return *this;
}

Query& Query::Bind(ByteView value) {
  const int index = next_param_++;
  if (!bind_status_.ok()) return *this;
  // A null pointer would bind SQL NULL; an empty byte string is a
  // zero-length BLOB.
  static const uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  const int rc = sqlite3_bind_blob64(statement_.stmt_.get(), index, data, value.size(),
                                     SQLITE_STATIC);
  if (rc != SQLITE_OK) {
    bind_status_ = Status(StatusCode::kIoError,
                          Prefix(statement_.db_->path(), statement_.operation_) + ": bind ?" +
                              std::to_string(index) + ": " + sqlite3_errstr(rc));
  }
  return *this;
}

Query& Query::Bind(std::string_view value) {
  const int index = next_param_++;
  if (!bind_status_.ok()) return *this;
  const char* data = value.empty() ? "" : value.data();
  const int rc = sqlite3_bind_text64(statement_.stmt_.get(), index, data, value.size(),
                                     SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) {
    bind_status_ = Status(StatusCode::kIoError,
                          Prefix(statement_.db_->path(), statement_.operation_) + ": bind ?" +
                              std::to_string(index) + ": " + sqlite3_errstr(rc));
  }
  return *this;
}

Query& Query::BindUnsigned(uint64_t value, std::string_view what) {
  if (bind_status_.ok() && value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    ++next_param_;
    bind_status_ = Status(StatusCode::kInvalidArgument,
                          Prefix(statement_.db_->path(), statement_.operation_) + ": " +
                              std::string(what) + " " + std::to_string(value) +
                              " exceeds 2^63-1, the largest the store holds");
    return *this;
  }
  return Bind(static_cast<int64_t>(value));
}

Result<bool> Query::Step() {
  if (!bind_status_.ok()) return bind_status_;
  const int rc = sqlite3_step(statement_.stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return statement_.db_->Error(statement_.operation_);
}

Status Query::Run() {
  TEEP_ASSIGN_OR_RETURN(bool row, Step());
  if (row) {
    return Status(StatusCode::kInternal,
                  Prefix(statement_.db_->path(), statement_.operation_) +
                      ": statement returned a row where none was expected");
  }
  return OkStatus();
}

Status Query::Malformed(std::string_view name, std::string_view message) const {
  std::string text = Prefix(statement_.db_->path(), statement_.operation_);
  text += ": column ";
  text += name;
  text += ": ";
  text += message;
  return Status(StatusCode::kMalformed, std::move(text));
}

Status Query::ReadInt(int col, std::string_view name, int64_t* value) {
  const int type = sqlite3_column_type(statement_.stmt_.get(), col);
  if (type != SQLITE_INTEGER) {
    return Malformed(name, "expected integer, got " + std::string(StorageClassName(type)));
  }
  *value = sqlite3_column_int64(statement_.stmt_.get(), col);
  return OkStatus();
}

Status Query::ReadUnsigned(int col, std::string_view name, uint64_t* value) {
  int64_t v = 0;
  TEEP_RETURN_IF_ERROR(ReadInt(col, name, &v));
  if (v < 0) return Malformed(name, "expected a non-negative integer, got " + std::to_string(v));
  *value = static_cast<uint64_t>(v);
  return OkStatus();
}

Status Query::ReadBlob(int col, std::string_view name, Bytes* value) {
  const int type = sqlite3_column_type(statement_.stmt_.get(), col);
  if (type != SQLITE_BLOB) {
    return Malformed(name, "expected blob, got " + std::string(StorageClassName(type)));
  }
  // sqlite3_column_blob before sqlite3_column_bytes (SQLite's documented order).
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(statement_.stmt_.get(), col));
  const int size = sqlite3_column_bytes(statement_.stmt_.get(), col);
  if (size > 0 && data == nullptr) return statement_.db_->Error(statement_.operation_);
  value->assign(data, data + (size > 0 ? size : 0));
  return OkStatus();
}

Status Query::ReadText(int col, std::string_view name, std::string* value) {
  const int type = sqlite3_column_type(statement_.stmt_.get(), col);
  if (type != SQLITE_TEXT) {
    return Malformed(name, "expected text, got " + std::string(StorageClassName(type)));
  }
  const auto* data =
      reinterpret_cast<const char*>(sqlite3_column_text(statement_.stmt_.get(), col));
  const int size = sqlite3_column_bytes(statement_.stmt_.get(), col);
  if (data == nullptr) return statement_.db_->Error(statement_.operation_);  // out of memory
  value->assign(data, size > 0 ? static_cast<size_t>(size) : 0);
  return OkStatus();
}

// ---- Database ---------------------------------------------------------------

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, int busy_timeout_ms) {
  if (path.empty()) {
    return Status(StatusCode::kInvalidArgument, "sqlite: empty database path");
  }
  // SQLITE_OPEN_NOMUTEX relies on the library's own thread safety for the
  // state shared between connections; a single-threaded build has none.
  if (sqlite3_threadsafe() == 0) {
    return Status(StatusCode::kUnsupported,
                  Prefix(path, "open: libsqlite3 was built without thread support"));
  }
  const bool memory = path == kMemory;
  if (!memory) TEEP_RETURN_IF_ERROR(CreatePrivateFile(path));
  // No SQLITE_OPEN_CREATE for files: the file exists (0600) by now, and if it
  // vanished in between, failing beats SQLite creating it 0644. No
  // SQLITE_OPEN_URI: the path is a file name, never a "file:" URI.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (memory) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  ConnectionHandle handle(raw);
  if (rc != SQLITE_OK) {
    return Status(StatusCode::kIoError,
                  Prefix(path, "open: ") + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  std::unique_ptr<Database> db(new Database(path, std::move(handle)));
  TEEP_RETURN_IF_ERROR(db->Configure(busy_timeout_ms));
  return db;
}

Database::~Database() = default;

Status Database::Configure(int busy_timeout_ms) {
  // First, so that the journal mode switch below waits for other openers.
  if (sqlite3_busy_timeout(db_.get(), busy_timeout_ms) != SQLITE_OK) {
    return Error("set busy timeout");
  }
  // Each setting is read back: SQLite ignores what it cannot apply.
  //
  // Switching a new file to WAL takes an exclusive lock. When two processes
  // open a new file at once, each holds a shared lock while wanting the
  // exclusive one: SQLite reports that deadlock as SQLITE_BUSY at once,
  // without calling the busy handler, so the switch is retried here (with
  // jitter, so that the two do not collide again) until the busy timeout.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  std::minstd_rand jitter(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(this) >> 4) ^
                          static_cast<uint32_t>(std::chrono::steady_clock::now()
                                                    .time_since_epoch()
                                                    .count()));
  while (true) {
    Status s = SetPragma("set journal_mode=WAL", "PRAGMA journal_mode=WAL",
                         "PRAGMA journal_mode", path_ == kMemory ? "memory" : "wal");
    if (s.ok()) break;
    if ((LastExtendedErrorCode() & 0xff) != SQLITE_BUSY ||
        std::chrono::steady_clock::now() >= deadline) {
      return s;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500 + jitter() % 4500));
  }
  TEEP_RETURN_IF_ERROR(SetPragma("set synchronous=FULL", "PRAGMA synchronous=FULL",
                                 "PRAGMA synchronous", "2"));
  // A library built with SQLITE_OMIT_FOREIGN_KEY ignores this one.
  return SetPragma("set foreign_keys=ON", "PRAGMA foreign_keys=ON", "PRAGMA foreign_keys", "1");
}

Status Database::SetPragma(std::string_view operation, const std::string& set,
                           std::string_view get, std::string_view expected) {
  TEEP_RETURN_IF_ERROR(Exec(operation, set));
  auto value = PragmaText(operation, get);
  if (!value.ok()) return value.status();
  const std::string_view got = value.value();
  if (got == expected) return OkStatus();
  std::string message = Prefix(path_, operation);
  message += ": the setting did not take (reads back \"";
  message += got;
  message += "\")";
  return Status(StatusCode::kIoError, std::move(message));
}

Result<std::string> Database::PragmaText(std::string_view operation, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    StatementHandle guard(raw);
    return Error(operation);
  }
  Statement statement(this, StatementHandle(raw), std::string(operation));
  Query q(statement);
  TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    return Status(StatusCode::kIoError, Prefix(path_, operation) + ": no result");
  }
  const unsigned char* text = sqlite3_column_text(raw, 0);
  return std::string(text ? reinterpret_cast<const char*>(text) : "");
}

Result<Statement> Database::Prepare(std::string_view operation, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StatementHandle handle(raw);
  if (rc != SQLITE_OK) return Error(std::string("prepare ") + std::string(operation));
  if (handle == nullptr) {
    return Status(StatusCode::kInternal, Prefix(path_, "prepare ") + std::string(operation) +
                                             ": no statement in the SQL");
  }
  // `tail` points into `sql`, which need not be NUL-terminated: check the
  // remainder by length.
  for (const char* p = tail; p != nullptr && p < sql.data() + sql.size(); ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
      return Status(StatusCode::kInternal, Prefix(path_, "prepare ") + std::string(operation) +
                                               ": more than one statement in the SQL");
    }
  }
  return Statement(this, std::move(handle), std::string(operation));
}

Status Database::Exec(std::string_view operation, const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return OkStatus();
  std::string text = Prefix(path_, operation) + ": " +
                     (message ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return Status(StatusCode::kIoError, std::move(text));
}

int64_t Database::Changes() const { return sqlite3_changes64(db_.get()); }

int Database::LastExtendedErrorCode() const { return sqlite3_extended_errcode(db_.get()); }

Status Database::Error(std::string_view operation) const {
  return Status(StatusCode::kIoError, Prefix(path_, operation) + ": " + sqlite3_errmsg(db_.get()));
}

Result<int64_t> Database::SchemaVersion() {
  TEEP_ASSIGN_OR_RETURN(Statement statement, Prepare("read schema version", "PRAGMA user_version"));
  Query q(statement);
  TEEP_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status(StatusCode::kIoError, Prefix(path_, "read schema version: no result"));
  int64_t version = 0;
  TEEP_RETURN_IF_ERROR(q.ReadInt(0, "user_version", &version));
  return version;
}

Status Database::Migrate(std::span<const SchemaStep> steps) {
  int64_t known = 0;
  for (const SchemaStep& step : steps) {
    if (step.version != known + 1) {
      return Status(StatusCode::kInternal,
                    Prefix(path_, "migrate: schema steps are not numbered 1, 2, 3, ..."));
    }
    known = step.version;
  }
  auto too_new = [&](int64_t version) {
    return Status(StatusCode::kUnsupported,
                  Prefix(path_, "open: schema version ") + std::to_string(version) +
                      " is newer than this build knows (" + std::to_string(known) +
                      "); use a newer teep");
  };
  TEEP_ASSIGN_OR_RETURN(int64_t current, SchemaVersion());
  if (current > known) return too_new(current);
  if (current < 0) {
    return Status(StatusCode::kMalformed,
                  Prefix(path_, "open: negative schema version ") + std::to_string(current));
  }
  for (const SchemaStep& step : steps) {
    if (step.version <= current) continue;
    const std::string operation =
        "migrate to schema " + std::to_string(step.version) + " (" + std::string(step.summary) + ")";
    TEEP_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*this, operation));
    // Another process may have migrated while we waited for the write lock.
    TEEP_ASSIGN_OR_RETURN(current, SchemaVersion());
    if (current > known) return too_new(current);
    if (current >= step.version) continue;  // rolled back: nothing to do
    TEEP_RETURN_IF_ERROR(Exec(operation, std::string(step.sql)));
    // PRAGMA takes no bound parameters; the version is our own integer.
    TEEP_RETURN_IF_ERROR(
        Exec(operation, "PRAGMA user_version = " + std::to_string(step.version)));
    TEEP_RETURN_IF_ERROR(tx->Commit());
    current = step.version;
  }
  return OkStatus();
}

// ---- Transaction ------------------------------------------------------------

Result<std::unique_ptr<Transaction>> Transaction::Begin(Database& db, std::string_view operation) {
  TEEP_RETURN_IF_ERROR(db.Exec(std::string(operation) + ": begin", "BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db, std::string(operation)));
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Commit() {
  TEEP_RETURN_IF_ERROR(db_.Exec(operation_ + ": commit", "COMMIT"));
  open_ = false;
  return OkStatus();
}

}  // namespace teep::host::sqlite
