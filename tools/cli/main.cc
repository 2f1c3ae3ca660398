// exchange-cli: the command-line client of the engine service.
//   send    publish commands (an order-flow CSV, or one order from flags)
//   tail    follow events
//   decode  show one wire message as text or JSON
//   status  the engine service's health from its metrics
//   book    a symbol's book from the Redis book-state view
//   order   one open order from the Redis book-state view
//   deposit, withdraw  a transfer into or out of an account (cash risk)
//   transfer  move an account's funds from one engine shard to another
//   fees    a symbol's maker and taker rates, or one account's (cash risk)
//   balance an account's balances from the Redis book-state view
//   report  analytical reads of the trade history in PostgreSQL
// The logic is in the exchange_cli library (tools/cli/); this file only
// wires flags to it and turns every error into a message and an exit status.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amqp/amqp_client.h"
#include "tools/cli/balance.h"
#include "tools/cli/book.h"
#include "tools/cli/cli_error.h"
#include "tools/cli/cli_flags.h"
#include "tools/cli/decode.h"
#include "tools/cli/apikey_commands.h"
#include "tools/cli/funds_commands.h"
#include "tools/cli/ledger_report.h"
#include "tools/cli/order_input.h"
#include "tools/cli/report.h"
#include "tools/cli/send.h"
#include "tools/cli/status.h"
#include "tools/cli/tail.h"

