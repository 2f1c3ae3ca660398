// BinanceApi's cancels: DELETE /api/v3/order, DELETE /api/v3/openOrders
// (every open order of a symbol, answered once all are cancelled) and
// POST /api/v3/order/cancelReplace (a cancel, then a new order, answered as
// one, as Binance does).
#include <memory>

#include "gateway/binance/binance_api.h"

namespace exchange::binance {
namespace {

const ApiError kUnknownOrder{400, api_code::kCancelRejected, "Unknown order sent."};

// cancelReplace's one answer from its two parts; `placed` is nullptr when
// the new order was not attempted.
ApiResponse CancelReplaceAnswer(const ApiResponse& cancelled, const ApiResponse* placed) {
  const bool cancel_ok = cancelled.status == 200;
  const bool new_ok = placed != nullptr && placed->status == 200;
  const std::string parts = std::string(R"({"cancelResult":")") +
                            (cancel_ok ? "SUCCESS" : "FAILURE") + R"(","newOrderResult":")" +
                            (placed == nullptr ? "NOT_ATTEMPTED"
                             : new_ok          ? "SUCCESS"
                                               : "FAILURE") +
                            R"(","cancelResponse":)" + cancelled.body + R"(,"newOrderResponse":)" +
                            (placed == nullptr ? "null" : placed->body) + "}";
  if (cancel_ok && new_ok) return {200, parts, placed->headers};
  const bool partly = cancel_ok || new_ok;
  ApiResponse out;
  out.status = partly ? 409 : 400;
  out.body = std::string(R"({"code":)") +
             std::to_string(partly ? api_code::kCancelReplacePartlyFailed
                                   : api_code::kCancelReplaceFailed) +
             R"(,"msg":")" +
             (partly ? "Order cancel-replace partially failed." : "Order cancel-replace failed.") +
             R"(","data":)" + parts + "}";
  if (new_ok) out.headers = placed->headers;
  return out;
}

// cancelRestrictions: ONLY_NEW, ONLY_PARTIALLY_FILLED, or none.
std::optional<ApiError> CheckRestrictions(const std::string* restriction, const OrderView& o) {
  if (restriction == nullptr) return std::nullopt;
  if (*restriction != "ONLY_NEW" && *restriction != "ONLY_PARTIALLY_FILLED") {
    return ApiError{400, api_code::kInvalidParameter,
                    "Data sent for parameter 'cancelRestrictions' is not valid (ONLY_NEW or "
                    "ONLY_PARTIALLY_FILLED)."};
  }
  const std::string wanted = *restriction == "ONLY_NEW" ? "NEW" : "PARTIALLY_FILLED";
  if (o.status == wanted) return std::nullopt;
  return ApiError{400, api_code::kCancelRejected,
                  "Order was not canceled due to cancel restrictions."};
}

}  // namespace

std::variant<std::string, ApiError> BinanceApi::CancelId(const Caller& c, std::string_view param) {
  const std::string* given = FindParam(c.params, param);
  if (given == nullptr) return NewClientOrderId();
  if (!ValidClientOrderId(*given)) {
    return ApiError{400, api_code::kIllegalChars,
                    "Illegal characters found in parameter '" + std::string(param) +
                        "'; legal range is '^[a-zA-Z0-9-_]{1,36}$'."};
  }
  return *given;
}

void BinanceApi::SendCancel(AccountOrders& orders, const OrderView& order,
                            const std::string& cancel_id, Respond respond) {
  const std::string orig = order.client_order_id;
  orders.ExpectCancel(cancel_id, std::move(respond), NowMs());
  fix::CancelRequest r{cancel_id, orig, order.instrument};
  router_.CancelOrder(orders, r, clock_());
}

void BinanceApi::CancelOrder(const Caller& c, Respond& respond) {
  auto named = NamedOrder(c, kUnknownOrder);
  if (auto* e = std::get_if<ApiError>(&named)) return respond(ErrorResponse(*e));
  auto cancel_id = CancelId(c, "newClientOrderId");
  if (auto* e = std::get_if<ApiError>(&cancel_id)) return respond(ErrorResponse(*e));
  const OrderView& order = *std::get<const OrderView*>(named);
  if (auto e = CheckRestrictions(FindParam(c.params, "cancelRestrictions"), order)) {
    return respond(ErrorResponse(*e));
  }
  SendCancel(OrdersOf(c.key->key.account), order, std::get<std::string>(cancel_id),
             std::move(respond));
}

