#include "host/store/pg_db.h"

#include <libpq-fe.h>

#include <cstring>
#include <limits>
#include <utility>

#include "core/base/strings.h"
#include "core/cbor/utf8.h"

namespace teep::host::pg {
namespace {

// Type OIDs (PostgreSQL's pg_type.dat; stable across versions).
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

// Executions sent per round trip by RunPipelined: enough to hide the
// latency, few enough that neither side's socket buffer fills up while the
// other is still writing (results are read after each chunk).
constexpr size_t kPipelineChunk = 500;

// libpq's messages may span lines ("...failed: Connection refused\n\tIs the
// server running..."): one line for our errors and logs.
std::string OneLine(std::string message) {
  std::string out;
  for (char c : message) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string ServerMessage(const PGconn* conn) {
  std::string message = OneLine(PQerrorMessage(conn));
  return message.empty() ? "unknown error" : message;
}

// Server notices ("relation ... already exists, skipping") are not errors;
// libpq would print them on stderr.
void IgnoreNotice(void*, const char*) {}

}  // namespace

// ---- Params -----------------------------------------------------------------

void Params::Next(unsigned type, std::string_view data) {
  if (!status_.ok()) return;
  if (count_ == static_cast<int>(kMax) || data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    status_ = Status(StatusCode::kInvalidArgument, Cat("parameter $", count_ + 1, " out of range"));
    return;
  }
  types_[count_] = type;
  data_[count_].assign(data);
  lengths_[count_] = static_cast<int>(data.size());
  formats_[count_] = 1;  // binary
  ++count_;
}

const char* const* Params::values() const {
  // A zero-length value still gets a non-null pointer (std::string's
  // buffer): NULL would mean SQL NULL.
  for (int i = 0; i < count_; ++i) values_[i] = data_[i].data();
  return values_.data();
}

Params& Params::Int(int64_t value) {
  char big_endian[8];
  const uint64_t u = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) big_endian[i] = static_cast<char>(u >> (56 - 8 * i));
  Next(kInt8Oid, std::string_view(big_endian, sizeof(big_endian)));
  return *this;
}

Params& Params::Unsigned(uint64_t value, std::string_view what) {
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    if (status_.ok()) {
      status_ = Status(StatusCode::kInvalidArgument,
                       Cat(what, " ", value, " is above 2^63-1, the largest the store holds"));
    }
    return *this;
  }
  return Int(static_cast<int64_t>(value));
}

Params& Params::Blob(ByteView value) {
  Next(kByteaOid, std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
  return *this;
}

Params& Params::Text(std::string_view value, std::string_view what) {
  if (status_.ok()) {
    if (value.find('\0') != std::string_view::npos) {
      status_ = Status(StatusCode::kInvalidArgument, Cat(what, " contains a NUL character"));
    } else if (long bad = cbor::FindInvalidUtf8(AsBytes(value)); bad >= 0) {
      status_ = Status(StatusCode::kInvalidArgument, Cat(what, " is not UTF-8 (byte ", bad, ")"));
    }
  }
  Next(kTextOid, value);
  return *this;
}

// ---- Rows -------------------------------------------------------------------

void ResultDeleter::operator()(pg_result* result) const { PQclear(result); }

Rows::Rows(std::string context, std::unique_ptr<pg_result, ResultDeleter> result)
    : context_(std::move(context)), result_(std::move(result)) {}

int Rows::count() const { return PQntuples(result_.get()); }

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  int64_t value = 0;
  for (; *n >= '0' && *n <= '9'; ++n) value = value * 10 + (*n - '0');
  return value;
}

Result<std::string_view> Rows::Raw(int row, int col, std::string_view name, unsigned type,
                                   std::string_view type_name) const {
  auto malformed = [&](std::string_view why) {
    return Status(StatusCode::kMalformed, Cat(context_, ": column ", name, ": ", why));
  };
  if (row < 0 || row >= PQntuples(result_.get()) || col < 0 || col >= PQnfields(result_.get())) {
    return malformed("no such row or column");
  }
  if (PQgetisnull(result_.get(), row, col)) return malformed("NULL");
  const Oid actual = PQftype(result_.get(), col);
  if (actual != type || PQfformat(result_.get(), col) != 1) {
    return malformed(Cat("expected ", type_name, ", got type oid ", actual));
  }
  return std::string_view(PQgetvalue(result_.get(), row, col),
                          static_cast<size_t>(PQgetlength(result_.get(), row, col)));
}

