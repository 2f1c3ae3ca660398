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
// Optional fields (stop=, display=, stp=, xid=, …) appear when not zero/default;
// an empty MassCancel symbol shows as ALL, an empty event symbol as '-'.
std::string Describe(const CommandRecord& record);

// One line without newline, the fields the event type uses (event.h), e.g.
//   TRADE seq=9 BTC-USD acct=1 id=7 xid=3 B px=100 qty=50 leaves=0 filled=50
//   maker_acct=2 maker_id=4 maker_xid=1 maker_leaves=0 maker_filled=50 ts=1000
std::string Describe(const EventRecord& record);

// Every field on the wire, keys in wire order and named as in the C++ structs
// (NewOrder::type becomes "order_type"; a command's SymbolIds, not on the wire,
// are left out), enumerations by their ToString names, symbols as text with
// bytes outside '!'..'~' shown as '?' (so dump() never meets invalid UTF-8).
nlohmann::ordered_json ToJson(const CommandRecord& record);
nlohmann::ordered_json ToJson(const EventRecord& record);
// {"kind":"commands","version":1,"producer_id":…,"records":[…]}
nlohmann::ordered_json ToJson(const CommandBatch& batch);
// {"kind":"events","version":1,"records":[…]}
nlohmann::ordered_json ToJson(const EventBatch& batch);

}  // namespace exchange::wire
