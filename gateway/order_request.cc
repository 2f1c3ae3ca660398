// Reading FIX order-entry messages into engine-unit requests. The rules:
//  - a required field missing, a field that is not of its FIX type, or a
//    value outside the field's enumeration: Reject(35=3) naming the tag;
//  - a message type this gateway does not take: BusinessMessageReject(35=j);
//  - a well-formed request the exchange cannot take (unknown symbol, price
//    off tick or with too many decimals, an unsupported combination): an
//    order-level rejection with a text saying exactly what is wrong.
#include "gateway/order_request.h"

#include "gateway/fix_decimal.h"
#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

Refusal SessionReject(int tag, int reason, std::string text) {
  return Refusal{RefusalKind::kSessionReject, tag, reason, std::move(text)};
}

Refusal OrderReject(int tag, int reason, std::string text) {
  return Refusal{RefusalKind::kOrderReject, tag, reason, std::move(text)};
}

std::string TagText(int tag, std::string_view name) {
  std::string s(name);
  s += '(';
  s += std::to_string(tag);
  s += ')';
  return s;
}

// Reads the fields every request shares; nullopt when they are fine.
std::optional<Refusal> ReadClOrdId(const FixMessage& m, int tag, std::string_view name,
                                   std::string_view* out) {
  if (!m.Has(tag)) {
    return SessionReject(tag, session_reject::kRequiredTagMissing,
                         TagText(tag, name) + " is required");
  }
  *out = m.Get(tag);
  if (out->size() > kMaxClOrdIdLength) {
    std::string text = TagText(tag, name);
    text += " is longer than ";
    text += std::to_string(kMaxClOrdIdLength);
    text += " characters";
    return SessionReject(tag, session_reject::kValueIncorrect, std::move(text));
  }
  return std::nullopt;
}

std::optional<Refusal> ReadInstrument(const FixMessage& m, const InstrumentTable& instruments,
                                      const InstrumentConfig** out) {
  if (!m.Has(tag::kSymbol)) {
    return SessionReject(tag::kSymbol, session_reject::kRequiredTagMissing,
                         "Symbol(55) is required");
  }
  const auto it = instruments.find(std::string(m.Get(tag::kSymbol)));
  if (it == instruments.end()) {
    std::string text = "unknown symbol '";
    text += m.Get(tag::kSymbol);
    text += "'";
    return OrderReject(tag::kSymbol, ord_rej::kUnknownSymbol, std::move(text));
  }
  *out = &it->second;
  return std::nullopt;
}

// A price field on the instrument's tick; *out stays 0 when the field is
// absent and not required.
std::optional<Refusal> ReadPrice(const FixMessage& m, int tag, std::string_view name,
                                 const InstrumentConfig& ins, bool required, Price* out) {
  if (!m.Has(tag)) {
    if (!required) return std::nullopt;
    return SessionReject(tag, session_reject::kRequiredTagMissing,
                         TagText(tag, name) + " is required for this OrdType(40)");
  }
  const auto r = ParseDecimalOnStep(m.Get(tag), ins.price_decimals, ins.spec.tick_size,
                                    TagText(tag, name), "tick");
  if (const auto* e = std::get_if<DecimalError>(&r)) {
    return OrderReject(tag, ord_rej::kOther, e->text);
  }
  *out = std::get<std::int64_t>(r);
  if (*out <= 0) return OrderReject(tag, ord_rej::kOther, TagText(tag, name) + " must be positive");
  return std::nullopt;
}

std::optional<Refusal> ReadQuantity(const FixMessage& m, int tag, std::string_view name,
                                    const InstrumentConfig& ins, bool required, Quantity* out) {
  if (!m.Has(tag)) {
    if (!required) return std::nullopt;
    return SessionReject(tag, session_reject::kRequiredTagMissing,
                         TagText(tag, name) + " is required");
  }
  const auto r = ParseDecimalOnStep(m.Get(tag), ins.quantity_decimals, ins.spec.lot_size,
                                    TagText(tag, name), "lot");
  if (const auto* e = std::get_if<DecimalError>(&r)) {
    return OrderReject(tag, ord_rej::kIncorrectQuantity, e->text);
  }
  *out = std::get<std::int64_t>(r);
  if (*out <= 0) {
    return OrderReject(tag, ord_rej::kIncorrectQuantity, TagText(tag, name) + " must be positive");
  }
  return std::nullopt;
}

