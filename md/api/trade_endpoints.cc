#include "md/api/trade_endpoints.h"

#include <algorithm>
#include <limits>

#include "base/fixed_point_text.h"
#include "md/api/agg_trades.h"
#include "md/api/json_writer.h"
#include "md/api/symbol_selection.h"

namespace exchange::md {
namespace {

using persistence::InstrumentRow;

constexpr Timestamp kNanosPerMilli = 1'000'000;
// Times a request may name: 1970 to the end of 9999, in milliseconds.
constexpr std::int64_t kMaxMillis = 253'402'300'799'999;
// Trades read at most for one aggTrades answer: aggregates of more trades
// than this are answered in part (a taker order of 100,000 fills).
constexpr std::int64_t kMaxTradesRead = 200'000;

Reply TradeList(const std::vector<TradeRecord>& trades, const InstrumentRow& row) {
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginArray();
  for (const TradeRecord& t : trades) {
    const __int128 quote = static_cast<__int128>(t.price) * t.quantity;
    json.BeginObject()
        .Key("id")
        .Int(t.id)
        .Member("price", FixedPoint(t.price, pd))
        .Member("qty", FixedPoint(t.quantity, qd))
        .Member("quoteQty", FixedPoint(quote, pd + qd))
        .Key("time")
        .Int(t.time / kNanosPerMilli)
        .Key("isBuyerMaker")
        .Bool(t.aggressor == Side::kSell)
        .Key("isBestMatch")
        .Bool(true)
        .EndObject();
  }
  json.EndArray();
  return reply;
}

Reply AggTradeList(std::span<const AggTrade> aggregates, const InstrumentRow& row) {
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginArray();
  for (const AggTrade& a : aggregates) {
    json.BeginObject()
        .Key("a")
        .Int(a.id)
        .Member("p", FixedPoint(a.price, row.price_decimals))
        .Member("q", FixedPoint(a.quantity, row.quantity_decimals))
        .Key("f")
        .Int(a.first_id)
        .Key("l")
        .Int(a.last_id)
        .Key("T")
        .Int(a.time / kNanosPerMilli)
        .Key("m")
        .Bool(a.buyer_maker)
        .Key("M")
        .Bool(true)
        .EndObject();
  }
  json.EndArray();
  return reply;
}

// The first `limit` whole aggregates of the trades `read(n)` gives (the
// oldest n of a run), or the last `limit` when `newest` (read(n): the
// newest n). Reads more until `limit` aggregates are whole: one more has
// begun after them (before them, newest), or there are no more trades.
// `before`: the trade before the run; leading trades that continue its
// aggregate are not one of their own.
template <typename Read>
std::vector<AggTrade> WholeAggregates(Read read, std::int64_t limit, bool newest,
                                      const std::optional<TradeRecord>& before = std::nullopt) {
  for (std::int64_t n = std::max<std::int64_t>(2 * limit, 64);; n *= 4) {
    const std::vector<TradeRecord> trades = read(n);
    std::size_t skip = 0;
    while (before && skip < trades.size() && SameAggregate(*before, trades[skip]))
      ++skip;
    std::vector<AggTrade> aggregates = Aggregate(std::span(trades).subspan(skip));
    const bool all = static_cast<std::int64_t>(trades.size()) < n || n >= kMaxTradesRead;
    const auto size = static_cast<std::int64_t>(aggregates.size());
    if (!all && size <= limit) continue;
    if (newest) {
      // The oldest may be the end of a longer one, unless it starts the data.
      if (!all) aggregates.erase(aggregates.begin());
      if (static_cast<std::int64_t>(aggregates.size()) > limit)
        aggregates.erase(aggregates.begin(), aggregates.end() - limit);
    } else if (size > limit) {
      aggregates.resize(static_cast<std::size_t>(limit));
    }
    return aggregates;
  }
}

}  // namespace

Reply TradeEndpoints::Trades(const QueryParams& params) {
  const InstrumentRow row = RequiredSymbol(source_, params).row;
  const std::int64_t limit = params.IntOr("limit", kDefaultTrades, 1, kMaxTrades);
  return TradeList(source_.RecentTrades(row.symbol, limit), row);
}

Reply TradeEndpoints::HistoricalTrades(const QueryParams& params) {
  const InstrumentRow row = RequiredSymbol(source_, params).row;
  const std::int64_t limit = params.IntOr("limit", kDefaultTrades, 1, kMaxTrades);
  const auto from_id = params.Int("fromId", 0, std::numeric_limits<std::int64_t>::max());
  if (!from_id) return TradeList(source_.RecentTrades(row.symbol, limit), row);
  return TradeList(source_.TradesFromId(row.symbol, static_cast<Sequence>(*from_id), limit), row);
}

Reply TradeEndpoints::AggTrades(const QueryParams& params) {
  const InstrumentRow row = RequiredSymbol(source_, params).row;
  const auto from_id = params.Int("fromId", 0, std::numeric_limits<std::int64_t>::max());
  const auto start = params.Int("startTime", 0, kMaxMillis);
  const auto end = params.Int("endTime", 0, kMaxMillis);
  const std::int64_t limit = params.IntOr("limit", kDefaultTrades, 1, kMaxTrades);
  if (from_id && (start || end)) {
    throw RequestError(400, binance_code::kBadParameterCombination,
                       "Combination of optional parameters invalid: 'fromId' with 'startTime' "
                       "or 'endTime'; send an aggregate id or a time window");
  }
  if (start && end && *start > *end) {
    throw RequestError(400, binance_code::kStartAfterEnd,
                       "Start time is greater than end time: startTime " + std::to_string(*start) +
                           " > endTime " + std::to_string(*end));
  }
  const std::string& symbol = row.symbol;
  if (from_id) {
    // Aggregates whose id (first trade id) is at least fromId: the trades
    // from fromId, less those that continue an aggregate begun before it.
    const auto id = static_cast<Sequence>(*from_id);
    const std::optional<TradeRecord> before = source_.TradeBefore(symbol, id);
    return AggTradeList(
        WholeAggregates([&](std::int64_t n) { return source_.TradesFromId(symbol, id, n); }, limit,
                        false, before),
        row);
  }
  // A time bound never cuts an aggregate: its trades share one time.
  const Timestamp to = end ? (*end + 1) * kNanosPerMilli : std::numeric_limits<Timestamp>::max();
  if (start) {
    const Timestamp from = *start * kNanosPerMilli;
    return AggTradeList(
        WholeAggregates([&](std::int64_t n) { return source_.TradesFromTime(symbol, from, to, n); },
                        limit, false),
        row);
  }
  return AggTradeList(
      WholeAggregates([&](std::int64_t n) { return source_.RecentTrades(symbol, n, to); }, limit,
                      true),
      row);
}

}  // namespace exchange::md
