// Migration and ApplyMigrations: the versioned SQL schema of the trade
// history (persistence/migrations/NNNN_name.sql, embedded in the binaries at
// build time by cmake/EmbedMigrations.cmake) and how a database is brought
// up to date at start-up.
//
// ApplyMigrations runs every pending migration in one transaction, under an
// advisory lock, so two processes starting together apply each one once;
// the versions applied are recorded in schema_migrations, and a second run
// is a no-op. A database whose schema is newer than the binary is refused.
//
// Any thread, with a connection of its own.
#pragma once

#include <pqxx/pqxx>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace exchange::persistence {

struct Migration {
  int version = 0;        // NNNN of the file name; ascending, unique
  std::string_view name;  // "0001_trade_history"
  std::string_view sql;
};

// The migrations this build carries, in version order.
extern const std::vector<Migration> kEmbeddedMigrations;

// A migration failed, or the database is not one this build can use.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationReport {
  int version_before = 0;  // 0: a fresh database
  int version_after = 0;
  std::vector<std::string> applied;  // names, in order
};

// Applies what `migrations` has that the database has not, in `schema`
// (created when missing; "public" unless a test isolates itself). Throws
// MigrationError saying which migration failed and why.
MigrationReport ApplyMigrations(pqxx::connection_base& connection,
                                const std::vector<Migration>& migrations = kEmbeddedMigrations,
                                const std::string& schema = "public");

}  // namespace exchange::persistence