namespace exchange::cli {
namespace {

// ------------------------------------------------------------------ send

struct SendFlags {
  std::string amqp_url = DefaultAmqpUrl();
  std::string orders_file;
  bool json = false;
  SendOptions options;
  SingleOrderFlags order;
  std::uint32_t account = 0;
  std::uint64_t order_id = 0;
  std::uint64_t cancel_order_id = 0;
  std::int64_t confirm_timeout_ms = 30000;
  CLI::Option* producer_id = nullptr;
  CLI::Option* account_opt = nullptr;
  CLI::Option* order_id_opt = nullptr;
  CLI::Option* cancel_opt = nullptr;
};

void AddSend(CLI::App& app, SendFlags& f) {
  CLI::App* send = app.add_subcommand(
      "send",
      "Publish commands to the orders exchange (persistent, with publisher confirms). "
      "A message holds up to --batch consecutive commands of one symbol (routing key = "
      "the symbol); a mass cancel of all symbols goes alone under '_all'. Producer "
      "sequences rise by one per command from --first-sequence, in input order.");
  send->add_option("--amqp-url", f.amqp_url, "RabbitMQ URL (default: $EXCHANGE_AMQP_URL)")
      ->capture_default_str();
  auto* orders = send->add_option("--orders", f.orders_file,
                                  "Order-flow CSV to send (checked whole before anything is sent)");
  f.producer_id =
      send->add_option(
              "--producer-id", f.options.producer_id,
              "Producer id, nonzero (default: random, printed); the engine drops a (producer id, "
              "sequence) it has already applied, so reuse an id only to resend")
          ->check(Positive());
  send->add_option("--first-sequence", f.options.first_sequence, "First producer sequence (>= 1)")
      ->check(Positive())
      ->capture_default_str();
  send->add_option("--batch", f.options.batch, "Commands per AMQP message")
      ->check(Positive())
      ->capture_default_str();
  send->add_option("--rate", f.options.rate, "Messages per second (0: as fast as possible)")
      ->check(NonNegativeReal())
      ->capture_default_str();
  send->add_option("--confirm-window", f.options.confirm_window,
                   "Most unconfirmed messages before waiting for confirms")
      ->check(Positive())
      ->capture_default_str();
  send->add_option("--confirm-timeout-ms", f.confirm_timeout_ms,
                   "Give up when RabbitMQ confirms nothing for this long")
      ->check(Positive())
      ->capture_default_str();
  send->add_flag("--json", f.json, "Print the summary as one JSON line");
  send->add_option("--shard", f.options.transfer_shard,
                   "The engine shard that deposits and withdrawals (D and W rows) go to")
      ->capture_default_str();

  SingleOrderFlags& o = f.order;
  std::vector<CLI::Option*> single = {
      send->add_option("--symbol", o.symbol, "Symbol of the single order (not with --orders)"),
      send->add_option("--side", o.side, "B, S, BUY or SELL"),
      send->add_option("--type", o.type, "LIMIT MARKET POST_ONLY STOP STOP_LIMIT ICEBERG")
          ->capture_default_str(),
      send->add_option("--tif", o.tif, "GTC IOC FOK")->capture_default_str(),
      send->add_option("--price", o.price, "Limit price, instrument units"),
      send->add_option("--qty", o.quantity, "Quantity, instrument units"),
      send->add_option("--stop-price", o.stop_price, "STOP and STOP_LIMIT trigger price"),
      send->add_option("--display-qty", o.display_quantity, "ICEBERG shown quantity"),
      send->add_option("--stp", o.stp, "DEFAULT CANCEL_RESTING CANCEL_INCOMING CANCEL_BOTH"),
      send->add_option("--timestamp", o.timestamp,
                       "Command timestamp, ns since the epoch (0: the engine's receive time)"),
  };
  f.account_opt = send->add_option("--account", f.account, "Account")->check(Unsigned());
  f.order_id_opt = send->add_option("--order-id", f.order_id, "Client order id of a new order")
                       ->check(Unsigned());
  f.cancel_opt = send->add_option("--cancel", f.cancel_order_id,
                                  "Cancel this client order id (with --symbol --account)")
                     ->check(Unsigned());
  auto* mass = send->add_flag("--mass-cancel", o.mass_cancel,
                              "Cancel every order of --account (in --symbol, or in all symbols)");
  single.insert(single.end(), {f.account_opt, f.order_id_opt, f.cancel_opt, mass});
  for (CLI::Option* s : single)
    orders->excludes(s);
  f.cancel_opt->excludes(mass);
}

int RunSend(SendFlags& f) {
  const amqp::Url url = ParseAmqpUrl(f.amqp_url);
  if (f.producer_id->count() == 0) f.options.producer_id = RandomProducerId();
  f.options.confirm_timeout = std::chrono::milliseconds(f.confirm_timeout_ms);
  CheckSendOptions(f.options);
  if (f.confirm_timeout_ms <= 0) throw CliError(kExitBadInput, "--confirm-timeout-ms must be > 0");

  CommandSource source;
  if (!f.orders_file.empty()) {
    std::uint64_t commands = 0;
    ReadNamedOrderFlowFile(f.orders_file, [&](NamedCommand&&) { ++commands; });
    if (commands == 0) throw CliError(kExitBadInput, f.orders_file + ": no commands");
    source = [&](const NamedCommandSink& each) { ReadNamedOrderFlowFile(f.orders_file, each); };
  } else {
    if (f.account_opt->count()) f.order.account = f.account;
    if (f.order_id_opt->count()) f.order.order_id = f.order_id;
    if (f.cancel_opt->count()) f.order.cancel_order_id = f.cancel_order_id;
    NamedCommand command = BuildSingleCommand(f.order);
    source = [command](const NamedCommandSink& each) { each(NamedCommand(command)); };
  }
  if (!f.json) std::cerr << "producer id " << f.options.producer_id << "\n";
  std::cout << FormatSendSummary(Publish(url, f.options, source), f.json) << std::endl;
  return 0;
}

// ------------------------------------------------------------------ balance

struct BalanceFlags {
  std::string redis_url = DefaultRedisUrl();
  BalanceOptions options;
};

void AddBalance(CLI::App& app, BalanceFlags& f);
int RunBalance(const BalanceFlags& f);

// ------------------------------------------------------------------ tail

struct TailFlags {
  std::string amqp_url = DefaultAmqpUrl();
  TailBindings bindings;
  TailOptions options;
  std::int64_t timeout_ms = 0;
};

void AddTail(CLI::App& app, TailFlags& f) {
  CLI::App* tail = app.add_subcommand(
      "tail",
      "Follow the events exchange through a temporary queue and print each event as one "
      "line. Deduplicates by engine sequence: per shard, an event whose sequence is "
      "not above the highest already printed is dropped (after an engine restart the "
      "engine republishes unconfirmed events with their old sequences).");
  tail->add_option("--amqp-url", f.amqp_url, "RabbitMQ URL (default: $EXCHANGE_AMQP_URL)")
      ->capture_default_str();
  tail->add_option("--account", f.bindings.accounts, "Events of this account (exec.N); repeatable")
      ->check(Unsigned());
  tail->add_option("--symbol", f.bindings.symbols,
                   "Book events and trades of this symbol (book.S, trade.S); repeatable");
  tail->add_flag("--trades-only", f.bindings.trades_only, "With --symbol: trades only (trade.S)");
  tail->add_option("--key", f.bindings.keys,
                   "Raw binding key of the events topic exchange, e.g. '#'; repeatable");
  tail->add_flag("--json", f.options.json, "One JSON object per event (wire::ToJson)");
  tail->add_option("--count", f.options.count, "Exit after this many events (0: no limit)")
      ->check(Unsigned());
  tail->add_option("--timeout-ms", f.timeout_ms,
                   "Exit after this long without a new event (0: wait forever); exit 1 if "
                   "--count events had not come by then")
      ->check(Unsigned());
}

int RunTail(TailFlags& f) {
  const amqp::Url url = ParseAmqpUrl(f.amqp_url);
  if (f.timeout_ms < 0) throw CliError(kExitBadInput, "--timeout-ms must be >= 0");
  f.options.timeout = std::chrono::milliseconds(f.timeout_ms);
  const std::vector<std::string> keys = TailBindingKeys(f.bindings);
  try {
    amqp::AmqpClient client(url);
    EventTail tail(client, keys, std::cerr);
    // Scripts wait for this line: from here on nothing published is missed.
    std::cerr << "tail: listening (queue " << tail.queue() << ")" << std::endl;
    return RunTail(tail, f.options, std::cout, std::cerr);
  } catch (const amqp::AmqpError& e) {
    throw CliError(kExitFailure, e.what());
  }
}

// ------------------------------------------------------------------ decode

struct DecodeFlags {
  std::string file;
  std::string hex;
  bool json = false;
};

void AddDecode(CLI::App& app, DecodeFlags& f) {
  CLI::App* decode = app.add_subcommand(
      "decode",
      "Show one wire message (command batch or event batch, wire/FORMAT.md) as text or "
      "JSON. Exit 2 with the reason and byte offset for a malformed message.");
  auto* file = decode->add_option("file", f.file, "File holding the message ('-': standard input)");
  auto* hex = decode->add_option("--hex", f.hex, "The message as hex digits (spaces allowed)");
  decode->add_flag("--json", f.json, "wire::ToJson of the batch, on one line");
  file->excludes(hex);
}

int RunDecode(const DecodeFlags& f) {
  if (f.file.empty() && f.hex.empty()) {
    throw CliError(kExitBadInput, "give a FILE, '-' for standard input, or --hex HEX");
  }
  const std::string bytes = f.hex.empty() ? ReadWholeInput(f.file) : ParseHex(f.hex);
  return DecodeMessage(bytes, f.json, std::cout, std::cerr);
}

// ------------------------------------------------------------------ status

struct StatusFlags {
  StatusOptions options;
  std::int64_t timeout_ms = 3000;
};

void AddStatus(CLI::App& app, StatusFlags& f) {
  CLI::App* status = app.add_subcommand(
      "status",
      "Health summary of the engine service from http://HOST:PORT/metrics (Prometheus "
      "text). Exit 1 when it cannot be reached or reports exchange_engine_up 0.");
  StatusOptions& o = f.options;
  o.amqp_url = DefaultAmqpUrl();
  status->add_option("--metrics", o.metrics, "HOST:PORT of the metrics endpoint")
      ->capture_default_str();
  status->add_flag("--all", o.all, "Also every other metric");
  status->add_flag("--json", o.json, "One JSON object, metric (with labels) -> value");
  status->add_flag("--queue", o.queue, "Also the depth of the shard's RabbitMQ queue");
  status->add_option("--shard", o.shard, "Shard for --queue (queue engine.SHARD)")
      ->capture_default_str();
  status
      ->add_option("--amqp-url", o.amqp_url,
                   "RabbitMQ URL for --queue (default: $EXCHANGE_AMQP_URL)")
      ->capture_default_str();
  status->add_option("--timeout-ms", f.timeout_ms, "HTTP timeout")
      ->check(Positive())
      ->capture_default_str();
}

int RunStatus(StatusFlags& f) {
  if (f.timeout_ms <= 0) throw CliError(kExitBadInput, "--timeout-ms must be > 0");
  f.options.timeout = std::chrono::milliseconds(f.timeout_ms);
  if (f.options.queue) ParseAmqpUrl(f.options.amqp_url);
  return RunStatus(f.options, std::cout, std::cerr);
}

// ------------------------------------------------------------------ book

constexpr const char* kRedisUrlHelp =
    "Redis of the book-state view, redis://[user[:password]@]host[:port][/db] (default: "
    "$EXCHANGE_REDIS_URL)";

struct BookFlags {
  std::string redis_url = DefaultRedisUrl();
  BookOptions options;
};

void AddBook(CLI::App& app, BookFlags& f) {
  CLI::App* book = app.add_subcommand(
      "book",
      "A symbol's book as the Redis book-state view has it (one MULTI/EXEC read): sequence, "
      "halted, best bid and ask, last trade, and the top levels of each side. Exit 1 (after "
      "printing it) when the view is incoherent, 4 when the symbol has no view.");
  book->add_option("symbol", f.options.symbol, "Symbol")->required();
  book->add_option("--levels", f.options.levels, "Levels per side (0: all)")
      ->check(Unsigned())
      ->capture_default_str();
  book->add_flag("--json", f.options.json, "One JSON object");
  book->add_option("--redis-url", f.redis_url, kRedisUrlHelp);
}

int RunBook(const BookFlags& f) {
  redis::RedisClient client = ConnectRedis(f.redis_url);
  return RunBook(client, f.options, std::cout, std::cerr);
}

// ------------------------------------------------------------------ order

struct OrderFlags {
  std::string redis_url = DefaultRedisUrl();
  OrderOptions options;
};

void AddOrder(CLI::App& app, OrderFlags& f) {
  CLI::App* order = app.add_subcommand(
      "order",
      "One open order, by account and client order id, as the Redis book-state view has it; "
      "in --symbol, or else searched in every symbol. Exit 4 when it is not open (filled, "
      "cancelled or unknown).");
  order->add_option("account", f.options.account, "Account")->required()->check(Unsigned());
  order->add_option("order_id", f.options.order_id, "Client order id")
      ->required()
      ->check(Unsigned());
  order->add_option("--symbol", f.options.symbol, "Look in this symbol only");
  order->add_flag("--json", f.options.json, "One JSON object");
  order->add_option("--redis-url", f.redis_url, kRedisUrlHelp);
}

int RunOrder(const OrderFlags& f) {
  redis::RedisClient client = ConnectRedis(f.redis_url);
  return RunOrder(client, f.options, std::cout, std::cerr);
}

void AddBalance(CLI::App& app, BalanceFlags& f) {
  CLI::App* sub = app.add_subcommand(
      "balance",
      "An account's balances (available, held, total per asset, in the asset's decimals) as "
      "the Redis book-state view has them. Exit 4 when the account has none.");
  sub->add_option("account", f.options.account, "Account")->required()->check(Unsigned());
  sub->add_flag("--json", f.options.json, "One JSON object (amounts as decimal strings)");
  sub->add_option("--redis-url", f.redis_url, kRedisUrlHelp);
}

int RunBalance(const BalanceFlags& f) {
  redis::RedisClient client = ConnectRedis(f.redis_url);
  return RunBalance(client, f.options, std::cout, std::cerr);
}

// ------------------------------------------------------------------ report

struct ReportCommand {
  ReportFlags flags;
  LedgerReportFlags ledger;
  CLI::App* reconcile = nullptr;
  CLI::App* balances = nullptr;
  std::vector<std::pair<CLI::App*, persistence::Report>> reports;
};

// report reconcile, report balances: the ledger (cash risk).
void AddLedgerReports(CLI::App& report, ReportCommand& c) {
  LedgerReportFlags& f = c.ledger;
  c.reconcile = report.add_subcommand(
      "reconcile",
      "Per asset: deposits - withdrawals = every balance (fees and rounding included); per "
      "account: its ledger rows add up to its balance. Exit 1 when anything does not.");
  c.balances = report.add_subcommand(
      "balances", "Every account's balances (or --account's) as they were before --at");
  c.balances->add_option("--at", f.at, "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.f]Z (UTC)")->required();
  c.balances->add_option("--account", f.account, "Only this account");
  for (CLI::App* sub : {c.reconcile, c.balances}) {
    sub->add_flag("--json", f.json, "One JSON document (amounts as decimal strings)");
    sub->add_option("--pg-url", f.pg_url,
                    "PostgreSQL URL (default: $EXCHANGE_PG_READER_URL, the read-only role)");
    sub->add_option("--pg-schema", f.pg_schema, "Schema of the tables")->capture_default_str();
  }
}

void AddReport(CLI::App& app, ReportCommand& c) {
  CLI::App* report = app.add_subcommand(
      "report",
      "Analytical reads of the trade history in PostgreSQL (persistence/README.md, \"Analytical "
      "reads\"), over the window [--from, --to), UTC: an aligned table with the instruments' "
      "decimals, --json one JSON document, --explain the query's plan instead. Exit 2 for bad "
      "flags, 4 for a symbol not in instruments, 1 when PostgreSQL fails.");
  report->require_subcommand(1);
  ReportFlags& f = c.flags;
  struct Kind {
    const char* name;
    persistence::Report report;
    const char* help;
  };
  const Kind kinds[] = {
      {"vwap", persistence::Report::kVwap,
       "Trade count, volume, quote volume, VWAP, first and last trade of --symbol"},
      {"account", persistence::Report::kAccountTrades,
       "The trades of --account (as taker or maker) in time order, at most --limit"},
      {"daily", persistence::Report::kDailyOhlc,
       "Daily OHLC of --symbol (the stored 1d candles of the UTC days the window overlaps)"},
      {"top-accounts", persistence::Report::kTopAccounts,
       "Accounts by volume traded (taker plus maker), in --symbol or all symbols, at most --limit"},
      {"candles", persistence::Report::kCandles,
       "Candles of --interval of --symbol recomputed from the trades"},
  };
  for (const Kind& k : kinds) {
    CLI::App* sub = report->add_subcommand(k.name, k.help);
    const bool symbol = k.report != persistence::Report::kAccountTrades;
    if (symbol) {
      sub->add_option("--symbol", f.symbol,
                      k.report == persistence::Report::kTopAccounts
                          ? "Only this symbol (default: all)"
                          : "Symbol (required)");
    }
    if (k.report == persistence::Report::kAccountTrades) {
      sub->add_option("--account", f.account, "Account (required)");
    }
    if (k.report == persistence::Report::kCandles) {
      sub->add_option("--interval", f.interval,
                      "1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M (required)");
    }
    sub->add_option("--from", f.from,
                    "Window start, inclusive: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff]Z (UTC)");
    sub->add_option("--to", f.to, "Window end, exclusive, in the same formats");
    if (k.report == persistence::Report::kAccountTrades ||
        k.report == persistence::Report::kTopAccounts) {
      sub->add_option("--limit", f.limit, "Most rows")->capture_default_str();
    }
    sub->add_flag("--json", f.json, "One JSON document (prices and quantities as decimal strings)");
    sub->add_flag("--explain", f.explain, "Print the query and PostgreSQL's plan of it instead");
    sub->add_option("--pg-url", f.pg_url,
                    "PostgreSQL URL (default: $EXCHANGE_PG_READER_URL, the read-only role)");
    sub->add_option("--pg-schema", f.pg_schema, "Schema of the tables")->capture_default_str();
    c.reports.emplace_back(sub, k.report);
  }
  AddLedgerReports(*report, c);
}

int RunReport(const ReportCommand& c) {
  if (c.reconcile->parsed()) return RunReconcile(c.ledger, std::cout);
  if (c.balances->parsed()) return RunBalancesAt(c.ledger, std::cout);
  for (const auto& [sub, report] : c.reports) {
    if (sub->parsed()) return RunReport(report, c.flags, std::cout);
  }
  throw CliError(kExitBadInput, "which report? vwap, account, daily, top-accounts or candles");
}

int Main(int argc, char** argv) {
  CLI::App app{"exchange-cli: command-line client of the exchange engine service"};
  app.require_subcommand(1);
  SendFlags send;
  TailFlags tail;
  DecodeFlags decode;
  StatusFlags status;
  BookFlags book;
  OrderFlags order;
  ReportCommand report;
  FundsCommands funds;
  BalanceFlags balance;
  ApiKeyCommand apikey;
  AddSend(app, send);
  AddFundsCommands(app, funds);
  AddBalance(app, balance);
  AddTail(app, tail);
  AddDecode(app, decode);
  AddStatus(app, status);
  AddBook(app, book);
  AddOrder(app, order);
  AddReport(app, report);
  AddApiKeyCommand(app, apikey);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const std::string name = app.get_subcommands().front()->get_name();
  try {
    if (name == "send") return RunSend(send);
    if (name == "tail") return RunTail(tail);
    if (name == "decode") return RunDecode(decode);
    if (name == "book") return RunBook(book);
    if (name == "order") return RunOrder(order);
    if (const std::optional<int> code = RunFundsCommand(name, funds)) return *code;
    if (name == "balance") return RunBalance(balance);
    if (name == "report") return RunReport(report);
    if (const std::optional<int> code = RunApiKeyCommand(app, apikey)) return *code;
    return RunStatus(status);
  } catch (const CliError& e) {
    std::cerr << "exchange-cli " << name << ": " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "exchange-cli " << name << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace
}  // namespace exchange::cli

int main(int argc, char** argv) {
  return exchange::cli::Main(argc, argv);
}
