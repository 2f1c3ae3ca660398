// Event routes: which routing keys of the `events` exchange an engine event
// goes to (amqp/topology.h names them), AMQP topic matching, and the filter
// a consumer applies to the batches it receives.
//
// The engine publishes each output batch as one message whose routing key is
// the first of its events' keys, with the others in the BCC header
// (RabbitMQ's sender-selected distribution): every queue bound to any of the
// keys receives the message once, holding the whole batch. So a consumer
// sees events it did not bind for and keeps those whose keys match its
// bindings (EventFilter). The events exchange is therefore an internal bus:
// a consumer bound to exec.7 also receives the other events of each batch
// that holds one of account 7's, and confidentiality per account is kept at
// the edges (the gateway's sessions), not by routing keys.
//
// Pure functions and a value type: any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wire/wire_format.h"

namespace exchange::amqp {

// The routing keys `record` goes to, appended to `keys` (possibly repeating
// keys already there).
void EventRoutingKeys(const wire::EventRecord& record, std::vector<std::string>* keys);

// AMQP topic matching: `pattern`'s words (dot-separated) match `key`'s; "*"
// matches exactly one word, "#" zero or more.
bool TopicMatches(std::string_view pattern, std::string_view key);

// The events a consumer bound with some binding patterns is meant to see.
class EventFilter {
 public:
  explicit EventFilter(std::vector<std::string> bindings) : bindings_(std::move(bindings)) {}

  // The first of the event's routing keys that one of the bindings matches,
  // or "" when none does (the event came in a batch for another key).
  std::string MatchingKey(const wire::EventRecord& record) const;

  const std::vector<std::string>& bindings() const { return bindings_; }

 private:
  std::vector<std::string> bindings_;
};

}  // namespace exchange::amqp