std::optional<Refusal> ReadSide(const FixMessage& m, Side* out) {
  const std::string_view v = m.Get(tag::kSide);
  if (v.empty()) {
    return SessionReject(tag::kSide, session_reject::kRequiredTagMissing, "Side(54) is required");
  }
  if (v == "1") {
    *out = Side::kBuy;
  } else if (v == "2") {
    *out = Side::kSell;
  } else {
    std::string text = "Side(54) '";
    text += v;
    text += "' is not supported: 1 (buy) or 2 (sell)";
    return SessionReject(tag::kSide, session_reject::kValueIncorrect, std::move(text));
  }
  return std::nullopt;
}

// OrdType(40), ExecInst(18) 6 and MaxFloor(111) together give the engine's type.
std::optional<Refusal> ReadOrderType(const FixMessage& m, const InstrumentConfig& ins,
                                     NewOrderRequest* r) {
  const std::string_view v = m.Get(tag::kOrdType);
  if (v.empty()) {
    return SessionReject(tag::kOrdType, session_reject::kRequiredTagMissing,
                         "OrdType(40) is required");
  }
  if (v == "1") {
    r->type = OrderType::kMarket;
  } else if (v == "2") {
    r->type = OrderType::kLimit;
  } else if (v == "3") {
    r->type = OrderType::kStop;
  } else if (v == "4") {
    r->type = OrderType::kStopLimit;
  } else {
    std::string text = "OrdType(40) '";
    text += v;
    text += "' is not supported: 1 market, 2 limit, 3 stop, 4 stop limit";
    return SessionReject(tag::kOrdType, session_reject::kValueIncorrect, std::move(text));
  }
  const bool post_only = m.Get(tag::kExecInst).find('6') != std::string_view::npos;
  if (auto e = ReadQuantity(m, tag::kMaxFloor, "MaxFloor", ins, false, &r->display_quantity)) {
    return e;
  }
  if (post_only) {
    if (r->type != OrderType::kLimit) {
      return OrderReject(tag::kExecInst, ord_rej::kUnsupportedOrderCharacteristic,
                         "ExecInst(18) 6 (post-only) needs OrdType(40) 2 (limit)");
    }
    r->type = OrderType::kPostOnly;
  }
  if (r->display_quantity > 0) {
    if (r->type != OrderType::kLimit) {
      return OrderReject(tag::kMaxFloor, ord_rej::kUnsupportedOrderCharacteristic,
                         "MaxFloor(111) (iceberg) needs OrdType(40) 2 (limit) without post-only");
    }
    r->type = OrderType::kIceberg;
  }
  return std::nullopt;
}

std::optional<Refusal> ReadTimeInForce(const FixMessage& m, TimeInForce* out) {
  const std::string_view v = m.Get(tag::kTimeInForce);
  if (v.empty() || v == "1") {
    *out = TimeInForce::kGtc;
  } else if (v == "3") {
    *out = TimeInForce::kIoc;
  } else if (v == "4") {
    *out = TimeInForce::kFok;
  } else {
    std::string text = "TimeInForce(59) '";
    text += v;
    text += "' is not supported: 1 GTC (the default), 3 IOC, 4 FOK";
    return OrderReject(tag::kTimeInForce, ord_rej::kUnsupportedOrderCharacteristic,
                       std::move(text));
  }
  return std::nullopt;
}

std::optional<Refusal> ReadStp(const FixMessage& m, StpMode* out) {
  const std::string_view v = m.Get(tag::kSelfTradePreventionMode);
  if (v.empty()) {
    *out = StpMode::kInstrumentDefault;
  } else if (v == "1") {
    *out = StpMode::kCancelResting;
  } else if (v == "2") {
    *out = StpMode::kCancelIncoming;
  } else if (v == "3") {
    *out = StpMode::kCancelBoth;
  } else {
    std::string text = "SelfTradePreventionMode(7928) '";
    text += v;
    text += "' is not supported: 1 cancel resting, 2 cancel incoming, 3 cancel both";
    return SessionReject(tag::kSelfTradePreventionMode, session_reject::kValueIncorrect,
                         std::move(text));
  }
  return std::nullopt;
}

OrderRequest ReadNewOrder(const FixMessage& m, const InstrumentTable& instruments) {
  NewOrderRequest r;
  if (auto e = ReadClOrdId(m, tag::kClOrdID, "ClOrdID", &r.cl_ord_id)) return *e;
  if (auto e = ReadSide(m, &r.side)) return *e;
  if (auto e = ReadInstrument(m, instruments, &r.instrument)) return *e;
  const InstrumentConfig& ins = *r.instrument;
  if (auto e = ReadOrderType(m, ins, &r)) return *e;
  if (auto e = ReadTimeInForce(m, &r.tif)) return *e;
  if (auto e = ReadStp(m, &r.stp)) return *e;
  if (auto e = ReadQuantity(m, tag::kOrderQty, "OrderQty", ins, true, &r.quantity)) return *e;
  const bool limit_price = r.type != OrderType::kMarket && r.type != OrderType::kStop;
  const bool stop_price = r.type == OrderType::kStop || r.type == OrderType::kStopLimit;
  if (auto e = ReadPrice(m, tag::kPrice, "Price", ins, limit_price, &r.price)) return *e;
  if (auto e = ReadPrice(m, tag::kStopPx, "StopPx", ins, stop_price, &r.stop_price)) return *e;
  if (!limit_price && r.price != 0) {
    return OrderReject(tag::kPrice, ord_rej::kUnsupportedOrderCharacteristic,
                       "Price(44) is not allowed with a market or stop OrdType(40)");
  }
  if (!stop_price && r.stop_price != 0) {
    return OrderReject(tag::kStopPx, ord_rej::kUnsupportedOrderCharacteristic,
                       "StopPx(99) needs OrdType(40) 3 (stop) or 4 (stop limit)");
  }
  return r;
}

