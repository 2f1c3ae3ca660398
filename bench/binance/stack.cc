#include "bench/binance/stack.h"

#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <stdexcept>
#include <thread>

#include "amqp/amqp_client.h"
#include "persistence/migration.h"
#include "testing/child_process.h"

namespace exchange::bench::binance_bench {

BinanceStack::BinanceStack(StackOptions options) : o_(std::move(options)) {
  base_ = "BB" + o_.tag;
  symbol_ = base_ + "-USD";
  shard_ = "bench-binance-" + o_.tag;
  schema_ = "bench_binance_" + o_.tag;
  WriteInstruments();
  engine_ = std::make_unique<LoggedProcess>(
      "exchange-engine",
      std::vector<std::string>{o_.engine_bin, "--shard", shard_, "--symbols", symbol_, "--data-dir",
                               o_.dir + "/engine", "--instruments", o_.dir + "/instruments.toml",
                               "--metrics", "", "--redis-url", "", "--pg-url", "", "--log-level",
                               "info"},
      o_.amqp_url, o_.dir + "/engine.log");
  MakeKeys();
  // The engine declares its queue at start: wait for it before depositing.
  for (int i = 0; i < 3000; ++i) {
    engine_->Check();
    std::ifstream in(engine_->log_path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.find("ingest: consuming") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Deposit(seller_.key.account, base_, 1'000'000'000'000'000LL, 1);
  Deposit(buyer_.key.account, "USD", 1'000'000'000'000LL, 2);
  StartGateway();
}

BinanceStack::~BinanceStack() {
  Stop();
  try {
    amqp::AmqpClient admin(amqp::ParseUrl(o_.amqp_url));
    admin.DeleteQueue("engine." + shard_);
    admin.DeleteQueue("gateway." + shard_);
  } catch (const std::exception&) {
  }
  try {
    pqxx::connection c(o_.pg_url);
    pqxx::work w(c);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema_) + " CASCADE");
    w.commit();
  } catch (const std::exception&) {
  }
}

void BinanceStack::WriteInstruments() {
  std::ofstream(o_.dir + "/instruments.toml")
      << "[[asset]]\nname = \"" << base_ << "\"\ndecimals = 8\n"
      << "[[asset]]\nname = \"USD\"\ndecimals = 2\n"
      << "[[instrument]]\nsymbol = \"" << symbol_ << "\"\nprice_decimals = 2\n"
      << "quantity_decimals = 4\ntick_size = 1\nlot_size = 1\nmin_quantity = 1\n"
      << "max_quantity = 10000000\nmarket_protection_ticks = 500\n"
      << "self_trade_prevention = \"CANCEL_RESTING\"\nbase_asset = \"" << base_
      << "\"\nquote_asset = \"USD\"\nmaker_fee_ppm = 1000\ntaker_fee_ppm = 2000\n";
}

void BinanceStack::MakeKeys() {
  pqxx::connection c(o_.pg_url);
  persistence::ApplyMigrations(c, persistence::kEmbeddedMigrations, schema_);
  const auth::MasterKey master = auth::MasterKey::Create(o_.dir + "/master.key");
  auth::ApiKeyStore store(o_.pg_url, schema_);
  const AccountId first = 2'000'000'000u + static_cast<AccountId>(std::stoul(o_.tag) % 100'000'000);
  seller_ = store.Create(first, true, {}, "bench seller", master);
  buyer_ = store.Create(first + 1, true, {}, "bench buyer", master);
}

void BinanceStack::Deposit(AccountId account, const std::string& asset, std::int64_t amount,
                           int transfer) {
  testing::ChildOptions options;
  options.path = o_.cli_bin;
  options.args = {o_.cli_bin,      "deposit",
                  "--account",     std::to_string(account),
                  "--asset",       asset,
                  "--amount",      std::to_string(amount),
                  "--transfer-id", std::to_string(transfer),
                  "--shard",       shard_,
                  "--amqp-url",    o_.amqp_url};
  options.output_file = o_.dir + "/deposit.log";
  options.null_stdin = true;
  testing::ChildProcess cli(options);
  const auto status = cli.WaitFor(std::chrono::seconds(30));
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("exchange-cli deposit failed:\n" +
                             ReadTail(o_.dir + "/deposit.log", 5));
  }
}

void BinanceStack::StartGateway() {
  std::ofstream(o_.dir + "/gateway.toml")
      << "[gateway]\nname = \"" << shard_ << "\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \"" << o_.dir
      << "/gateway\"\ninstruments = \"" << o_.dir << "/instruments.toml\"\n"
      << "[binance]\nlisten = \"127.0.0.1:0\"\nkey_file = \"" << o_.dir << "/master.key\"\n"
      << "pg_url = \"" << o_.pg_url << "\"\npg_schema = \"" << schema_ << "\"\nredis_url = \"\"\n"
      << "orders_per_10s = 0\norders_per_day = 0\n";  // the load is the point: no ORDERS limit
  gateway_ = std::make_unique<LoggedProcess>(
      "exchange-gateway",
      std::vector<std::string>{o_.gateway_bin, "--config", o_.dir + "/gateway.toml", "--log-level",
                               "warn"},
      o_.amqp_url, o_.dir + "/gateway.log");
  const std::regex line("binance api on port ([0-9]+)");
  for (int i = 0; i < 3000 && port_ == 0; ++i) {
    gateway_->Check();
    std::ifstream in(gateway_->log_path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    std::smatch m;
    if (std::regex_search(text, m, line)) port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port_ == 0) throw std::runtime_error("the gateway's Binance API never listened");
}

void BinanceStack::Check() {
  if (engine_) engine_->Check();
  if (gateway_) gateway_->Check();
}

std::string BinanceStack::Stop() {
  std::string problems;
  if (gateway_) problems += gateway_->Stop(std::chrono::seconds(10));
  if (engine_) problems += engine_->Stop(std::chrono::seconds(10));
  gateway_.reset();
  engine_.reset();
  return problems;
}

}  // namespace exchange::bench::binance_bench
