#include "bench/e2e/flows.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "bench/bench_clock.h"
#include "orderflow/benchmark_mix.h"

namespace exchange::bench::e2e {

namespace {

// Event records the consumer will count for one engine event when every
// account of the flow is bound: the events on exec.<account> keys, each once
// (a batch is one message, whatever keys it goes to: amqp/event_routes.h).
std::uint64_t ExecCopies(const Event& e) {
  switch (e.type) {
    case EventType::kAccepted:
    case EventType::kRejected:
    case EventType::kCanceled:
    case EventType::kReplaced:
    case EventType::kTriggered:
    case EventType::kTrade: return 1;
    default: return 0;
  }
}

// What the service will publish, from an in-process engine with the same
// instrument: the number of event records on the flow's exec keys.
void CountExpected(const InstrumentSpec& spec, ThroughputFlow& flow) {
  Engine engine(EngineOptions{1 << 16});
  engine.Process(Command{0, AddInstrument{spec}});
  for (const Command& c : flow.warmup) {
    for (const Event& e : engine.Process(c))
      flow.warmup_records += ExecCopies(e);
  }
  for (const Command& c : flow.measured) {
    for (const Event& e : engine.Process(c))
      flow.measured_records += ExecCopies(e);
  }
}

}  // namespace

void ShiftAccounts(Command& c, AccountId base) {
  std::visit(
      [base](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, NewOrder> || std::is_same_v<T, CancelOrder> ||
                      std::is_same_v<T, ReplaceOrder> || std::is_same_v<T, MassCancel>) {
          body.account += base;
        }
      },
      c.body);
}

// Order `id` (from 1) of the alternating flow: odd ids buy from account 1 and
// rest, even ids sell from account 2 and trade with the buy before.
Command PairOrder(std::uint64_t id, AccountId base) {
  NewOrder o;
  o.account = base + (id % 2 == 1 ? 1 : 2);
  o.symbol = 0;
  o.order_id = id;
  o.side = id % 2 == 1 ? Side::kBuy : Side::kSell;
  o.price = kPairsPrice;
  o.quantity = 1;
  return Command{0, o};  // timestamp 0: the engine service stamps it
}

ThroughputFlow BuildThroughputFlow(const Options& o, const InstrumentSpec& spec) {
  ThroughputFlow flow;
  if (o.flow == "mix") {
    BenchmarkMixOptions mix;
    mix.seed = o.seed;
    mix.commands = o.orders;
    BenchmarkFlow generated = GenerateBenchmarkMix(mix);
    flow.name = kMixName;
    flow.warmup = std::move(generated.prefill);
    flow.measured = std::move(generated.commands);
    flow.accounts = mix.accounts;
  } else {
    flow.name = kPairsName;
    const std::uint64_t warmup = 1000;
    for (std::uint64_t id = 1; id <= warmup; ++id)
      flow.warmup.push_back(PairOrder(id, 0));
    for (std::uint64_t id = warmup + 1; id <= warmup + o.orders; ++id)
      flow.measured.push_back(PairOrder(id, 0));
    flow.accounts = 2;
  }
  CountExpected(spec, flow);
  return flow;
}

AccountId RandomAccountBase() {
  // Up to 4.0e9, leaving room below UINT32_MAX for the flow's accounts.
  return static_cast<AccountId>(1'000'000'000ULL + (RandomU64() % 3'000'000ULL) * 1000ULL);
}

// The command whose event ends a phase of a throughput run: a buy at price 1
// from an account of its own, far below anything the flows trade at, so it
// rests (or is rejected by a price band) and its one event comes back on
// exec.<account> after every event of the commands before it (one publisher
// channel, one queue: RabbitMQ keeps the order).
Command MarkerOrder(AccountId account, ClientOrderId id) {
  NewOrder o;
  o.account = account;
  o.symbol = 0;
  o.order_id = id;
  o.side = Side::kBuy;
  o.price = 1;
  o.quantity = 1;
  return Command{0, o};
}

}  // namespace exchange::bench::e2e