OrderRequest ReadCancel(const FixMessage& m, const InstrumentTable& instruments) {
  CancelRequest r;
  if (auto e = ReadClOrdId(m, tag::kClOrdID, "ClOrdID", &r.cl_ord_id)) return *e;
  if (auto e = ReadClOrdId(m, tag::kOrigClOrdID, "OrigClOrdID", &r.orig_cl_ord_id)) return *e;
  if (auto e = ReadInstrument(m, instruments, &r.instrument)) return *e;
  return r;
}

OrderRequest ReadReplace(const FixMessage& m, const InstrumentTable& instruments) {
  ReplaceRequest r;
  if (auto e = ReadClOrdId(m, tag::kClOrdID, "ClOrdID", &r.cl_ord_id)) return *e;
  if (auto e = ReadClOrdId(m, tag::kOrigClOrdID, "OrigClOrdID", &r.orig_cl_ord_id)) return *e;
  if (auto e = ReadInstrument(m, instruments, &r.instrument)) return *e;
  const InstrumentConfig& ins = *r.instrument;
  if (auto e = ReadQuantity(m, tag::kOrderQty, "OrderQty", ins, true, &r.quantity)) return *e;
  if (auto e = ReadPrice(m, tag::kPrice, "Price", ins, false, &r.price)) return *e;
  if (auto e = ReadPrice(m, tag::kStopPx, "StopPx", ins, false, &r.stop_price)) return *e;
  return r;
}

OrderRequest ReadMassCancel(const FixMessage& m, const InstrumentTable& instruments) {
  MassCancelRequest r;
  if (auto e = ReadClOrdId(m, tag::kClOrdID, "ClOrdID", &r.cl_ord_id)) return *e;
  const std::string_view type = m.Get(tag::kMassCancelRequestType);
  if (type == "1") {
    if (auto e = ReadInstrument(m, instruments, &r.instrument)) return *e;
  } else if (type != "7") {
    std::string text = "MassCancelRequestType(530) '";
    text += type;
    text += "' is not supported: 1 (one symbol) or 7 (all orders)";
    return SessionReject(
        tag::kMassCancelRequestType,
        type.empty() ? session_reject::kRequiredTagMissing : session_reject::kValueIncorrect,
        std::move(text));
  }
  return r;
}

}  // namespace

OrderRequest ReadOrderRequest(const FixMessage& m, const InstrumentTable& instruments) {
  const std::string_view type = m.msg_type();
  if (type == msg::kNewOrderSingle) return ReadNewOrder(m, instruments);
  if (type == msg::kOrderCancelRequest) return ReadCancel(m, instruments);
  if (type == msg::kOrderCancelReplaceRequest) return ReadReplace(m, instruments);
  if (type == msg::kOrderMassCancelRequest) return ReadMassCancel(m, instruments);
  std::string text = "MsgType(35) '";
  text += type;
  text += "' is not supported by this gateway";
  return Refusal{RefusalKind::kBusinessReject, tag::kMsgType,
                 business_reject::kUnsupportedMessageType, std::move(text)};
}

int OrdRejReasonOf(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnknownSymbol: return ord_rej::kUnknownSymbol;
    case RejectReason::kHalted: return ord_rej::kExchangeClosed;
    case RejectReason::kQuantityNotOnLot:
    case RejectReason::kQuantityOutOfRange:
    case RejectReason::kInvalidDisplayQuantity: return ord_rej::kIncorrectQuantity;
    case RejectReason::kUnknownOrder: return ord_rej::kUnknownOrder;
    case RejectReason::kDuplicateClientOrderId: return ord_rej::kDuplicateOrder;
    case RejectReason::kPriceOutsideBand:
    case RejectReason::kInsufficientFunds: return ord_rej::kOrderExceedsLimit;
    default: return ord_rej::kOther;
  }
}

}  // namespace exchange::fix
