// FixOrderEntry: the FIX front end of the OrderRouter. As the sessions'
// SessionApplication it reads each order-entry message (NewOrderSingle,
// OrderCancelRequest, OrderCancelReplaceRequest, OrderMassCancelRequest)
// into a request in engine units (order_request.h) and hands it to the
// router, or answers a message it cannot take (session Reject, business
// reject, rejected ExecutionReport, OrderCancelReject, mass cancel reject).
// Each session is an OrderOwner whose reports are written as
// ExecutionReport, OrderCancelReject and OrderMassCancelReport
// (execution_report.h; the mapping is tabled in README.md).
//
// Owned by the gateway, beside the router it feeds; I/O thread only.
#pragma once

#include <memory>
#include <string_view>
#include <unordered_map>

#include "gateway/fix_session.h"
#include "gateway/order_router.h"

namespace exchange::fix {

class FixOrderEntry : public SessionApplication {
 public:
  explicit FixOrderEntry(OrderRouter& router) : router_(router) {}
  ~FixOrderEntry() override;

  void OnApplicationMessage(FixSession& session, const FixMessage& message,
                            std::int64_t now_ns) override;

  // The owner of `session`'s orders (made on first use; lives as long as
  // this object).
  OrderOwner& OwnerOf(FixSession& session);

 private:
  void HandleRefusal(FixSession& s, const FixMessage& m, const Refusal& r, std::int64_t now_ns);

  OrderRouter& router_;
  std::unordered_map<FixSession*, std::unique_ptr<OrderOwner>> owners_;
};

}  // namespace exchange::fix
