// Commands: everything the engine can be asked to do. A Command is a plain
// value carrying its own timestamp, so the engine never reads a clock.
//
// Built by adapters (CSV reader, wire decoder, gateway) on any thread, handed
// to the engine thread by value.
#pragma once

#include <variant>

#include "engine/instrument.h"
#include "engine/types.h"

namespace exchange {

struct NewOrder {
  AccountId account = 0;
  SymbolId symbol = kUnknownSymbol;
  ClientOrderId order_id = 0;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kGtc;
  StpMode stp = StpMode::kInstrumentDefault;
  Price price = 0;                // limit price; unused for MARKET and STOP
  Quantity quantity = 0;          // total quantity
  Price stop_price = 0;           // STOP and STOP_LIMIT only
  Quantity display_quantity = 0;  // ICEBERG only: the shown part
  // MARKET only, Binance's quoteOrderQty: spend (BUY) or receive (SELL) at
  // most this much of the quote asset; then `quantity` is 0.
  Amount quote_quantity = 0;
};

// Identifies a live order by the client's id, or by the exchange id when
// exchange_order_id is not zero (then a foreign account gets NOT_YOUR_ORDER).
struct CancelOrder {
  AccountId account = 0;
  SymbolId symbol = kUnknownSymbol;
  ClientOrderId order_id = 0;
  OrderId exchange_order_id = 0;
};

// FIX semantics: quantity is the new total (leaves = quantity − filled; the
// order is done when that is ≤ 0). Zero means "unchanged" for price,
// quantity and stop_price; new_order_id zero keeps the client id.
struct ReplaceOrder {
  AccountId account = 0;
  SymbolId symbol = kUnknownSymbol;
  ClientOrderId order_id = 0;
  OrderId exchange_order_id = 0;
  ClientOrderId new_order_id = 0;
  Price price = 0;
  Quantity quantity = 0;
  Price stop_price = 0;
};

// Cancels every live order of an account, in one symbol or in all (kAllSymbols).
struct MassCancel {
  AccountId account = 0;
  SymbolId symbol = kAllSymbols;
};

struct HaltSymbol {
  SymbolId symbol = kUnknownSymbol;
};

struct ResumeSymbol {
  SymbolId symbol = kUnknownSymbol;
};

// Adds an instrument; its SymbolId is the number of instruments added before it.
struct AddInstrument {
  InstrumentSpec spec;
};

// Adds an asset; its AssetId is the number of assets added before it.
struct AddAsset {
  AssetSpec spec;
};

// A deposit into (or, Withdraw, out of) an account's available balance. A
// transfer id applies once, ever: a repeat is rejected DUPLICATE_TRANSFER.
struct Deposit {
  AccountId account = 0;
  AssetId asset = kUnknownAsset;
  Amount amount = 0;
  TransferId transfer = 0;
};

struct Withdraw {
  AccountId account = 0;
  AssetId asset = kUnknownAsset;
  Amount amount = 0;
  TransferId transfer = 0;
};

// Sets the fee rates of one symbol: its default (for_account false), or one
// account's override (a tier); `clear` removes that account's override.
struct SetFees {
  SymbolId symbol = kUnknownSymbol;
  bool for_account = false;
  AccountId account = 0;
  bool clear = false;
  FeeRates rates;
};

using CommandBody = std::variant<NewOrder, CancelOrder, ReplaceOrder, MassCancel, HaltSymbol,
                                 ResumeSymbol, AddInstrument, AddAsset, Deposit, Withdraw, SetFees>;

struct Command {
  Timestamp timestamp = 0;
  CommandBody body;
};

}  // namespace exchange
