#include "gateway/binance/order_params.h"

#include "base/binance_symbol.h"
#include "gateway/fix_decimal.h"

namespace exchange::binance {
namespace {

ApiError Filter(std::string_view filter, const std::string& detail) {
  return {400, api_code::kFilterFailure,
          "Filter failure: " + std::string(filter) + " (" + detail + ")"};
}

ApiError Invalid(int code, std::string msg) {
  return {400, code, std::move(msg)};
}

// The type's engine order type, and which parameters it needs.
struct TypeRule {
  const char* name;
  OrderType type;
  bool price;
  bool stop;
  bool tif;
};
constexpr TypeRule kTypes[] = {
    {"LIMIT", OrderType::kLimit, true, false, true},
    {"LIMIT_MAKER", OrderType::kPostOnly, true, false, false},
    {"MARKET", OrderType::kMarket, false, false, false},
    {"STOP_LOSS", OrderType::kStop, false, true, false},
    {"STOP_LOSS_LIMIT", OrderType::kStopLimit, true, true, true},
};

// A decimal parameter on `step`, as the named filter checks it.
std::variant<std::int64_t, ApiError> Decimal(const FormParams& p, const char* name, int decimals,
                                             std::int64_t step, const char* filter) {
  const std::string* text = FindParam(p, name);
  if (text == nullptr) return MandatoryMissing(name);
  auto v = step > 0 ? fix::ParseDecimalOnStep(*text, decimals, step, name, "step")
                    : fix::ParseDecimal(*text, decimals, name);
  if (auto* e = std::get_if<fix::DecimalError>(&v)) return Filter(filter, e->text);
  if (std::get<std::int64_t>(v) <= 0) return Filter(filter, std::string(name) + " must be > 0");
  return std::get<std::int64_t>(v);
}

std::optional<ApiError> ReadEnums(const FormParams& p, ParsedOrder& out, const TypeRule*& rule) {
  const std::string* side = FindParam(p, "side");
  if (side == nullptr) return MandatoryMissing("side");
  if (*side != "BUY" && *side != "SELL") return Invalid(api_code::kInvalidSide, "Invalid side.");
  out.request.side = *side == "BUY" ? Side::kBuy : Side::kSell;
  const std::string* type = FindParam(p, "type");
  if (type == nullptr) return MandatoryMissing("type");
  for (const TypeRule& t : kTypes)
    if (*type == t.name) rule = &t;
  if (rule == nullptr) {
    const bool tp = *type == "TAKE_PROFIT" || *type == "TAKE_PROFIT_LIMIT";
    return Invalid(api_code::kInvalidOrderType,
                   tp ? "Invalid orderType: " + *type +
                            " is not supported here (its trigger runs opposite to a stop's; use "
                            "STOP_LOSS or STOP_LOSS_LIMIT)."
                      : "Invalid orderType.");
  }
  out.request.type = rule->type;
  out.view.type = rule->name;
  if (rule->tif) {
    const std::string* tif = FindParam(p, "timeInForce");
    if (tif == nullptr) return MandatoryMissing("timeInForce");
    if (*tif == "GTC")
      out.request.tif = TimeInForce::kGtc;
    else if (*tif == "IOC")
      out.request.tif = TimeInForce::kIoc;
    else if (*tif == "FOK")
      out.request.tif = TimeInForce::kFok;
    else
      return Invalid(api_code::kInvalidTimeInForce, "Invalid timeInForce.");
  }
  const std::string* stp = FindParam(p, "selfTradePreventionMode");
  if (stp != nullptr) {
    if (*stp == "NONE")
      out.request.stp = StpMode::kInstrumentDefault;
    else if (*stp == "EXPIRE_TAKER")
      out.request.stp = StpMode::kCancelIncoming;
    else if (*stp == "EXPIRE_MAKER")
      out.request.stp = StpMode::kCancelResting;
    else if (*stp == "EXPIRE_BOTH")
      out.request.stp = StpMode::kCancelBoth;
    else
      return Invalid(api_code::kInvalidParameter, "Invalid selfTradePreventionMode.");
  }
  return std::nullopt;
}

std::optional<ApiError> ReadResponseType(const FormParams& p, const TypeRule& rule,
                                         ParsedOrder& out) {
  const std::string* r = FindParam(p, "newOrderRespType");
  const bool full_by_default = rule.type == OrderType::kLimit || rule.type == OrderType::kMarket;
  out.response = full_by_default ? ResponseType::kFull : ResponseType::kAck;
  if (r == nullptr) return std::nullopt;
  if (*r == "ACK")
    out.response = ResponseType::kAck;
  else if (*r == "RESULT")
    out.response = ResponseType::kResult;
  else if (*r == "FULL")
    out.response = ResponseType::kFull;
  else
    return Invalid(api_code::kInvalidParameter, "Invalid newOrderRespType.");
  return std::nullopt;
}

// quantity (on the lot), or for a MARKET BUY quoteOrderQty instead.
std::optional<ApiError> ReadQuantity(const FormParams& p, const InstrumentConfig& ins,
                                     const std::map<std::string, int>& asset_decimals,
                                     ParsedOrder& out) {
  const bool quote = FindParam(p, "quoteOrderQty") != nullptr;
  if (quote && FindParam(p, "quantity") != nullptr) {
    return Invalid(api_code::kInvalidParameter,
                   "quantity and quoteOrderQty cannot be sent together.");
  }
  if (!quote) {
    auto q = Decimal(p, "quantity", ins.quantity_decimals, ins.spec.lot_size, "LOT_SIZE");
    if (auto* e = std::get_if<ApiError>(&q)) return *e;
    const std::int64_t quantity = std::get<std::int64_t>(q);
    if (quantity < ins.spec.min_quantity || quantity > ins.spec.max_quantity) {
      return Filter("LOT_SIZE",
                    "quantity must be " +
                        fix::FormatDecimal(ins.spec.min_quantity, ins.quantity_decimals) + " to " +
                        fix::FormatDecimal(ins.spec.max_quantity, ins.quantity_decimals));
    }
    out.request.quantity = out.view.orig_qty = quantity;
    return std::nullopt;
  }
  const auto decimals = asset_decimals.find(ins.quote_asset);
  if (out.request.type != OrderType::kMarket || out.request.side != Side::kBuy ||
      decimals == asset_decimals.end()) {
    return Invalid(api_code::kInvalidParameter,
                   "quoteOrderQty is taken for a MARKET BUY of an instrument with a quote asset "
                   "only.");
  }
  auto q = Decimal(p, "quoteOrderQty", decimals->second, 0, "NOTIONAL");
  if (auto* e = std::get_if<ApiError>(&q)) return *e;
  out.request.quote_quantity = std::get<std::int64_t>(q);
  out.view.quote_decimals = decimals->second;
  return std::nullopt;
}

std::optional<ApiError> ReadPrices(const FormParams& p, const InstrumentConfig& ins,
                                   const TypeRule& rule, ParsedOrder& out) {
  if (rule.price) {
    auto v = Decimal(p, "price", ins.price_decimals, ins.spec.tick_size, "PRICE_FILTER");
    if (auto* e = std::get_if<ApiError>(&v)) return *e;
    out.request.price = out.view.price = std::get<std::int64_t>(v);
  } else if (FindParam(p, "price") != nullptr) {
    return Invalid(api_code::kParamNotRequired, "Parameter 'price' sent when not required.");
  }
  if (rule.stop) {
    auto v = Decimal(p, "stopPrice", ins.price_decimals, ins.spec.tick_size, "PRICE_FILTER");
    if (auto* e = std::get_if<ApiError>(&v)) return *e;
    out.request.stop_price = out.view.stop_price = std::get<std::int64_t>(v);
  }
  if (const std::string* iceberg = FindParam(p, "icebergQty")) {
    if (rule.type != OrderType::kLimit || out.request.tif != TimeInForce::kGtc) {
      return Invalid(api_code::kInvalidParameter, "icebergQty is for LIMIT GTC orders.");
    }
    auto v = fix::ParseDecimalOnStep(*iceberg, ins.quantity_decimals, ins.spec.lot_size,
                                     "icebergQty", "step");
    if (auto* e = std::get_if<fix::DecimalError>(&v)) return Filter("LOT_SIZE", e->text);
    out.request.type = OrderType::kIceberg;
    out.request.display_quantity = std::get<std::int64_t>(v);
  }
  return std::nullopt;
}

}  // namespace

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return v.empty() ? nullptr : &v;
  return nullptr;
}

