#include "bookstate/view_keys.h"

#include <array>
#include <vector>

namespace exchange::bookstate {

std::string CandleKeyOf(std::string_view symbol, std::string_view interval) {
  std::string out = "candle:{";
  out += symbol;
  out += "}:";
  out += interval;
  return out;
}

std::string KeyOf(std::string_view symbol, ViewKey key) {
  std::string out = "book:{";
  out += symbol;
  switch (key) {
    case ViewKey::kBids: out += "}:bids"; break;
    case ViewKey::kAsks: out += "}:asks"; break;
    case ViewKey::kState: out += "}:state"; break;
    case ViewKey::kOrders: out += "}:orders"; break;
    case ViewKey::kDepth: out += "}:depth"; break;
    case ViewKey::kTrades: out += "}:trades"; break;
  }
  return out;
}

namespace {

// Splits `s` at `separator` into exactly N parts; false when the count differs.
template <std::size_t N>
bool SplitExactly(std::string_view s, char separator, std::array<std::string_view, N>& parts) {
  std::size_t n = 0;
  for (;;) {
    const std::size_t at = s.find(separator);
    if (n == N) return false;
    parts[n++] = s.substr(0, at);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return n == N;
}

}  // namespace

void AppendLevelMember(std::string& out, Price price, const LevelValue& value) {
  AppendInt(out, price);
  out += ':';
  AppendInt(out, value.quantity);
  out += ':';
  AppendInt(out, value.orders);
}

std::optional<DecodedLevel> ParseLevelMember(std::string_view member) {
  std::array<std::string_view, 3> parts;
  if (!SplitExactly(member, ':', parts)) return std::nullopt;
  const auto price = ParseInt<Price>(parts[0]);
  const auto quantity = ParseInt<Quantity>(parts[1]);
  const auto orders = ParseInt<std::uint32_t>(parts[2]);
  if (!price || !quantity || !orders) return std::nullopt;
  return DecodedLevel{*price, LevelValue{*quantity, *orders}};
}

void AppendOrderField(std::string& out, const OrderKey& key) {
  AppendInt(out, key.account);
  out += ':';
  AppendInt(out, key.order_id);
}

std::optional<OrderKey> ParseOrderField(std::string_view field) {
  std::array<std::string_view, 2> parts;
  if (!SplitExactly(field, ':', parts)) return std::nullopt;
  const auto account = ParseInt<AccountId>(parts[0]);
  const auto id = ParseInt<ClientOrderId>(parts[1]);
  if (!account || !id) return std::nullopt;
  return OrderKey{*account, *id};
}

void AppendOrderValue(std::string& out, const OpenOrder& o) {
  out += ToString(o.status);
  out += ' ';
  out += ToString(o.side);
  out += ' ';
  out += ToString(o.type);
  for (std::int64_t v : {o.price, o.stop_price, o.quantity, o.leaves, o.filled}) {
    out += ' ';
    AppendInt(out, v);
  }
  out += ' ';
  AppendInt(out, o.exchange_id);
  out += ' ';
  AppendInt(out, o.sequence);
}

std::optional<OpenOrder> ParseOrderValue(const OrderKey& key, std::string_view value) {
  std::array<std::string_view, 10> p;
  if (!SplitExactly(value, ' ', p)) return std::nullopt;
  const auto status = ParseOrderStatus(p[0]);
  const auto side = ParseSide(p[1]);
  const auto type = ParseOrderType(p[2]);
  std::array<std::optional<std::int64_t>, 5> numbers;
  for (std::size_t i = 0; i < numbers.size(); ++i)
    numbers[i] = ParseInt<std::int64_t>(p[3 + i]);
  const auto exchange_id = ParseInt<OrderId>(p[8]);
  const auto sequence = ParseInt<Sequence>(p[9]);
  if (!status || !side || !type || !exchange_id || !sequence) return std::nullopt;
  for (const auto& n : numbers) {
    if (!n) return std::nullopt;
  }
  OpenOrder o;
  o.account = key.account;
  o.order_id = key.order_id;
  o.status = *status;
  o.side = *side;
  o.type = *type;
  o.price = *numbers[0];
  o.stop_price = *numbers[1];
  o.quantity = *numbers[2];
  o.leaves = *numbers[3];
  o.filled = *numbers[4];
  o.exchange_id = *exchange_id;
  o.sequence = *sequence;
  return o;
}

std::string BalanceKeyOf(AccountId account) {
  std::string key = "balance:{";
  AppendInt(key, account);
  key += '}';
  return key;
}

std::string BalanceFieldOf(std::string_view asset, std::string_view shard) {
  std::string field(asset);
  field += '@';
  field += shard;
  return field;
}

std::optional<BalanceField> ParseBalanceField(std::string_view field) {
  const std::size_t at = field.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == field.size() ||
      field.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return BalanceField{std::string(field.substr(0, at)), std::string(field.substr(at + 1))};
}

void AppendBalanceValue(std::string& out, const AccountBalance& b) {
  AppendInt(out, b.available);
  out += ' ';
  AppendInt(out, b.held);
  out += ' ';
  AppendInt(out, b.sequence);
}

std::optional<AccountBalance> ParseBalanceValue(std::string_view value) {
  std::array<std::string_view, 3> p;
  if (!SplitExactly(value, ' ', p)) return std::nullopt;
  const auto available = ParseInt<Amount>(p[0]);
  const auto held = ParseInt<Amount>(p[1]);
  const auto sequence = ParseInt<Sequence>(p[2]);
  if (!available || !held || !sequence || *available < 0 || *held < 0) return std::nullopt;
  return AccountBalance{*available, *held, *sequence};
}

}  // namespace exchange::bookstate
