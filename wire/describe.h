// Human-readable forms of decoded wire records, for `exchange-cli decode` and
// `exchange-cli tail`: one line of text per record, and JSON objects that
// carry every field.
//
// Pure functions of their arguments: any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "wire/wire_format.h"

namespace exchange::wire {

// One line without newline, the fields the command type uses, e.g.
//   NEW acct=1 id=7 BTC-USD B LIMIT GTC px=100 qty=50 pseq=3 ts=1000
// Optional fields (stop=, display=, quote_qty=, stp=, xid=, …) appear when not
// zero/default; an empty MassCancel symbol shows as ALL, an empty event symbol
// as '-'. The cash-risk commands:
//   ADD_ASSET USD decimals=2 pseq=1 ts=0
//   DEPOSIT acct=1 transfer=5 USD amount=10000 pseq=2 ts=0   (WITHDRAW alike)
//   SET_FEES BTC-USD default maker_ppm=-100 taker_ppm=500 pseq=3 ts=0
//   SET_FEES BTC-USD acct=7 clear pseq=4 ts=0
// and an ADD_INSTRUMENT under cash risk ends in risk= base= quote= base_mult=
// quote_exp= maker_ppm= taker_ppm=.
std::string Describe(const CommandRecord& record);

// One line without newline, the fields the event type uses (event.h), e.g.
//   TRADE seq=9 BTC-USD acct=1 id=7 xid=3 B px=100 qty=50 leaves=0 filled=50
//   maker_acct=2 maker_id=4 maker_xid=1 maker_leaves=0 maker_filled=50 ts=1000
//   BALANCE seq=10 BTC-USD acct=1 asset=USD reason=TRADE available=90 held=0
//   available_delta=-10 held_delta=0 id=7 xid=3 trade_seq=9 ts=1000
// (a DEPOSIT or WITHDRAW balance shows transfer= instead of id= xid=; a
// rejected deposit or withdrawal shows transfer= asset= amount=).
std::string Describe(const EventRecord& record);

// Every field on the wire, keys in wire order and named as in the C++ structs
// (NewOrder::type becomes "order_type", Event::symbol "symbol_id",
// Event::asset "asset_id", EventRecord::asset "asset"; a command's SymbolIds
// and AssetIds, not on the wire, are left out; an event's keys are those of
// its type's version 2 layout), enumerations by their ToString names, symbols as text with
// bytes outside '!'..'~' shown as '?' (so dump() never meets invalid UTF-8).
nlohmann::ordered_json ToJson(const CommandRecord& record);
nlohmann::ordered_json ToJson(const EventRecord& record);
// {"kind":"commands","version":2,"producer_id":…,"records":[…]}; version is
// the batch's (the one it was decoded from).
nlohmann::ordered_json ToJson(const CommandBatch& batch);
// {"kind":"events","version":2,"records":[…]}
nlohmann::ordered_json ToJson(const EventBatch& batch);

}  // namespace exchange::wire
