#include "persistence/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>

namespace exchange::persistence {

namespace {

std::string Trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

// COPY data goes to libpq in pieces of this size.
constexpr std::size_t kCopyChunk = 1 << 20;

}  // namespace

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

int PgResult::rows() const {
  return PQntuples(result_);
}

bool PgResult::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string_view PgResult::value(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

PgConnection::PgConnection(const std::string& url, std::chrono::seconds connect_timeout) {
  const std::string timeout = std::to_string(std::max<long>(1, connect_timeout.count()));
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn_ == nullptr) throw PgError("postgresql: out of memory connecting", "", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = Trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("postgresql: cannot connect: " + why, "", true);
  }
  address_ = std::string(PQhost(conn_)) + ":" + PQport(conn_) + "/" + PQdb(conn_);
  // NOTICEs ("relation ... already exists, skipping") are not for stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool PgConnection::ok() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void PgConnection::Fail(pg_result* result, const std::string& doing) {
  // Copied before PQclear frees the result they point into.
  const char* state_field =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = state_field != nullptr ? state_field : "";
  std::string message = Trimmed(result != nullptr ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  if (result != nullptr) PQclear(result);
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  throw PgError("postgresql " + address_ + ": " + doing + ": " + message, state, lost);
}

void PgConnection::Check(pg_result* result, const std::string& doing) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result, doing);
}

PgResult PgConnection::Exec(const std::string& sql) {
  pg_result* result = PQexec(conn_, sql.c_str());
  Check(result, "running " + sql.substr(0, 60));
  return PgResult(result);
}

PgResult PgConnection::Exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p.c_str());
  pg_result* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0);
  Check(result, "running " + sql.substr(0, 60));
  return PgResult(result);
}

void PgConnection::CopyIn(const std::string& copy_sql,
                          std::initializer_list<std::string_view> pieces) {
  pg_result* start = PQexec(conn_, copy_sql.c_str());
  if (start == nullptr || PQresultStatus(start) != PGRES_COPY_IN) Fail(start, copy_sql);
  PQclear(start);
  bool sent = true;
  for (std::string_view data : pieces) {
    for (std::size_t at = 0; at < data.size() && sent; at += kCopyChunk) {
      const std::size_t n = std::min(kCopyChunk, data.size() - at);
      sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) == 1;
    }
  }
  if (!sent || PQputCopyEnd(conn_, nullptr) != 1) Fail(nullptr, copy_sql);
  // The COPY's own result, then nothing.
  pg_result* result = PQgetResult(conn_);
  while (pg_result* extra = PQgetResult(conn_))
    PQclear(extra);
  Check(result, copy_sql);
  PQclear(result);
}

}  // namespace exchange::persistence