ApiError MandatoryMissing(std::string_view name) {
  return {400, api_code::kMandatoryParamMissing,
          "Mandatory parameter '" + std::string(name) +
              "' was not sent, was empty/null, or malformed."};
}

bool ValidClientOrderId(std::string_view id) {
  if (id.empty() || id.size() > 36) return false;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

SymbolTable MakeSymbolTable(const fix::InstrumentTable& instruments) {
  SymbolTable table;
  std::map<std::string, int> forms;
  for (const auto& [name, ins] : instruments) {
    table[name] = &ins;
    if (HasBinanceAlias(name)) ++forms[BinanceSymbol(name)];
  }
  for (const auto& [name, ins] : instruments) {
    const std::string form = BinanceSymbol(name);
    if (HasBinanceAlias(name) && forms[form] == 1 && instruments.count(form) == 0) {
      table[form] = &ins;
    }
  }
  return table;
}

std::variant<const InstrumentConfig*, ApiError> ReadSymbol(const FormParams& params,
                                                           const SymbolTable& symbols) {
  const std::string* symbol = FindParam(params, "symbol");
  if (symbol == nullptr) return MandatoryMissing("symbol");
  const auto it = symbols.find(*symbol);
  if (it == symbols.end()) return Invalid(api_code::kBadSymbol, "Invalid symbol.");
  return it->second;
}

std::variant<ParsedOrder, ApiError> ReadNewOrder(const FormParams& p, const SymbolTable& symbols,
                                                 const std::map<std::string, int>& asset_decimals,
                                                 const std::string& generated_id) {
  ParsedOrder out;
  auto symbol = ReadSymbol(p, symbols);
  if (auto* e = std::get_if<ApiError>(&symbol)) return *e;
  const InstrumentConfig& ins = *std::get<const InstrumentConfig*>(symbol);
  out.request.instrument = out.view.instrument = &ins;
  const TypeRule* rule = nullptr;
  if (auto e = ReadEnums(p, out, rule)) return *e;
  if (auto e = ReadResponseType(p, *rule, out)) return *e;
  if (auto e = ReadQuantity(p, ins, asset_decimals, out)) return *e;
  if (auto e = ReadPrices(p, ins, *rule, out)) return *e;
  const std::string* id = FindParam(p, "newClientOrderId");
  if (id != nullptr && !ValidClientOrderId(*id)) {
    return Invalid(api_code::kIllegalChars,
                   "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                   "'^[a-zA-Z0-9-_]{1,36}$'.");
  }
  out.view.client_order_id = id ? *id : generated_id;
  out.view.side = out.request.side;
  out.view.tif = out.request.tif;
  out.view.orig_quote_qty = out.request.quote_quantity;
  return out;
}

}  // namespace exchange::binance
