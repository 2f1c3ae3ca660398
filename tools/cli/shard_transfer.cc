#include "tools/cli/shard_transfer.h"

#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

using Clock = std::chrono::steady_clock;

// The engine's answer to a transfer, from the shard it was sent to: a
// BALANCE of its reason naming the transfer id, or a REJECTED naming the
// transfer id and amount with no symbol (an order's REJECTED names its
// symbol; its client order id may equal a transfer id).
bool Answers(const TailedEvent& e, AccountId account, TransferId transfer, Amount amount,
             BalanceReason reason, const std::string& shard) {
  const Event& ev = e.record.event;
  if (!e.shard.empty() && e.shard != shard) return false;
  if (ev.account != account || ev.order_id != transfer) return false;
  if (ev.type == EventType::kBalance) return ev.balance_reason == reason;
  return ev.type == EventType::kRejected && ev.symbol == kUnknownSymbol && ev.quantity == amount;
}

std::string Describe(const LegResult& r) {
  switch (r.outcome) {
    case LegOutcome::kApplied:
      return "applied (available " + std::to_string(r.available) + ", held " +
             std::to_string(r.held) + ")";
    case LegOutcome::kAlreadyApplied: return "already applied by an earlier run";
    case LegOutcome::kRefused: return "refused " + std::string(ToString(r.reason));
    case LegOutcome::kNoAnswer: return "no answer";
  }
  return "";
}

struct Fields {
  AccountId account;
  TransferId transfer;
  Amount amount;
};
template <typename Transfer>  // Deposit or Withdraw
Fields TransferFields(const Transfer& c) {
  return Fields{c.account, c.transfer, c.amount};
}

bool Done(const LegResult& r) {
  return r.outcome == LegOutcome::kApplied || r.outcome == LegOutcome::kAlreadyApplied;
}

}  // namespace

NamedCommand TransferLeg(bool deposit, AccountId account, const std::string& asset, Amount amount,
                         TransferId transfer) {
  if (deposit)
    return NamedCommand{asset, Command{0, Deposit{account, kUnknownAsset, amount, transfer}}};
  return NamedCommand{asset, Command{0, Withdraw{account, kUnknownAsset, amount, transfer}}};
}

LegResult RunLeg(EventTail& tail, const LegSender& send, const NamedCommand& leg,
                 const std::string& shard, std::chrono::milliseconds timeout) {
  const bool deposit = std::holds_alternative<Deposit>(leg.command.body);
  const auto [account, transfer, amount] =
      deposit ? TransferFields(std::get<Deposit>(leg.command.body))
              : TransferFields(std::get<Withdraw>(leg.command.body));
  const BalanceReason reason = deposit ? BalanceReason::kDeposit : BalanceReason::kWithdraw;
  send(leg, shard);
  const auto deadline = Clock::now() + timeout;
  LegResult result;
  while (Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const std::optional<TailedEvent> e = tail.Next(left);
    if (!e) break;
    if (!Answers(*e, account, transfer, amount, reason, shard)) continue;
    const Event& ev = e->record.event;
    if (ev.type == EventType::kBalance) {
      result.outcome = LegOutcome::kApplied;
      result.available = ev.available;
      result.held = ev.held;
    } else if (ev.reject_reason == RejectReason::kDuplicateTransfer) {
      result.outcome = LegOutcome::kAlreadyApplied;
    } else {
      result.outcome = LegOutcome::kRefused;
      result.reason = ev.reject_reason;
    }
    return result;
  }
  return result;
}

int RunShardTransfer(EventTail& tail, const LegSender& send, const ShardTransfer& t,
                     std::ostream& out, std::ostream& err) {
  if (t.from == t.to) throw CliError(kExitBadInput, "--from and --to name the same shard");
  const std::string what = std::to_string(t.amount) + " " + t.asset + " of account " +
                           std::to_string(t.account) + " (transfer " + std::to_string(t.transfer) +
                           ")";
  const LegResult out_leg = RunLeg(
      tail, send, TransferLeg(false, t.account, t.asset, t.amount, t.transfer), t.from, t.timeout);
  out << "withdrawal on " << t.from << ": " << Describe(out_leg) << "\n";
  if (!Done(out_leg)) {
    err << "nothing moved: " << what << " is still on " << t.from
        << (out_leg.outcome == LegOutcome::kNoAnswer
                ? " unless the withdrawal is applied late; run the same transfer again to finish "
                  "it either way"
                : "")
        << "\n";
    return kExitFailure;
  }
  const LegResult in_leg = RunLeg(
      tail, send, TransferLeg(true, t.account, t.asset, t.amount, t.transfer), t.to, t.timeout);
  out << "deposit on " << t.to << ": " << Describe(in_leg) << "\n";
  if (!Done(in_leg)) {
    err << "the funds left " << t.from << " and are not on " << t.to << ": " << what
        << " is in transit. Fix the cause and run the same transfer again: the withdrawal will "
           "not repeat\n";
    return kExitFailure;
  }
  if (out_leg.outcome == LegOutcome::kApplied && in_leg.outcome == LegOutcome::kAlreadyApplied) {
    // Only this run withdrew, so the deposit under this id on the
    // destination was not this transfer's: the id was used there before.
    err << "transfer id " << t.transfer << " was already used on " << t.to
        << " by another deposit: the funds left " << t.from << " and are not on " << t.to
        << ". Deposit them there under a fresh id (exchange-cli deposit --shard " << t.to << ")\n";
    return kExitFailure;
  }
  return 0;
}

}  // namespace exchange::cli