Status Rows::ReadInt(int row, int col, std::string_view name, int64_t* value) const {
  TEEP_ASSIGN_OR_RETURN(std::string_view raw, Raw(row, col, name, kInt8Oid, "int8"));
  if (raw.size() != 8) {
    return Status(StatusCode::kMalformed, Cat(context_, ": column ", name, ": int8 of ", raw.size(), " bytes"));
  }
  uint64_t u = 0;
  for (char c : raw) u = (u << 8) | static_cast<uint8_t>(c);
  *value = static_cast<int64_t>(u);
  return OkStatus();
}

Status Rows::ReadUnsigned(int row, int col, std::string_view name, uint64_t* value) const {
  int64_t signed_value = 0;
  TEEP_RETURN_IF_ERROR(ReadInt(row, col, name, &signed_value));
  if (signed_value < 0) {
    return Status(StatusCode::kMalformed, Cat(context_, ": column ", name, ": negative value ", signed_value));
  }
  *value = static_cast<uint64_t>(signed_value);
  return OkStatus();
}

Status Rows::ReadBlob(int row, int col, std::string_view name, Bytes* value) const {
  TEEP_ASSIGN_OR_RETURN(std::string_view raw, Raw(row, col, name, kByteaOid, "bytea"));
  value->assign(raw.begin(), raw.end());
  return OkStatus();
}

Status Rows::ReadText(int row, int col, std::string_view name, std::string* value) const {
  TEEP_ASSIGN_OR_RETURN(std::string_view raw, Raw(row, col, name, kTextOid, "text"));
  value->assign(raw);
  return OkStatus();
}

