// JSON fields as the Binance API's answers and events write them: one
// `"name":value,` each (the caller closes the object over the last comma),
// and Binance's names of sides and times in force. Values are symbols, ids,
// asset and enum names (checked on the way in: nothing to escape) and
// fixed-point decimals.
//
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/fixed_point_text.h"
#include "engine/types.h"

namespace exchange::binance::json_fields {

inline void Text(std::string& out, const char* name, std::string_view text) {
  out += '"';
  out += name;
  out += "\":\"";
  out += text;
  out += "\",";
}
inline void Int(std::string& out, const char* name, std::int64_t value) {
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(value);
  out += ',';
}
inline void Bool(std::string& out, const char* name, bool value) {
  out += '"';
  out += name;
  out += "\":";
  out += value ? "true," : "false,";
}
inline void Decimal(std::string& out, const char* name, __int128 value, int decimals) {
  out += '"';
  out += name;
  out += "\":\"";
  AppendFixedPoint(out, value, decimals);
  out += "\",";
}
inline const char* SideName(Side s) {
  return s == Side::kBuy ? "BUY" : "SELL";
}
inline const char* TifName(TimeInForce t) {
  switch (t) {
    case TimeInForce::kIoc: return "IOC";
    case TimeInForce::kFok: return "FOK";
    default: return "GTC";
  }
}

}  // namespace exchange::binance::json_fields
