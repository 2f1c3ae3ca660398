#include "persistence/migration.h"

#include <algorithm>
#include <set>

namespace exchange::persistence {

namespace {

// pg_advisory_xact_lock key: "exchange migrations".
constexpr const char* kLockKey = "7452880337045211425";

void CheckOrder(const std::vector<Migration>& migrations) {
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      throw MigrationError("migrations out of order: " + std::string(migrations[i].name) +
                           " after " + std::string(migrations[i - 1].name));
    }
  }
}

std::set<int> AppliedVersions(pqxx::work& w) {
  std::set<int> versions;
  for (const auto& row : w.exec("SELECT version FROM schema_migrations"))
    versions.insert(row[0].as<int>());
  return versions;
}

}  // namespace

MigrationReport ApplyMigrations(pqxx::connection_base& connection,
                                const std::vector<Migration>& migrations,
                                const std::string& schema) {
  CheckOrder(migrations);
  MigrationReport report;
  pqxx::work w(connection, "migrations");
  w.exec1(std::string("SELECT pg_advisory_xact_lock(") + kLockKey + ")");
  w.exec0("CREATE SCHEMA IF NOT EXISTS " + w.quote_name(schema));
  w.exec0("SET LOCAL search_path TO " + w.quote_name(schema));
  w.exec0(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT "
      "NULL, applied_at timestamptz NOT NULL DEFAULT now())");
  const std::set<int> applied = AppliedVersions(w);
  report.version_before = applied.empty() ? 0 : *applied.rbegin();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (report.version_before > known) {
    throw MigrationError("the database schema (" + schema + ") is at version " +
                         std::to_string(report.version_before) + ", newer than this build's " +
                         std::to_string(known) + ": run a newer build");
  }
  for (const Migration& m : migrations) {
    if (applied.contains(m.version)) continue;
    try {
      w.exec(std::string(m.sql));
      w.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     std::string(m.name));
    } catch (const pqxx::sql_error& e) {
      throw MigrationError("migration " + std::string(m.name) + " failed: " + e.what());
    }
    report.applied.emplace_back(m.name);
  }
  w.commit();
  report.version_after = std::max(report.version_before, known);
  return report;
}

}  // namespace exchange::persistence