// ---- Connection -------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  // Later keywords override earlier ones, so the URL's own settings win.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "client_encoding", "dbname", nullptr};
  const char* values[] = {"10", "teep-tam", "UTF8", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status(StatusCode::kInternal, "postgresql: connect: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // Named without the URL: it may carry a password.
    Status s(StatusCode::kIoError, Cat("postgresql: connect: ", ServerMessage(conn)));
    PQfinish(conn);
    return s;
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::string name = Cat(PQhost(conn), ":", PQport(conn), "/", PQdb(conn));
  return std::unique_ptr<Connection>(new Connection(conn, std::move(name)));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::idle() const {
  // A pipeline left open by a transport error mid-way is not idle either.
  return PQtransactionStatus(conn_) == PQTRANS_IDLE && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF;
}

Status Connection::Error(std::string_view operation) const {
  return Status(StatusCode::kIoError, Cat("postgresql ", name_, ": ", operation, ": ", ServerMessage(conn_)));
}

Status Connection::CheckResult(std::string_view operation, pg_result* result, bool rows_expected) {
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_sqlstate_.clear();
    if (status == PGRES_TUPLES_OK || !rows_expected) return OkStatus();
    return Status(StatusCode::kInternal, Cat("postgresql ", name_, ": ", operation, ": returned no rows"));
  }
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  last_sqlstate_ = state ? state : "";
  std::string message = OneLine(PQresultErrorMessage(result));
  if (message.empty()) return Error(operation);
  return Status(StatusCode::kIoError, Cat("postgresql ", name_, ": ", operation, ": ", message));
}

Status Connection::Prepare(const sql::Named& statement) {
  if (prepared_.count(statement.name)) return OkStatus();
  const std::string text = sql::PostgresParameters(statement.text);
  std::unique_ptr<pg_result, ResultDeleter> result(
      PQprepare(conn_, std::string(statement.name).c_str(), text.c_str(), 0, nullptr));
  if (!result) return Error(Cat("prepare ", statement.name));
  TEEP_RETURN_IF_ERROR(CheckResult(Cat("prepare ", statement.name), result.get(), false));
  prepared_.insert(statement.name);
  return OkStatus();
}

Result<Rows> Connection::Run(const sql::Named& statement, const Params& params) {
  const std::string context = Cat("postgresql ", name_, ": ", statement.name);
  if (!params.status().ok()) return params.status().WithContext(context);
  TEEP_RETURN_IF_ERROR(Prepare(statement));
  std::unique_ptr<pg_result, ResultDeleter> result(
      PQexecPrepared(conn_, std::string(statement.name).c_str(), params.count(), params.values(),
                     params.lengths(), params.formats(), /*resultFormat=*/1));
  if (!result) return Error(statement.name);
  TEEP_RETURN_IF_ERROR(CheckResult(statement.name, result.get(), false));
  return Rows(context, std::move(result));
}

Status Connection::Exec(std::string_view operation, const std::string& text) {
  // PQexec returns only the last statement's result; the server stops at
  // the first failing one, which is then the last.
  std::unique_ptr<pg_result, ResultDeleter> result(PQexec(conn_, text.c_str()));
  if (!result) return Error(operation);
  return CheckResult(operation, result.get(), false);
}

Status Connection::RunPipelined(const sql::Named& statement, std::span<const Params> batch) {
  for (size_t start = 0; start < batch.size(); start += kPipelineChunk) {
    const size_t end = std::min(batch.size(), start + kPipelineChunk);
    std::vector<Step> steps(end - start);
    for (size_t i = start; i < end; ++i) {
      steps[i - start].statement = &statement;
      steps[i - start].params = batch[i];
    }
    TEEP_RETURN_IF_ERROR(RunSteps(steps));
  }
  return OkStatus();
}

Status Connection::RunSteps(std::span<Step> steps) {
  if (steps.empty()) return OkStatus();
  for (Step& step : steps) {
    if (step.statement) {
      if (!step.params.status().ok()) {
        return step.params.status().WithContext(Cat("postgresql ", name_, ": ", step.statement->name));
      }
      TEEP_RETURN_IF_ERROR(Prepare(*step.statement));
    }
  }
  if (PQenterPipelineMode(conn_) != 1) return Error("enter pipeline mode");
  for (Step& step : steps) {
    const int sent =
        step.statement
            ? PQsendQueryPrepared(conn_, std::string(step.statement->name).c_str(), step.params.count(),
                                  step.params.values(), step.params.lengths(), step.params.formats(), 1)
            : PQsendQueryParams(conn_, std::string(step.command).c_str(), 0, nullptr, nullptr, nullptr,
                                nullptr, 1);
    if (sent != 1) return Error(step.statement ? step.statement->name : step.command);
  }
  if (PQpipelineSync(conn_) != 1) return Error("pipeline sync");
  Status first_error;
  std::string first_sqlstate;
  for (Step& step : steps) {
    const std::string_view operation = step.statement ? step.statement->name : step.command;
    std::unique_ptr<pg_result, ResultDeleter> result(PQgetResult(conn_));
    if (!result) return Error(operation);
    if (PQresultStatus(result.get()) == PGRES_PIPELINE_ABORTED) {
      step.status = Status(StatusCode::kIoError, Cat("postgresql ", name_, ": ", operation,
                                                     ": skipped after an earlier failure"));
    } else {
      step.status = CheckResult(operation, result.get(), false);
      if (step.status.ok()) {
        step.rows.emplace(Cat("postgresql ", name_, ": ", operation), std::move(result));
      } else if (first_error.ok()) {
        first_error = step.status;
        first_sqlstate = last_sqlstate_;
      }
    }
    std::unique_ptr<pg_result, ResultDeleter> end(PQgetResult(conn_));
    if (end) return Status(StatusCode::kInternal, Cat("postgresql ", name_, ": ", operation, ": extra result"));
  }
  std::unique_ptr<pg_result, ResultDeleter> sync(PQgetResult(conn_));
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) return Error("pipeline sync");
  if (PQexitPipelineMode(conn_) != 1) return Error("exit pipeline mode");
  last_sqlstate_ = first_sqlstate;
  return first_error;
}

// ---- Pool -------------------------------------------------------------------

Pool::Lease::~Lease() {
  if (pool_ && connection_) pool_->Return(std::move(connection_));
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  const bool ready = available_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < size_; });
  if (!ready) {
    return Status(StatusCode::kLimitExceeded,
                  Cat("postgresql: all ", size_, " pooled connections busy for ", wait_.count(), " ms"));
  }
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  auto opened = Connection::Open(url_);
  if (!opened.ok()) {
    lock.lock();
    --open_;
    available_.notify_one();
    return opened.status();
  }
  lock.lock();
  name_ = "postgresql " + (*opened)->name();
  lock.unlock();
  return Lease(this, std::move(opened).value());
}

std::string Pool::name() {
  std::lock_guard<std::mutex> lock(mutex_);
  return name_;
}

void Pool::Return(std::unique_ptr<Connection> connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  // A lost connection, or one left inside a transaction, is dropped; the
  // next Acquire opens a fresh one.
  if (connection->broken() || !connection->idle()) {
    --open_;
  } else {
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

bool IsPostgresUrl(std::string_view database) {
  return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

}  // namespace teep::host::pg
