// persistence/: the schema migrations against a real PostgreSQL
// (scripts/services.sh, EXCHANGE_PG_URL). Each test works in a schema of
// its own, dropped at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "persistence/migration.h"
#include "tests/service_env.h"

namespace exchange::persistence {
namespace {

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", url_);
    schema_ = "exchange_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : schema_)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    connection_ = std::make_unique<pqxx::connection>(url_);
    DropSchema();
  }
  void TearDown() override {
    if (connection_) DropSchema();
  }
  void DropSchema() {
    pqxx::work w(*connection_);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema_) + " CASCADE");
    w.commit();
  }
  // One value of a query run with the test's schema first on the path.
  std::string Value(const std::string& sql) {
    pqxx::work w(*connection_);
    w.exec0("SET LOCAL search_path TO " + w.quote_name(schema_));
    const pqxx::row row = w.exec1(sql);
    return row[0].is_null() ? "NULL" : row[0].as<std::string>();
  }

  std::string url_;
  std::string schema_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST_F(MigrationTest, FreshDatabaseGetsEverySchemaVersionAndASecondRunIsANoOp) {
  const MigrationReport first = ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
  ASSERT_FALSE(kEmbeddedMigrations.empty());
  EXPECT_EQ(first.version_before, 0);
  EXPECT_EQ(first.version_after, kEmbeddedMigrations.back().version);
  EXPECT_EQ(first.applied.size(), kEmbeddedMigrations.size());
  EXPECT_EQ(first.applied.front(), "0001_trade_history");
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(kEmbeddedMigrations.size()));
  for (const char* table : {"instruments", "trades", "orders", "candles", "sink_progress"}) {
    EXPECT_EQ(Value("SELECT to_regclass('" + schema_ + "." + table + "') IS NOT NULL"), "t")
        << table;
  }
  EXPECT_EQ(Value("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = '" + schema_ +
                  ".trades'::regclass"),
            "r");  // range

  const MigrationReport second = ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
  EXPECT_EQ(second.version_before, first.version_after);
  EXPECT_EQ(second.version_after, first.version_after);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(kEmbeddedMigrations.size()));
}

TEST_F(MigrationTest, NewerDatabaseIsRefused) {
  ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
  {
    pqxx::work w(*connection_);
    w.exec0("INSERT INTO " + w.quote_name(schema_) +
            ".schema_migrations (version, name) VALUES (9999, '9999_future')");
    w.commit();
  }
  try {
    ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
    FAIL() << "no MigrationError";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("version 9999, newer than this build's"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(MigrationTest, FailedMigrationSaysWhichAndLeavesNothingBehind) {
  const std::vector<Migration> migrations = {
      {1, "0001_good", "CREATE TABLE good (x int)"},
      {2, "0002_bad", "CREATE TABLE half (x int); SELECT no_such_column FROM half"},
  };
  try {
    ApplyMigrations(*connection_, migrations, schema_);
    FAIL() << "no MigrationError";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("migration 0002_bad failed"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_column"), std::string::npos) << e.what();
  }
  // One transaction: not even the good one stayed.
  EXPECT_EQ(Value("SELECT to_regclass('" + schema_ + ".good') IS NULL"), "t");
  EXPECT_EQ(Value("SELECT to_regclass('" + schema_ + ".half') IS NULL"), "t");
}

TEST_F(MigrationTest, OutOfOrderMigrationsAreRefusedBeforeTouchingTheDatabase) {
  const std::vector<Migration> migrations = {{2, "0002_b", "SELECT 1"}, {1, "0001_a", "SELECT 1"}};
  EXPECT_THROW(ApplyMigrations(*connection_, migrations, schema_), MigrationError);
  EXPECT_EQ(Value("SELECT to_regnamespace('" + schema_ + "') IS NULL"), "t");
}

TEST_F(MigrationTest, ConcurrentStartsApplyEachMigrationOnce) {
  std::vector<MigrationReport> reports(4);
  std::vector<std::string> errors(reports.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        pqxx::connection c(url_);
        reports[i] = ApplyMigrations(c, kEmbeddedMigrations, schema_);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  std::size_t applied = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(errors[i], "") << "start " << i;
    applied += reports[i].applied.size();
  }
  EXPECT_EQ(applied, kEmbeddedMigrations.size());
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(kEmbeddedMigrations.size()));
}

}  // namespace
}  // namespace exchange::persistence
