#include "amqp/event_routes.h"

#include "amqp/topology.h"

namespace exchange::amqp {

namespace {

bool HasAccount(EventType type) {
  switch (type) {
    case EventType::kAccepted:
    case EventType::kRejected:
    case EventType::kTrade:
    case EventType::kCanceled:
    case EventType::kReplaced:
    case EventType::kTriggered:
    case EventType::kBalance: return true;
    default: return false;
  }
}

// Splits off the first word of `s` (up to a dot); `s` keeps the rest.
std::string_view NextWord(std::string_view& s, bool& more) {
  const std::size_t dot = s.find('.');
  more = dot != std::string_view::npos;
  const std::string_view word = s.substr(0, dot);
  s = more ? s.substr(dot + 1) : std::string_view();
  return word;
}

// Words of `pattern` against words of `key`; `*_more`: whether any word is
// left (an empty string is one empty word, so "" and "." differ).
bool MatchWords(std::string_view pattern, bool pattern_more, std::string_view key, bool key_more) {
  if (!pattern_more) return !key_more;
  bool p_next = false;
  std::string_view p_rest = pattern;
  const std::string_view word = NextWord(p_rest, p_next);
  if (word == "#") {
    if (MatchWords(p_rest, p_next, key, key_more)) return true;  // # as zero words
    if (!key_more) return false;
    bool k_next = false;
    std::string_view k_rest = key;
    NextWord(k_rest, k_next);
    return MatchWords(pattern, true, k_rest, k_next);  // # takes one more word
  }
  if (!key_more) return false;
  bool k_next = false;
  std::string_view k_rest = key;
  const std::string_view key_word = NextWord(k_rest, k_next);
  if (word != "*" && word != key_word) return false;
  return MatchWords(p_rest, p_next, k_rest, k_next);
}

}  // namespace

void EventRoutingKeys(const wire::EventRecord& record, std::vector<std::string>* keys) {
  const Event& e = record.event;
  if (HasAccount(e.type)) {
    keys->push_back(topology::ExecKey(e.account));
    if (e.type == EventType::kTrade && e.maker_account != e.account) {
      keys->push_back(topology::ExecKey(e.maker_account));
    }
  }
  if (e.type == EventType::kAssetAdded) keys->push_back(topology::AssetKey(record.asset.view()));
  // A balance is the account's own business: never on a public key.
  const bool private_event = e.type == EventType::kRejected || e.type == EventType::kBalance;
  if (!private_event && !record.symbol.view().empty()) {
    keys->push_back(topology::BookKey(record.symbol.view()));
    if (e.type == EventType::kTrade) keys->push_back(topology::TradeKey(record.symbol.view()));
  }
}

bool TopicMatches(std::string_view pattern, std::string_view key) {
  return MatchWords(pattern, true, key, true);
}

std::string EventFilter::MatchingKey(const wire::EventRecord& record) const {
  std::vector<std::string> keys;
  EventRoutingKeys(record, &keys);
  for (std::string& key : keys) {
    for (const std::string& binding : bindings_) {
      if (TopicMatches(binding, key)) return std::move(key);
    }
  }
  return "";
}

}  // namespace exchange::amqp
