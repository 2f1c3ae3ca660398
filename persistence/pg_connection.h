// PgConnection: one libpq connection, for the history sink's writes. It is
// libpq itself rather than libpqxx (which the migrations and the reports
// use) because the hot path is COPY: libpqxx 6.4's stream_to turns every
// field into a std::string and escapes it one by one (its raw-line writer
// is private), while the sink builds the COPY text of a whole batch in one
// buffer with std::to_chars and hands it to libpq at once.
//
// Errors are PgError, which carries the SQLSTATE (empty when the connection
// failed) and whether the connection is lost; a lost connection is not
// reused: the caller builds a new PgConnection.
//
// One thread per connection.
#pragma once

#include <chrono>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace exchange::persistence {

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& what, std::string sqlstate, bool connection_lost)
      : std::runtime_error(what),
        sqlstate_(std::move(sqlstate)),
        connection_lost_(connection_lost) {}
  // "23514" (check_violation) and the like; "" for connection failures.
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return connection_lost_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

// The rows of a query. Move-only.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;

  int rows() const;
  bool is_null(int row, int column) const;
  std::string_view value(int row, int column) const;  // text format

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // `url`: a PostgreSQL URI or key=value string. Throws PgError.
  explicit PgConnection(const std::string& url,
                        std::chrono::seconds connect_timeout = std::chrono::seconds(5));
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` (one statement, or several separated by ';': the last one's
  // rows). Throws PgError.
  PgResult Exec(const std::string& sql);
  // One statement with $1.. parameters, as text. Throws PgError.
  PgResult Exec(const std::string& sql, const std::vector<std::string>& params);
  // COPY ... FROM STDIN with the concatenation of `pieces` as its data
  // (whole rows, and a binary COPY's header and trailer). Throws PgError;
  // after a data error the transaction is aborted, the connection is fine.
  void CopyIn(const std::string& copy_sql, std::initializer_list<std::string_view> pieces);

  // False once the connection is lost.
  bool ok() const;
  // host:port/database, for messages.
  const std::string& address() const { return address_; }

 private:
  [[noreturn]] void Fail(pg_result* result, const std::string& doing);
  void Check(pg_result* result, const std::string& doing);

  pg_conn* conn_ = nullptr;
  std::string address_;
};

}  // namespace exchange::persistence
