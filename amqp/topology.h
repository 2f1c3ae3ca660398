// Topology: the RabbitMQ names every party of the exchange agrees on (the
// engine service declares them at start-up; producers, the command-line tool,
// the gateway and the benchmarks use them). Documented in wire/FORMAT.md
// ("RabbitMQ topology").
//
// Constants and pure functions: any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace exchange::topology {

// Durable direct exchange for command batches. Routing key = the symbol of
// every record in the message (one symbol per message); a batch with a
// MassCancel for all symbols goes with kAllSymbolsKey, which every shard binds.
inline constexpr std::string_view kOrdersExchange = "orders";
inline constexpr std::string_view kAllSymbolsKey = "_all";
// Deposits and withdrawals name an asset, not a symbol: they go to one shard
// (its funds are held there; README.md, "Cash risk") under
// ShardKey(shard), which that shard binds.
inline std::string ShardKey(std::string_view shard) {
  return "_shard." + std::string(shard);
}
inline constexpr std::string_view kDefaultShard = "main";

// Durable topic exchange for event batches:
//   exec.<account>  every event of an order of that account, and its BALANCE
//                   events (cash risk; never on a public key) (a trade goes to
//                   the taker's and to the maker's account)
//   trade.<symbol>  trades
//   book.<symbol>   every event of the symbol except rejects (what changes or
//                   reports on the book: accepted, trade, canceled, replaced,
//                   triggered, halted, resumed, instrument added)
//   asset.<asset>   ASSET_ADDED (cash risk)
// An engine output batch (under load, several) is one message holding all
// its events in sequence order, routed under every key its events go to (the
// first as the routing key, the rest in BCC: amqp/event_routes.h), with the
// header kShardHeader naming the shard whose sequences they carry
// (exec.<account> hears every shard). Consumers keep the events their
// bindings match (amqp::EventFilter).
inline constexpr std::string_view kEventsExchange = "events";
inline constexpr std::string_view kShardHeader = "shard";

// Dead letters: a durable fanout exchange and the durable queue bound to it.
// Undecodable command messages are republished here with the header
// kReasonHeader (and kQueueHeader: where they came from), then acked.
inline constexpr std::string_view kDeadLetterExchange = "orders.dead";
inline constexpr std::string_view kDeadLetterQueue = "orders.dead";
inline constexpr std::string_view kReasonHeader = "x-exchange-reject-reason";
inline constexpr std::string_view kQueueHeader = "x-exchange-queue";

// The durable queue of one engine shard.
inline std::string ShardQueue(std::string_view shard) {
  return "engine." + std::string(shard);
}

inline std::string ExecKey(std::uint64_t account) {
  return "exec." + std::to_string(account);
}
inline std::string TradeKey(std::string_view symbol) {
  return "trade." + std::string(symbol);
}
inline std::string AssetKey(std::string_view asset) {
  return "asset." + std::string(asset);
}
inline std::string BookKey(std::string_view symbol) {
  return "book." + std::string(symbol);
}

}  // namespace exchange::topology
