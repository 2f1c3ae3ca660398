#include "tools/cli/send.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "amqp/topology.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

using Clock = std::chrono::steady_clock;

double RecordsPerSecond(const SendStats& s) {
  return s.seconds > 0 ? static_cast<double>(s.records) / s.seconds : 0.0;
}

}  // namespace

std::uint64_t RandomProducerId() {
  std::random_device device;
  std::uint64_t id = 0;
  while (id == 0) {
    id = (static_cast<std::uint64_t>(device()) << 32) ^ static_cast<std::uint64_t>(device());
  }
  return id;
}

void CheckSendOptions(const SendOptions& o) {
  if (o.producer_id == 0) throw CliError(kExitBadInput, "--producer-id must not be 0");
  if (o.first_sequence == 0) {
    throw CliError(kExitBadInput,
                   "--first-sequence must be at least 1 (the engine treats 0 as already seen)");
  }
  if (o.batch == 0) throw CliError(kExitBadInput, "--batch must be at least 1");
  if (!(o.rate >= 0) || std::isinf(o.rate)) {
    throw CliError(kExitBadInput, "--rate must be a finite number >= 0");
  }
  if (o.confirm_window == 0) throw CliError(kExitBadInput, "--confirm-window must be at least 1");
}

Sender::Sender(amqp::AmqpClient& client, const SendOptions& options)
    : client_(client), options_(options) {
  CheckSendOptions(options_);
  stats_.producer_id = options_.producer_id;
  stats_.first_sequence = options_.first_sequence;
  confirmed_sequence_ = options_.first_sequence - 1;
  try {
    client_.DeclareExchange(std::string(topology::kOrdersExchange), "direct");
    client_.EnableConfirms();
  } catch (const amqp::AmqpError& e) {
    throw CliError(kExitFailure, e.what());
  }
}

SendStats Sender::Send(const CommandSource& source) {
  CommandBatcher batcher(options_.producer_id, options_.first_sequence, options_.batch,
                         options_.transfer_shard);
  std::vector<OutgoingMessage> ready;
  start_ = Clock::now();
  auto publish_ready = [&] {
    for (const OutgoingMessage& m : ready)
      Publish(m);
    ready.clear();
  };
  source([&](NamedCommand&& c) {
    batcher.Add(c.symbol, c.command, ready);
    publish_ready();
  });
  batcher.Flush(ready);
  publish_ready();
  WaitForAll();
  stats_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  return stats_;
}

void Sender::Publish(const OutgoingMessage& message) {
  Pace();
  body_.clear();
  wire::AppendCommandBatch(message.batch, body_);
  std::uint64_t number = 0;
  try {
    number = client_.Publish(std::string(topology::kOrdersExchange), message.routing_key, body_);
  } catch (const amqp::AmqpError& e) {
    Fail(e.what());
  }
  unconfirmed_.emplace_back(number, message.batch.records.back().producer_sequence);
  ++stats_.messages;
  stats_.records += message.batch.records.size();
  WaitForWindow();
}

void Sender::Pace() {
  if (options_.rate <= 0) return;
  const auto due =
      start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                   static_cast<double>(stats_.messages) / options_.rate));
  std::this_thread::sleep_until(due);
}

void Sender::NoteConfirms() {
  while (!unconfirmed_.empty() && unconfirmed_.front().first <= client_.confirmed()) {
    confirmed_sequence_ = unconfirmed_.front().second;
    unconfirmed_.pop_front();
  }
}

void Sender::WaitForWindow() {
  try {
    client_.PollConfirms();
    NoteConfirms();
    auto last_progress = Clock::now();
    while (unconfirmed_.size() >= options_.confirm_window) {
      const std::size_t before = unconfirmed_.size();
      client_.WaitConfirms(std::chrono::milliseconds(10));
      NoteConfirms();
      if (unconfirmed_.size() < before) {
        last_progress = Clock::now();
      } else if (Clock::now() - last_progress > options_.confirm_timeout) {
        Fail("RabbitMQ confirmed nothing for " + std::to_string(options_.confirm_timeout.count()) +
             " ms");
      }
    }
  } catch (const amqp::AmqpError& e) {
    Fail(e.what());
  }
}

void Sender::WaitForAll() {
  bool all = false;
  try {
    all = client_.WaitConfirms(options_.confirm_timeout);
    NoteConfirms();
  } catch (const amqp::AmqpError& e) {
    Fail(e.what());
  }
  if (!all) {
    Fail(std::to_string(unconfirmed_.size()) + " messages not confirmed within " +
         std::to_string(options_.confirm_timeout.count()) + " ms");
  }
}

void Sender::Fail(const std::string& why) const {
  std::string where = "producer " + std::to_string(options_.producer_id) + ": ";
  if (confirmed_sequence_ >= options_.first_sequence) {
    where += "sequences " + std::to_string(options_.first_sequence) + ".." +
             std::to_string(confirmed_sequence_) + " confirmed; resend from --first-sequence " +
             std::to_string(confirmed_sequence_ + 1) + " with --producer-id " +
             std::to_string(options_.producer_id);
  } else {
    where += "nothing confirmed";
  }
  throw CliError(kExitFailure, "sending to RabbitMQ failed: " + why + " (" + where + ")");
}

std::string FormatSendSummary(const SendStats& s, bool json) {
  const std::uint64_t last = s.first_sequence + s.records - (s.records > 0 ? 1 : 0);
  if (json) {
    nlohmann::ordered_json j;
    j["producer_id"] = s.producer_id;
    j["first_sequence"] = s.first_sequence;
    j["last_sequence"] = s.records > 0 ? last : 0;
    j["messages"] = s.messages;
    j["records"] = s.records;
    j["seconds"] = s.seconds;
    j["records_per_second"] = RecordsPerSecond(s);
    return j.dump();
  }
  std::ostringstream out;
  out << "sent " << s.records << " records in " << s.messages << " messages in " << s.seconds
      << " s (" << static_cast<std::uint64_t>(RecordsPerSecond(s)) << " records/s), producer "
      << s.producer_id;
  if (s.records > 0) out << " sequences " << s.first_sequence << ".." << last;
  return out.str();
}

}  // namespace exchange::cli
