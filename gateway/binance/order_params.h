// Reading a Binance new-order request (POST /api/v3/order's parameters)
// into an order the router takes, checked as Binance checks it: mandatory
// parameters per type, enum values, client order id form, and the
// instrument's filters (PRICE_FILTER: price on the tick; LOT_SIZE:
// quantity on the lot) in exact decimal, never rounded. Types: LIMIT,
// LIMIT_MAKER (post-only), MARKET (quantity, or quoteOrderQty for a BUY),
// STOP_LOSS (a stop market), STOP_LOSS_LIMIT (a stop limit); icebergQty
// makes a LIMIT GTC an iceberg. TAKE_PROFIT and TAKE_PROFIT_LIMIT trigger
// the other way than the engine's stops and are refused.
//
// Pure functions; any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "base/form_params.h"
#include "gateway/binance/account_orders.h"
#include "gateway/binance/api_error.h"
#include "gateway/order_request.h"

namespace exchange::binance {

// The instruments by the names clients may use: each one's own, and its
// Binance form (base/binance_symbol.h: BTCUSD for BTC-USD) when no other
// instrument has that form. Answers name an instrument by its own name.
using SymbolTable = std::unordered_map<std::string, const InstrumentConfig*>;
SymbolTable MakeSymbolTable(const fix::InstrumentTable& instruments);

struct ParsedOrder {
  fix::NewOrderRequest request;  // cl_ord_id: set it to view.client_order_id when used
  OrderView view;
  ResponseType response = ResponseType::kAck;
};

// `generated_id` is the client order id when newClientOrderId is absent.
std::variant<ParsedOrder, ApiError> ReadNewOrder(const FormParams& params,
                                                 const SymbolTable& symbols,
                                                 const std::map<std::string, int>& asset_decimals,
                                                 const std::string& generated_id);

// The value of `name`, or nullptr when absent or empty.
const std::string* FindParam(const FormParams& params, std::string_view name);
// The instrument `symbol` names, or ApiError -1102 (absent) / -1121.
std::variant<const InstrumentConfig*, ApiError> ReadSymbol(const FormParams& params,
                                                           const SymbolTable& symbols);
// True when `id` is 1-36 of [a-zA-Z0-9-_] (Binance's client order ids).
bool ValidClientOrderId(std::string_view id);
ApiError MandatoryMissing(std::string_view name);

}  // namespace exchange::binance
