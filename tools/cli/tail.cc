#include "tools/cli/tail.h"

#include <algorithm>

#include "amqp/topology.h"
#include "tools/cli/cli_error.h"
#include "wire/describe.h"

namespace exchange::cli {

namespace {

using Clock = std::chrono::steady_clock;

void AddKey(std::vector<std::string>& keys, std::string key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
}

}  // namespace

std::vector<std::string> TailBindingKeys(const TailBindings& b) {
  std::vector<std::string> keys;
  for (const std::uint64_t account : b.accounts)
    AddKey(keys, topology::ExecKey(account));
  for (const std::string& symbol : b.symbols) {
    if (symbol.empty()) throw CliError(kExitBadInput, "--symbol must not be empty");
    if (!b.trades_only) AddKey(keys, topology::BookKey(symbol));
    AddKey(keys, topology::TradeKey(symbol));
  }
  for (const std::string& key : b.keys) {
    if (key.empty()) throw CliError(kExitBadInput, "--key must not be empty");
    AddKey(keys, key);
  }
  if (keys.empty()) {
    throw CliError(kExitBadInput,
                   "nothing to tail: give --account N, --symbol S or --key PATTERN (e.g. '#')");
  }
  return keys;
}

bool SequenceFilter::Accept(const std::string& key, std::uint64_t sequence) {
  auto [it, inserted] = highest_.try_emplace(key, sequence);
  if (inserted) return true;
  if (sequence <= it->second) return false;
  it->second = sequence;
  return true;
}

EventTail::EventTail(amqp::AmqpClient& client, const std::vector<std::string>& keys,
                     std::ostream& warnings)
    : client_(client), warnings_(warnings), bindings_(keys) {
  const std::string exchange(topology::kEventsExchange);
  client_.DeclareExchange(exchange, "topic");
  queue_ = client_.DeclareTemporaryQueue();
  for (const std::string& key : keys)
    client_.Bind(queue_, exchange, key);
  client_.Consume(queue_, 256);
}

std::optional<TailedEvent> EventTail::Next(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (ready_.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    std::optional<amqp::Delivery> delivery = client_.Next(left);
    if (!delivery) continue;
    Take(*delivery);
    client_.Ack(delivery->tag, false);
  }
  TailedEvent event = std::move(ready_.front());
  ready_.pop_front();
  return event;
}

void EventTail::Take(const amqp::Delivery& delivery) {
  if (const auto error = wire::DecodeEventBatch(delivery.body, batch_)) {
    ++undecodable_;
    warnings_ << "tail: skipped an undecodable message under '" << delivery.routing_key
              << "': " << error->reason << " (at byte " << error->offset << ")\n";
    return;
  }
  const auto shard = delivery.headers.find(std::string(topology::kShardHeader));
  TailedEvent tailed;
  if (shard != delivery.headers.end()) tailed.shard = shard->second;
  for (wire::EventRecord& record : batch_.records) {
    tailed.routing_key = bindings_.MatchingKey(record);
    if (tailed.routing_key.empty()) continue;  // for another key of the batch
    if (!filter_.Accept(tailed.shard, record.event.sequence)) {
      ++duplicates_;
      continue;
    }
    tailed.record = record;
    ready_.push_back(tailed);
  }
}

int RunTail(EventTail& tail, const TailOptions& options, std::ostream& out, std::ostream& err) {
  // Without a timeout, wait in slices so that heartbeats keep flowing.
  const std::chrono::milliseconds slice =
      options.timeout.count() > 0 ? options.timeout : std::chrono::milliseconds(1000);
  std::uint64_t printed = 0;
  while (options.count == 0 || printed < options.count) {
    std::optional<TailedEvent> event = tail.Next(slice);
    if (!event) {
      if (options.timeout.count() == 0) continue;
      if (options.count != 0) {
        err << "tail: " << printed << " of " << options.count << " events within "
            << options.timeout.count() << " ms\n";
        return kExitFailure;
      }
      return 0;
    }
    if (options.json) {
      out << wire::ToJson(event->record).dump() << '\n';
    } else {
      out << wire::Describe(event->record) << '\n';
    }
    out.flush();
    ++printed;
  }
  return 0;
}

}  // namespace exchange::cli
