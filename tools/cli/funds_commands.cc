#include "tools/cli/funds_commands.h"

#include <iostream>

#include "tools/cli/cli_error.h"
#include "tools/cli/command_batcher.h"
#include "tools/cli/shard_transfer.h"
#include "tools/cli/tail.h"

namespace exchange::cli {
namespace {

// --account, --asset and --amount, all required.
void AddAccountAssetAmount(CLI::App& sub, AccountId& account, std::string& asset,
                           std::int64_t& amount) {
  sub.add_option("--account", account, "Account")->required()->check(Unsigned());
  sub.add_option("--asset", asset, "Asset name, as in the instruments file's [[asset]]")
      ->required();
  sub.add_option("--amount", amount, "Amount in the asset's units (integer, > 0)")
      ->required()
      ->check(Positive());
}

void AddTransfer(CLI::App& app, const std::string& name, TransferFlags& f) {
  const bool deposit = name == "deposit";
  CLI::App* sub = app.add_subcommand(
      name, std::string(deposit ? "Deposit into" : "Withdraw from") +
                " an account's available balance (cash risk). The transfer id applies once, "
                "ever: sending it again is rejected DUPLICATE_TRANSFER, never paid twice. "
                "The engine's answer is a BALANCE or REJECTED event (exchange-cli tail).");
  AddAccountAssetAmount(*sub, f.account, f.asset, f.amount);
  sub->add_option("--transfer-id", f.transfer, "Transfer id, unique forever (> 0)")
      ->required()
      ->check(Positive());
  sub->add_option("--amqp-url", f.amqp_url, "RabbitMQ URL (default: $EXCHANGE_AMQP_URL)");
  sub->add_option("--shard", f.options.transfer_shard,
                  "The engine shard whose funds these are (its [engine] shard)")
      ->capture_default_str();
  f.producer_id =
      sub->add_option("--producer-id", f.options.producer_id, "Producer id (default: random)")
          ->check(Positive());
  sub->add_flag("--json", f.json, "Print the summary as one JSON line");
}

int RunTransfer(TransferFlags& f, bool deposit) {
  const amqp::Url url = ParseAmqpUrl(f.amqp_url);
  if (f.producer_id->count() == 0) f.options.producer_id = RandomProducerId();
  if (const std::string problem = WireSymbolProblem(f.asset); !problem.empty()) {
    throw CliError(kExitBadInput, "--asset: " + problem);
  }
  NamedCommand named;
  named.symbol = f.asset;
  if (deposit) {
    named.command.body = Deposit{f.account, kUnknownAsset, f.amount, f.transfer};
  } else {
    named.command.body = Withdraw{f.account, kUnknownAsset, f.amount, f.transfer};
  }
  const SendStats stats =
      Publish(url, f.options, [&](const NamedCommandSink& each) { each(NamedCommand(named)); });
  std::cout << FormatSendSummary(stats, f.json) << std::endl;
  return 0;
}

void AddFees(CLI::App& app, FeesFlags& f) {
  CLI::App* sub = app.add_subcommand(
      "fees",
      "Set a symbol's maker and taker fee rates (parts per million of what each side receives; "
      "a negative maker rate is a rebate), or with --account that account's own rates (a tier); "
      "--clear removes the account's. Journaled like any command; the engine answers FEES_SET "
      "or REJECTED INVALID_FEE_SCHEDULE.");
  sub->add_option("--symbol", f.symbol, "Symbol")->required();
  sub->add_option("--maker-ppm", f.maker_ppm, "Maker rate, -100000..100000")->capture_default_str();
  sub->add_option("--taker-ppm", f.taker_ppm, "Taker rate, 0..100000")->capture_default_str();
  f.account_opt = sub->add_option("--account", f.account, "Only this account")->check(Unsigned());
  sub->add_flag("--clear", f.clear, "Remove --account's own rates");
  sub->add_option("--amqp-url", f.amqp_url, "RabbitMQ URL (default: $EXCHANGE_AMQP_URL)");
  f.producer_id =
      sub->add_option("--producer-id", f.options.producer_id, "Producer id (default: random)")
          ->check(Positive());
}

int RunFees(FeesFlags& f) {
  if (f.clear && f.account_opt->count() == 0) {
    throw CliError(kExitBadInput, "--clear needs --account");
  }
  if (const std::string problem = WireSymbolProblem(f.symbol); !problem.empty()) {
    throw CliError(kExitBadInput, "--symbol: " + problem);
  }
  const amqp::Url url = ParseAmqpUrl(f.amqp_url);
  if (f.producer_id->count() == 0) f.options.producer_id = RandomProducerId();
  SetFees fees;
  fees.for_account = f.account_opt->count() != 0;
  fees.account = f.account;
  fees.clear = f.clear;
  fees.rates = FeeRates{f.maker_ppm, f.taker_ppm};
  const NamedCommand named{f.symbol, Command{0, fees}};
  const SendStats stats =
      Publish(url, f.options, [&](const NamedCommandSink& each) { each(NamedCommand(named)); });
  std::cout << FormatSendSummary(stats, false) << std::endl;
  return 0;
}

void AddShardTransfer(CLI::App& app, ShardTransferFlags& f) {
  CLI::App* sub = app.add_subcommand(
      "transfer",
      "Move an account's funds of one asset from one engine shard to another (cash risk): a "
      "withdrawal on --from and, once that shard answered that it is applied, a deposit on --to, "
      "both under one transfer id. Each leg applies once however often it is sent, so after any "
      "failure running the same transfer again finishes it and never pays twice. Exit 1, saying "
      "where the funds are, when a leg is refused or unanswered.");
  AddAccountAssetAmount(*sub, f.account, f.asset, f.amount);
  sub->add_option("--transfer-id", f.transfer,
                  "Transfer id, unique forever on both shards (> 0); the same id to finish a "
                  "transfer that failed half-way")
      ->required()
      ->check(Positive());
  sub->add_option("--from", f.from, "The shard the funds are on")->required();
  sub->add_option("--to", f.to, "The shard they go to")->required();
  sub->add_option("--timeout-ms", f.timeout_ms, "How long to wait for each shard's answer")
      ->capture_default_str()
      ->check(Positive());
  sub->add_option("--amqp-url", f.amqp_url, "RabbitMQ URL (default: $EXCHANGE_AMQP_URL)");
}

int RunTransferCommand(const ShardTransferFlags& f) {
  const amqp::Url url = ParseAmqpUrl(f.amqp_url);
  if (const std::string problem = WireSymbolProblem(f.asset); !problem.empty()) {
    throw CliError(kExitBadInput, "--asset: " + problem);
  }
  SendOptions options;
  options.producer_id = RandomProducerId();
  const LegSender send = [&](const NamedCommand& leg, const std::string& shard) {
    options.transfer_shard = shard;
    Publish(url, options, [&](const NamedCommandSink& each) { each(NamedCommand(leg)); });
  };
  ShardTransfer t{f.account,
                  f.asset,
                  f.amount,
                  f.transfer,
                  f.from,
                  f.to,
                  std::chrono::milliseconds(f.timeout_ms)};
  try {
    amqp::AmqpClient client(url);
    EventTail tail(client, {topology::ExecKey(f.account)}, std::cerr);
    return RunShardTransfer(tail, send, t, std::cout, std::cerr);
  } catch (const amqp::AmqpError& e) {
    throw CliError(kExitFailure, e.what());
  }
}

}  // namespace

void AddFundsCommands(CLI::App& app, FundsCommands& c) {
  AddTransfer(app, "deposit", c.deposit);
  AddTransfer(app, "withdraw", c.withdraw);
  AddShardTransfer(app, c.transfer);
  AddFees(app, c.fees);
}

std::optional<int> RunFundsCommand(const std::string& name, FundsCommands& c) {
  if (name == "deposit") return RunTransfer(c.deposit, /*deposit=*/true);
  if (name == "withdraw") return RunTransfer(c.withdraw, /*deposit=*/false);
  if (name == "transfer") return RunTransferCommand(c.transfer);
  if (name == "fees") return RunFees(c.fees);
  return std::nullopt;
}

}  // namespace exchange::cli
