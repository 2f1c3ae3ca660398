// `exchange-cli transfer`: moves one account's funds of one asset from one
// engine shard to another (cash risk; README "Cash risk", shards). Funds on
// a shard are held by that shard, so a move is two legs under one transfer
// id: a withdrawal on the source and, only once the source answered that it
// is applied, a deposit on the destination. Each leg applies at most once
// however often it is sent (the engine's transfer ids are unique forever),
// so after any failure (a crash of this tool, a shard or the broker between
// the legs, a refused deposit) running the same transfer again finishes it
// and never pays twice: a leg that answers DUPLICATE_TRANSFER was applied
// before, and counts as done.
//
// Plain functions; the EventTail and the sender belong to the calling
// thread.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

#include "engine/types.h"
#include "tools/cli/order_input.h"
#include "tools/cli/tail.h"

namespace exchange::cli {

struct ShardTransfer {
  AccountId account = 0;
  std::string asset;
  Amount amount = 0;
  TransferId transfer = 0;
  std::string from;                          // source shard
  std::string to;                            // destination shard
  std::chrono::milliseconds timeout{30000};  // per leg, for the engine's answer
};

enum class LegOutcome { kApplied, kAlreadyApplied, kRefused, kNoAnswer };

struct LegResult {
  LegOutcome outcome = LegOutcome::kNoAnswer;
  RejectReason reason = RejectReason::kNone;  // kRefused
  Amount available = 0;                       // kApplied: the balance after
  Amount held = 0;
};

// The command of one leg: a deposit or a withdrawal of `asset` by name.
NamedCommand TransferLeg(bool deposit, AccountId account, const std::string& asset, Amount amount,
                         TransferId transfer);

// Publishes one leg (with confirms) to `shard`'s transfer key.
using LegSender = std::function<void(const NamedCommand& leg, const std::string& shard)>;

// Sends `leg` and waits for its answer from `shard` on `tail`, which must be
// bound to exec.<account> before the call.
LegResult RunLeg(EventTail& tail, const LegSender& send, const NamedCommand& leg,
                 const std::string& shard, std::chrono::milliseconds timeout);

// Both legs, saying on `out` what each did. Returns 0 when the funds are on
// the destination (now or from an earlier run), 1 otherwise, after saying on
// `err` where the funds are and what to do. Throws CliError (kExitBadInput)
// for --from equal to --to, and AmqpError from the broker.
int RunShardTransfer(EventTail& tail, const LegSender& send, const ShardTransfer& t,
                     std::ostream& out, std::ostream& err);

}  // namespace exchange::cli
