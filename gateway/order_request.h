// OrderRequest: a FIX application message (NewOrderSingle, OrderCancelRequest,
// OrderCancelReplaceRequest, OrderMassCancelRequest) read and checked against
// the instrument's rules, in engine units, or the reason it was refused and
// how that reason goes back to the client.
//
// ReadOrderRequest() is a pure function of the message and the instruments;
// the FIX field mapping it implements is tabled in README.md ("FIX 4.4
// mapping"). Any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "config/instruments_file.h"
#include "engine/types.h"
#include "gateway/fix_message.h"

namespace exchange::fix {

// Instruments by symbol name, as the gateway knows them from the instruments
// file the engines use.
using InstrumentTable = std::unordered_map<std::string, InstrumentConfig>;

struct NewOrderRequest {
  std::string_view cl_ord_id;
  const InstrumentConfig* instrument = nullptr;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kGtc;
  StpMode stp = StpMode::kInstrumentDefault;
  Price price = 0;
  Quantity quantity = 0;
  Price stop_price = 0;
  Quantity display_quantity = 0;
  // MARKET BUY only (Binance's quoteOrderQty): spend at most this much of
  // the quote asset, in its units; then quantity is 0.
  Amount quote_quantity = 0;
};

struct CancelRequest {
  std::string_view cl_ord_id;       // of this request
  std::string_view orig_cl_ord_id;  // the order's
  const InstrumentConfig* instrument = nullptr;
};

// Zero price/stop_price: unchanged (the engine's convention).
struct ReplaceRequest {
  std::string_view cl_ord_id;
  std::string_view orig_cl_ord_id;
  const InstrumentConfig* instrument = nullptr;
  Price price = 0;
  Quantity quantity = 0;  // new total
  Price stop_price = 0;
};

struct MassCancelRequest {
  std::string_view cl_ord_id;
  const InstrumentConfig* instrument = nullptr;  // nullptr: every symbol
};

// How a refusal is answered.
enum class RefusalKind {
  kSessionReject,   // Reject(35=3): malformed (missing or badly formatted field)
  kBusinessReject,  // BusinessMessageReject(35=j): unsupported message type
  kOrderReject,     // ExecutionReport 150=8 / OrderCancelReject(35=9) /
                    // OrderMassCancelReport 531=0: well-formed but not acceptable
};

struct Refusal {
  RefusalKind kind = RefusalKind::kOrderReject;
  int ref_tag = 0;  // 371 (session) or the field at fault
  int reason = 0;   // 373, 380 or OrdRejReason(103)
  std::string text;
};

using OrderRequest =
    std::variant<NewOrderRequest, CancelRequest, ReplaceRequest, MassCancelRequest, Refusal>;

// Longest ClOrdID accepted.
inline constexpr std::size_t kMaxClOrdIdLength = 64;

// OrdRejReason(103) values used.
namespace ord_rej {
inline constexpr int kUnknownSymbol = 1;
inline constexpr int kExchangeClosed = 2;
inline constexpr int kOrderExceedsLimit = 3;
inline constexpr int kUnknownOrder = 5;
inline constexpr int kDuplicateOrder = 6;
inline constexpr int kIncorrectQuantity = 13;
inline constexpr int kUnsupportedOrderCharacteristic = 11;
inline constexpr int kOther = 99;
}  // namespace ord_rej

OrderRequest ReadOrderRequest(const FixMessage& message, const InstrumentTable& instruments);

// The OrdRejReason(103) a client sees for an engine rejection.
int OrdRejReasonOf(RejectReason reason);

}  // namespace exchange::fix
