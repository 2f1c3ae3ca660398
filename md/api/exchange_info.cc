#include "md/api/exchange_info.h"

#include "base/fixed_point_text.h"

namespace exchange::md {
namespace {

using persistence::InstrumentRow;

// The engine's self-trade prevention modes under Binance's names:
// cancel-incoming expires the taker, cancel-resting the maker.
std::string_view BinanceStp(StpMode mode) {
  switch (mode) {
    case StpMode::kCancelIncoming: return "EXPIRE_TAKER";
    case StpMode::kCancelBoth: return "EXPIRE_BOTH";
    case StpMode::kCancelResting:
    case StpMode::kInstrumentDefault: break;
  }
  return "EXPIRE_MAKER";
}

void RateLimit(JsonWriter& json, std::string_view type, std::string_view interval, int number,
               std::int64_t limit) {
  json.BeginObject().Member("rateLimitType", type).Member("interval", interval);
  json.Key("intervalNum").Int(number).Key("limit").Int(limit).EndObject();
}

void StringArray(JsonWriter& json, std::initializer_list<std::string_view> values) {
  json.BeginArray();
  for (std::string_view v : values)
    json.String(v);
  json.EndArray();
}

void LotFilter(JsonWriter& json, std::string_view type, const InstrumentRow& row) {
  const int qd = row.quantity_decimals;
  // The smallest quantity an order may have: min_quantity rounded up to a lot.
  const Quantity min = (row.min_quantity + row.lot_size - 1) / row.lot_size * row.lot_size;
  const Quantity max = row.max_quantity / row.lot_size * row.lot_size;
  json.BeginObject()
      .Member("filterType", type)
      .Member("minQty", FixedPoint(min, qd))
      .Member("maxQty", FixedPoint(max, qd))
      .Member("stepSize", FixedPoint(row.lot_size, qd))
      .EndObject();
}

void Filters(JsonWriter& json, const InstrumentRow& row) {
  const int pd = row.price_decimals;
  json.Key("filters").BeginArray();
  // Any positive multiple of the tick; no upper bound ("0": none, Binance's
  // convention). The price band around the last trade is not a filter here.
  json.BeginObject()
      .Member("filterType", "PRICE_FILTER")
      .Member("minPrice", FixedPoint(row.tick_size, pd))
      .Member("maxPrice", FixedPoint(0, pd))
      .Member("tickSize", FixedPoint(row.tick_size, pd))
      .EndObject();
  LotFilter(json, "LOT_SIZE", row);
  LotFilter(json, "MARKET_LOT_SIZE", row);
  // The engine checks no notional: the minimum is 0 and the maximum the
  // largest a price × quantity in the engine's 64-bit integers can reach.
  json.BeginObject()
      .Member("filterType", "NOTIONAL")
      .Member("minNotional", FixedPoint(0, pd))
      .Key("applyMinToMarket")
      .Bool(false)
      .Member("maxNotional", FixedPoint(INT64_MAX, pd))
      .Key("applyMaxToMarket")
      .Bool(false)
      .Key("avgPriceMins")
      .Int(5)
      .EndObject();
  json.EndArray();
}

void SymbolInfo(JsonWriter& json, const NamedInstrument& s) {
  const InstrumentRow& row = s.row;
  const auto [base, quote] = AssetsOf(row);
  json.BeginObject()
      .Member("symbol", s.name)
      .Member("status", "TRADING")
      .Member("baseAsset", base)
      .Key("baseAssetPrecision")
      .Int(row.quantity_decimals)
      .Member("quoteAsset", quote)
      .Key("quotePrecision")
      .Int(row.price_decimals)
      .Key("quoteAssetPrecision")
      .Int(row.price_decimals)
      .Key("baseCommissionPrecision")
      .Int(row.quantity_decimals)
      .Key("quoteCommissionPrecision")
      .Int(row.price_decimals);
  json.Key("orderTypes");
  StringArray(json, {"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"});
  json.Key("icebergAllowed").Bool(true);
  json.Key("ocoAllowed").Bool(false);
  json.Key("otoAllowed").Bool(false);
  json.Key("opoAllowed").Bool(false);
  json.Key("quoteOrderQtyMarketAllowed").Bool(true);
  json.Key("allowTrailingStop").Bool(false);
  json.Key("cancelReplaceAllowed").Bool(false);  // FIX replaces; no order/cancelReplace
  json.Key("amendAllowed").Bool(false);
  json.Key("pegInstructionsAllowed").Bool(false);
  json.Key("isSpotTradingAllowed").Bool(true);
  json.Key("isMarginTradingAllowed").Bool(false);
  Filters(json, row);
  json.Key("permissions").BeginArray().EndArray();
  json.Key("permissionSets").BeginArray();
  StringArray(json, {"SPOT"});
  json.EndArray();
  json.Member("defaultSelfTradePreventionMode", BinanceStp(row.default_stp));
  json.Key("allowedSelfTradePreventionModes");
  StringArray(json, {"EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"});
  json.EndObject();
}

}  // namespace

std::pair<std::string, std::string> AssetsOf(const InstrumentRow& row) {
  if (!row.base_asset.empty() && !row.quote_asset.empty()) return {row.base_asset, row.quote_asset};
  const std::string_view symbol = row.symbol;
  const auto cut = symbol.find_first_of("-/_");
  if (cut == std::string_view::npos) return {row.symbol, ""};
  return {std::string(symbol.substr(0, cut)), std::string(symbol.substr(cut + 1))};
}

void WriteExchangeInfo(JsonWriter& json, const std::vector<NamedInstrument>& symbols,
                       const RateLimits& limits, std::int64_t server_time_ms) {
  json.BeginObject().Member("timezone", "UTC").Key("serverTime").Int(server_time_ms);
  json.Key("rateLimits").BeginArray();
  RateLimit(json, "REQUEST_WEIGHT", "MINUTE", 1, limits.request_weight_per_minute);
  RateLimit(json, "ORDERS", "SECOND", 10, limits.orders_per_10s);
  RateLimit(json, "ORDERS", "DAY", 1, limits.orders_per_day);
  RateLimit(json, "RAW_REQUESTS", "MINUTE", 5, limits.raw_requests_per_5m);
  json.EndArray();
  json.Key("exchangeFilters").BeginArray().EndArray();
  json.Key("symbols").BeginArray();
  for (const NamedInstrument& s : symbols)
    SymbolInfo(json, s);
  json.EndArray().EndObject();
}

}  // namespace exchange::md
