#include "bookstate/trade_stream.h"

#include <array>

#include "bookstate/view_keys.h"

namespace exchange::bookstate {

namespace {

// 5 parts (an older writer's) or 6 (with the taker order).
std::optional<TradePrint> ParseTradePrint(std::string_view s) {
  std::array<std::string_view, 6> parts;
  std::size_t count = 0;
  for (;;) {
    if (count == parts.size()) return std::nullopt;
    const std::size_t colon = s.find(':');
    parts[count++] = s.substr(0, colon);
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  if (count < 5) return std::nullopt;
  OrderId taker_order = 0;
  if (count == 6) {
    const auto parsed = ParseInt<OrderId>(parts[5]);
    if (!parsed) return std::nullopt;
    taker_order = *parsed;
  }
  const auto sequence = ParseInt<Sequence>(parts[0]);
  const auto price = ParseInt<Price>(parts[1]);
  const auto quantity = ParseInt<Quantity>(parts[2]);
  const auto time = ParseInt<Timestamp>(parts[3]);
  if (!sequence || !price || !quantity || !time) return std::nullopt;
  if (parts[4] != "B" && parts[4] != "S") return std::nullopt;
  return TradePrint{
      *sequence, *price, *quantity, *time, parts[4] == "B" ? Side::kBuy : Side::kSell, taker_order};
}

}  // namespace

void AppendTradeList(std::string& out, std::span<const TradePrint> trades) {
  bool first = true;
  for (const TradePrint& t : trades) {
    if (!first) out += ',';
    first = false;
    AppendInt(out, t.sequence);
    out += ':';
    AppendInt(out, t.price);
    out += ':';
    AppendInt(out, t.quantity);
    out += ':';
    AppendInt(out, t.time);
    out += t.taker_side == Side::kBuy ? ":B:" : ":S:";
    AppendInt(out, t.taker_order);
  }
}

std::optional<std::vector<TradePrint>> ParseTradeEntry(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  for (const auto& [name, value] : fields) {
    if (name != "trades") continue;
    std::vector<TradePrint> out;
    std::string_view list = value;
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      const auto trade = ParseTradePrint(list.substr(0, comma));
      if (!trade) return std::nullopt;
      out.push_back(*trade);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
      if (list.empty()) return std::nullopt;  // a trailing comma
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

}  // namespace exchange::bookstate
