// AccountOrders: one account's orders as the Binance-compatible API shows
// them, and the API's side of the OrderRouter for that account (an
// OrderOwner named "binance:<account>"). It keeps each order's Binance view
// (status, executed quantity, cumulative quote) from the router's reports,
// the answers still owed to clients (an order's ACK, RESULT or FULL; a
// cancel's result), and answers them: ACK on the engine's acceptance,
// RESULT and FULL at the end of the engine batch that accepted the order
// (when the taker's matching is over, as Binance answers), a cancel when
// the order is cancelled, a refusal at once.
//
// For the user data stream (once set_streaming): every change of the
// account's API orders, kept in engine order until TakeStreamEvents makes
// them executionReport events (at the end of the engine batch, when each
// trade's commission is known).
//
// Finished orders stay queryable (GET /api/v3/order) until
// `kFinishedKept` newer ones finished after them.
//
// Owned by the BinanceApi; I/O thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/binance/api_error.h"
#include "gateway/binance/api_http.h"
#include "gateway/binance/unfilled_order_count.h"
#include "gateway/binance/user_stream_json.h"
#include "gateway/order_owner.h"
#include "gateway/order_request.h"

namespace exchange::binance {

// One fill of an order, for FULL answers and myTrades.
struct OrderFill {
  Price price = 0;
  Quantity quantity = 0;
  Sequence trade_id = 0;
  Amount gross = 0;       // what the side receives before its fee, in the asset's units
  Amount commission = 0;  // gross less what the account received (negative: a rebate)
  int commission_decimals = 0;
  std::string commission_asset;  // the asset the side receives
};

struct OrderView {
  const InstrumentConfig* instrument = nullptr;
  ClientOrderId engine_id = 0;
  OrderId order_id = 0;  // the exchange's id (Binance's orderId); 0 before acceptance
  std::string client_order_id;
  std::string type;  // Binance's: LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS, STOP_LOSS_LIMIT
  Side side = Side::kBuy;
  TimeInForce tif = TimeInForce::kGtc;
  Price price = 0;
  Price stop_price = 0;
  Quantity orig_qty = 0;
  Amount orig_quote_qty = 0;  // quoteOrderQty, with quote_decimals
  int quote_decimals = 0;
  Quantity executed = 0;
  __int128 cum_quote = 0;  // price × quantity units
  std::string status = "NEW";
  bool arriving = false;  // accepted in the engine batch still being applied (fills: taker)
  std::int64_t time_ms = 0;
  std::int64_t update_ms = 0;
  bool working = true;  // on the book (false for a stop not yet triggered)
  std::vector<OrderFill> fills;
};

// A trade of one of the account's API orders, kept for myTrades until the
// trade history surely holds it (kRecentFillsKept newer fills later).
struct RecentFill {
  const InstrumentConfig* instrument = nullptr;
  ClientOrderId engine_id = 0;
  OrderId order_id = 0;
  Side side = Side::kBuy;
  bool maker = false;
  std::int64_t time_ms = 0;
  OrderFill fill;  // commission known once the batch that made it ends
};

enum class ResponseType { kAck, kResult, kFull };

class AccountOrders : public fix::OrderOwner {
 public:
  static constexpr std::size_t kFinishedKept = 10'000;
  static constexpr std::size_t kRecentFillsKept = 1'000;

  AccountOrders(AccountId account, OrderLimits limits);

  AccountId account() const override { return account_; }
  const std::string& name() const override { return name_; }
  void Report(const fix::TrackedOrder& order, const fix::ReportDetail& detail,
              std::int64_t now_ns) override;
  void CancelRejected(const fix::CancelRejectDetail& detail, std::int64_t now_ns) override;
  void MassCancelReported(const fix::MassCancelDetail& detail, std::int64_t now_ns) override;
  // A journaled open order of a restarted gateway: its view again (its
  // last update time: its acceptance's).
  void Restored(const fix::TrackedOrder& order) override;

