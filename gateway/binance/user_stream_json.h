// The JSON of Binance's user data stream events (user-data-stream.md):
// executionReport, outboundAccountPosition, balanceUpdate and
// listenKeyExpired, and the frames that carry them: bare on /ws/<listenKey>,
// {"stream":..,"data":..} on /stream, {"subscriptionId":..,"event":..} on
// the WebSocket API. Decimals are written exactly (base/fixed_point_text.h).
//
// Pure functions; any thread (the gateway calls them on its I/O thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types.h"

namespace exchange::binance {

struct OrderView;  // account_orders.h

// One change of an order, beside the order as it is after the change.
struct ExecutionChange {
  std::string exec_type;             // NEW, CANCELED, REJECTED, TRADE, EXPIRED
  std::string client_order_id;       // "c": the request's (a cancel's own id)
  std::string orig_client_order_id;  // "C": the cancelled order's, for a cancel; else ""
  std::string reject_reason = "NONE";
  Quantity last_qty = 0;
  Price last_px = 0;
  Amount commission = 0;  // in commission_asset's units; 0 with no trade
  int commission_decimals = 0;
  std::string commission_asset;  // empty: null
  std::int64_t transact_ms = 0;
  std::int64_t trade_id = -1;
  std::int64_t execution_id = 0;
  bool maker = false;
};

// "e":"executionReport" of `order` (after the change), at `event_ms`.
std::string ExecutionReportJson(const OrderView& order, const ExecutionChange& change,
                                std::int64_t event_ms);

struct AssetPosition {
  std::string asset;
  Amount free = 0;
  Amount locked = 0;
  int decimals = 0;
};

// "e":"outboundAccountPosition": the account's changed balances.
std::string AccountPositionJson(const std::vector<AssetPosition>& balances, std::int64_t event_ms,
                                std::int64_t update_ms);

// "e":"balanceUpdate": a deposit (positive delta) or withdrawal (negative).
std::string BalanceUpdateJson(std::string_view asset, Amount delta, int decimals,
                              std::int64_t event_ms, std::int64_t clear_ms);

// "e":"listenKeyExpired".
std::string ListenKeyExpiredJson(std::string_view listen_key, std::int64_t event_ms);

// The frames: on /stream (combined) and on the WebSocket API.
std::string CombinedStreamFrame(std::string_view stream, std::string_view event);
std::string SubscriptionFrame(std::uint32_t subscription_id, std::string_view event);

}  // namespace exchange::binance
