// The Redis key layout of the book-state view and the encoding of its
// values, shared by the writer and the reader (documented in the README,
// "Book state in Redis"). Every key of a symbol carries the Redis Cluster
// hash tag {SYMBOL}, so one symbol's keys live in one slot and one
// MULTI/EXEC can cover them.
//
//   book:{S}:bids    sorted set, score = price, member "price:quantity:orders"
//   book:{S}:asks    the same for the asks
//   book:{S}:state   hash: seq bid_px bid_qty ask_px ask_qty halted, and once
//                    known last_px last_qty last_time last_seq
//   book:{S}:orders  hash: "account:order_id" → "status side type price
//                    stop_price quantity leaves filled exchange_id seq"
//   book:{S}:depth   stream of depth deltas: first last prev time bids asks
//                    [reset]
//   book:{S}:trades  stream of trades: first last trades (trade_stream.h)
//   exchange:symbols set of the symbols with a view
//   balance:{A}      hash: "asset@shard" → "available held seq", one per
//                    account A (cash risk: the amounts in the asset's units;
//                    each engine shard holds its own funds and writes only
//                    its own fields)
//   exchange:assets  hash: asset → decimals
//   candle:{S}:I     hash: the live (open) candle of interval I ("1m", "1M"
//                    ...): open_time close_time (ns) open high low close
//                    volume quote_volume trades first_trade_id last_trade_id
//                    (written by the history sink)
//
// Prices and quantities are the engine's integers (instrument units).
// Plain functions and values; any thread.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "bookstate/book_view.h"

namespace exchange::bookstate {

inline constexpr std::string_view kSymbolsKey = "exchange:symbols";
inline constexpr std::string_view kAssetsKey = "exchange:assets";

// balance:{account}
std::string BalanceKeyOf(AccountId account);
// "asset@shard": the field of one shard's balance of one asset. Asset and
// shard names contain no '@' (the instruments file and the shard flag
// refuse it).
std::string BalanceFieldOf(std::string_view asset, std::string_view shard);
struct BalanceField {
  std::string asset;
  std::string shard;
  auto operator<=>(const BalanceField&) const = default;
};
std::optional<BalanceField> ParseBalanceField(std::string_view field);
// "available held sequence"
void AppendBalanceValue(std::string& out, const AccountBalance& balance);
std::optional<AccountBalance> ParseBalanceValue(std::string_view value);

enum class ViewKey { kBids, kAsks, kState, kOrders, kDepth, kTrades };
std::string KeyOf(std::string_view symbol, ViewKey key);
// candle:{symbol}:interval
std::string CandleKeyOf(std::string_view symbol, std::string_view interval);

// "price:quantity:orders" (a sorted-set member; the score is the price).
void AppendLevelMember(std::string& out, Price price, const LevelValue& value);
struct DecodedLevel {
  Price price = 0;
  LevelValue value;
  bool operator==(const DecodedLevel&) const = default;
};
std::optional<DecodedLevel> ParseLevelMember(std::string_view member);

// "account:order_id"
void AppendOrderField(std::string& out, const OrderKey& key);
std::optional<OrderKey> ParseOrderField(std::string_view field);
void AppendOrderValue(std::string& out, const OpenOrder& order);
// The order stored under `key`; nullopt when the value is malformed.
std::optional<OpenOrder> ParseOrderValue(const OrderKey& key, std::string_view value);

// Integers as Redis arguments, with no allocation.
template <typename Int>
void AppendInt(std::string& out, Int value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}
template <typename Int>
std::optional<Int> ParseInt(std::string_view s) {
  Int value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

}  // namespace exchange::bookstate