  // Before the router hears of a new order: the view it starts from and how
  // its client is answered.
  void ExpectNew(OrderView view, ResponseType type, Respond respond);
  // Before the router hears of a cancel whose client order id is
  // `cancel_id`.
  void ExpectCancel(const std::string& cancel_id, Respond respond, std::int64_t now_ms);
  // What the account received on the trade `trade_id` (its BALANCE TRADE
  // event's available change in `asset`): the fill's commission is its
  // gross less this.
  void OnReceived(Sequence trade_id, const std::string& asset, Amount net, int decimals);
  // The engine batch is applied: RESULT and FULL answers of orders it
  // accepted go out.
  void OnBatchEnd();
  // Answers still owed since before `deadline_ms` get Binance's -1007 (the
  // engine did not answer in time: the request may or may not have been
  // executed). Returns how many.
  std::size_t ExpireBefore(std::int64_t deadline_ms);

  // The changes of the orders are kept for the user data stream from now on.
  void set_streaming(bool on) { streaming_ = on; }
  // The executionReport events of the changes kept since the last call, in
  // engine order (before OnBatchEnd, which forgets the batch's commissions).
  std::vector<std::string> TakeStreamEvents(std::int64_t event_ms);

  // The account's ORDERS rate limits (placements add, first fills take back).
  UnfilledOrderCount& order_count() { return order_count_; }

  // An order by exchange id or client order id (open or recently finished).
  const OrderView* FindByOrderId(OrderId id) const;
  const OrderView* FindByClientId(const std::string& client_order_id) const;
  const OrderView* FindByEngineId(ClientOrderId id) const;
  // Open orders, of `instrument` when given, oldest first.
  std::vector<const OrderView*> Open(const InstrumentConfig* instrument) const;
  // Every order held (open and recently finished) of `instrument`, oldest first.
  std::vector<const OrderView*> Held(const InstrumentConfig* instrument) const;
  // The last kRecentFillsKept fills of the account's API orders, oldest
  // first, each with its commission (fills of the batch being applied are
  // not here yet).
  const std::deque<RecentFill>& recent_fills() const { return recent_fills_; }

 private:
  struct PendingNew {
    ResponseType type;
    Respond respond;
    std::int64_t since_ms = 0;
  };
  struct PendingCancel {
    Respond respond;
    std::int64_t since_ms = 0;
  };
  OrderView* ViewOf(const fix::TrackedOrder& order);
  // A fill of an order whose client waits for a FULL answer.
  void AddFill(OrderView& view, const fix::ReportDetail& detail);
  // A fill kept for myTrades (recent_fills_ at the batch's end).
  void KeepFill(const OrderView& view, const fix::ReportDetail& detail);
  // The fill's commission from what the account received on it this batch.
  void WithCommission(OrderFill& fill) const;
  // The batch's fills, with their commissions, join recent_fills_.
  void KeepRecentFills();
  void Answer(const std::string& client_order_id, OrderView& view);
  void Finish(OrderView& view);
  // The change for the user data stream.
  void KeepForStream(const OrderView& view, const fix::ReportDetail& detail);

  AccountId account_;
  std::string name_;
  std::unordered_map<ClientOrderId, OrderView> views_;  // by engine id
  std::unordered_map<std::string, ClientOrderId> by_client_id_;
  std::unordered_map<OrderId, ClientOrderId> by_order_id_;
  std::unordered_map<std::string, OrderView> starting_;  // new orders not yet seen by the router
  std::unordered_map<std::string, PendingNew> pending_new_;         // by client order id
  std::unordered_map<std::string, PendingCancel> pending_cancels_;  // by the cancel's client id
  std::vector<std::string> answer_at_batch_end_;                    // client order ids
  std::vector<ClientOrderId> arrived_;  // this batch's accepted orders (arriving)
  UnfilledOrderCount order_count_;
  struct Received {
    Amount net = 0;
    int decimals = 0;
  };
  std::map<std::pair<Sequence, std::string>, Received> received_;  // this batch's: (trade, asset)
  std::deque<ClientOrderId> finished_;                             // oldest first
  bool streaming_ = false;
  struct StreamChange {
    OrderView order;  // after the change, without fills
    ExecutionChange change;
    Amount gross = 0;  // a trade's: what the side receives before its fee
  };
  std::vector<StreamChange> stream_changes_;
  std::vector<RecentFill> batch_fills_;  // this batch's, commission still unknown
  std::deque<RecentFill> recent_fills_;
};

// Binance's order type of an engine order type (an iceberg is a LIMIT).
const char* BinanceTypeName(OrderType type);

// The order's status and fields as Binance's JSON.
std::string OrderJson(const OrderView& view, ResponseType type);
std::string AckJson(const OrderView& view);

}  // namespace exchange::binance