void BinanceApi::CancelOpenOrders(const Caller& c, Respond& respond) {
  auto symbol = ReadSymbol(c.params, symbols_);
  if (auto* e = std::get_if<ApiError>(&symbol)) return respond(ErrorResponse(*e));
  AccountOrders& orders = OrdersOf(c.key->key.account);
  const std::vector<const OrderView*> open = orders.Open(std::get<const InstrumentConfig*>(symbol));
  if (open.empty()) return respond(ErrorResponse(kUnknownOrder));
  // The cancels' answers, gathered; the client hears once all are in.
  struct Gathered {
    std::size_t left = 0;
    std::string cancelled = "[";
    std::optional<ApiResponse> first_refusal;
    Respond respond;
  };
  auto gathered = std::make_shared<Gathered>();
  gathered->left = open.size();
  gathered->respond = std::move(respond);
  for (const OrderView* order : open) {
    SendCancel(orders, *order, NewClientOrderId(), [gathered](ApiResponse r) {
      Gathered& g = *gathered;
      if (r.status == 200) {
        if (g.cancelled.size() > 1) g.cancelled += ',';
        g.cancelled += r.body;
      } else if (!g.first_refusal) {
        g.first_refusal = std::move(r);
      }
      if (--g.left > 0) return;
      // Orders that finished meanwhile cannot be cancelled: the ones that
      // were are the answer; none at all, the first refusal.
      if (g.cancelled.size() == 1 && g.first_refusal) return g.respond(*g.first_refusal);
      g.respond({200, g.cancelled + "]", {}});
    });
  }
}

void BinanceApi::CancelReplace(const Caller& c, Respond& respond) {
  const std::string* mode = FindParam(c.params, "cancelReplaceMode");
  if (mode == nullptr) return respond(ErrorResponse(MandatoryMissing("cancelReplaceMode")));
  if (*mode != "STOP_ON_FAILURE" && *mode != "ALLOW_FAILURE") {
    return respond(ErrorResponse({400, api_code::kInvalidParameter,
                                  "Data sent for parameter 'cancelReplaceMode' is not valid "
                                  "(STOP_ON_FAILURE or ALLOW_FAILURE)."}));
  }
  const std::string* exceeded = FindParam(c.params, "orderRateLimitExceededMode");
  if (exceeded != nullptr && *exceeded != "DO_NOTHING" && *exceeded != "CANCEL_ONLY") {
    return respond(ErrorResponse({400, api_code::kInvalidParameter,
                                  "Data sent for parameter 'orderRateLimitExceededMode' is not "
                                  "valid (DO_NOTHING or CANCEL_ONLY)."}));
  }
  auto parsed = ReadNewOrder(c.params, symbols_, asset_decimals_, NewClientOrderId());
  if (auto* e = std::get_if<ApiError>(&parsed)) return respond(ErrorResponse(*e));
  auto cancel_id = CancelId(c, "cancelNewClientOrderId");
  if (auto* e = std::get_if<ApiError>(&cancel_id)) return respond(ErrorResponse(*e));
  auto named = NamedOrder(c, kUnknownOrder, "cancel");
  if (auto* e = std::get_if<ApiError>(&named); e != nullptr && e->code != kUnknownOrder.code) {
    return respond(ErrorResponse(*e));  // the request's form, not the order's fate
  }
  AccountOrders& orders = OrdersOf(c.key->key.account);
  // Filters and the order count come first, as Binance's: over the limit,
  // nothing is cancelled unless CANCEL_ONLY says to.
  const auto over = orders.order_count().Add(NowMs());
  const bool cancel_only = exceeded != nullptr && *exceeded == "CANCEL_ONLY";
  if (over && !cancel_only)
    return respond({over->status, ErrorBody(*over), {{"Retry-After", "10"}}});
  const bool stop_on_failure = *mode == "STOP_ON_FAILURE";
  auto order = std::make_shared<ParsedOrder>(std::move(std::get<ParsedOrder>(parsed)));
  // The second half, once the cancel is answered.
  auto then = [this, &orders, order, over, stop_on_failure,
               respond = std::move(respond)](ApiResponse cancelled) {
    if (cancelled.status != 200 && stop_on_failure) {
      return respond(CancelReplaceAnswer(cancelled, nullptr));
    }
    if (over) {
      const ApiResponse refused = ErrorResponse(*over);
      return respond(CancelReplaceAnswer(cancelled, &refused));
    }
    Place(orders, std::move(*order), [respond, cancelled](ApiResponse placed) {
      respond(CancelReplaceAnswer(cancelled, &placed));
    });
  };
  if (auto* e = std::get_if<ApiError>(&named)) return then(ErrorResponse(*e));
  const OrderView& target = *std::get<const OrderView*>(named);
  if (auto e = CheckRestrictions(FindParam(c.params, "cancelRestrictions"), target)) {
    return then(ErrorResponse(*e));
  }
  SendCancel(orders, target, std::get<std::string>(cancel_id), std::move(then));
}

}  // namespace exchange::binance
