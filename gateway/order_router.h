// OrderRouter: the gateway's order entry, shared by its front ends (the
// FIX sessions through fix_order_entry.h; the Binance-compatible API). It
// turns order requests, already read and checked in engine units
// (order_request.h), into engine commands (through a CommandSubmitter, which
// publishes them to RabbitMQ), and the engine's events for those orders into
// reports to the OrderOwner that placed each order.
//
// An owner touches only its own orders: cancels and replaces name the order
// by its client order id, looked up among the owner's orders, and the engine
// checks the account again. The engine's client order id of each order is
// allocated here (clients' ids are strings; the engine's are numbers), and
// replaces keep it, so one number follows an order through its life.
//
// Owned by the gateway; I/O thread only (events and publish failures are
// posted to that thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/command.h"
#include "engine/event.h"
#include "gateway/order_journal.h"
#include "gateway/order_owner.h"
#include "gateway/order_request.h"
#include "gateway/tracked_order.h"

namespace exchange::fix {

// Where the router's commands go (the RabbitMQ publisher, or a test's list).
class CommandSubmitter {
 public:
  virtual ~CommandSubmitter() = default;
  // Queues `command` for the engine shard owning `symbol` ("" for a mass
  // cancel of every symbol). Returns why it cannot be sent now (the broker is
  // unreachable, …), or nullopt when queued. `token` numbers the submission.
  virtual std::optional<std::string> Submit(std::string_view symbol, const Command& command,
                                            std::uint64_t token) = 0;
};

class OrderRouter {
 public:
  // first_order_id: the engine client order ids this router hands out start
  // there and rise (the gateway starts it at its start time in nanoseconds, so
  // ids never repeat across restarts).
  OrderRouter(InstrumentTable instruments, CommandSubmitter& submitter,
              ClientOrderId first_order_id);
  ~OrderRouter();

  // The requests of `owner`; each is answered through the owner (a
  // refusal at once, the engine's answer when it comes).
  void PlaceOrder(OrderOwner& owner, const NewOrderRequest& r, std::int64_t now_ns);
  void CancelOrder(OrderOwner& owner, const CancelRequest& r, std::int64_t now_ns);
  void ReplaceOrder(OrderOwner& owner, const ReplaceRequest& r, std::int64_t now_ns);
  void MassCancel(OrderOwner& owner, const MassCancelRequest& r, std::int64_t now_ns);
  // A fresh ExecID for a report the gateway makes itself: "GW:<n>".
  std::string NewGatewayExecId();

  // Keeps the open orders in `journal` from now on (order_journal.h says
  // when it is written); nullptr: in memory only.
  void SetJournal(OrderJournal* journal) { journal_ = journal; }
  // Takes back the orders a journal held at open; each finds its owner
  // through `owner_named` and its instrument by symbol. An order whose
  // owner or instrument is no longer configured is dropped (and erased
  // from the journal) with a line in `dropped`. Returns the orders restored.
  std::size_t Restore(std::vector<JournaledOrder> orders,
                      const std::function<OrderOwner*(std::string_view name)>& owner_named,
                      std::vector<std::string>* dropped);
  // Writes what the journal buffered: after each batch of events, before the
  // batch is acknowledged.
  void FlushJournal() {
    if (journal_) journal_->Flush();
  }

  // One event from the engine (events come in sequence order per shard). A
  // trade reports to its taker's order and to its maker's, each if this
  // router placed it. Events of orders this router did not place are
  // ignored; an event applied already to an order (a redelivery) changes
  // nothing.
  void OnEvent(const Event& event, std::int64_t now_ns);

  std::size_t tracked_orders() const { return orders_.size(); }
  const InstrumentTable& instruments() const { return instruments_; }

 private:
  using ClOrdIdMap = std::unordered_map<std::string, ClientOrderId>;

  // A cancel or replace (`body`, its order id filled in here) of one of this
  // owner's open orders: checked, submitted and recorded as pending, or
  // answered with a cancel reject.
  void SubmitAmend(OrderOwner& s, std::string_view cl_ord_id, std::string_view orig,
                   const InstrumentConfig* instrument, CommandBody body, std::int64_t now_ns);
  // A new order refused before it was sent: reported rejected, as asked.
  void RefuseNew(OrderOwner& s, const NewOrderRequest& r, int ord_rej_reason, std::string_view text,
                 std::int64_t now_ns);

  void OnAccepted(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnRejected(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnFill(TrackedOrder& o, const Event& e, bool maker, std::int64_t now_ns);
  void OnCanceled(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnReplaced(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnTriggered(TrackedOrder& o, const Event& e, std::int64_t now_ns);

  // The order of `owner` whose current (or pending replace) client order
  // id is `cl_ord_id`; nullptr when none.
  TrackedOrder* FindByOwner(OrderOwner& owner, std::string_view cl_ord_id);
  TrackedOrder* FindForEvent(ClientOrderId id, AccountId account, Sequence sequence);
  ClOrdIdMap& IdsOf(OrderOwner& owner) { return by_owner_[&owner]; }
  // Reports, then forgets the order once it is done and nothing is pending.
  void SendReport(TrackedOrder& o, const ReportDetail& d, std::int64_t now_ns);
  // Journals the order as it is now, or, once it is done with nothing
  // pending, forgets it (and erases it from the journal).
  void Settle(TrackedOrder& o);
  std::uint64_t Submit(std::string_view symbol, const Command& c, std::string* error);

  InstrumentTable instruments_;
  CommandSubmitter& submitter_;
  OrderJournal* journal_ = nullptr;
  ClientOrderId next_order_id_;
  std::uint64_t next_token_ = 1;
  std::unordered_map<ClientOrderId, std::unique_ptr<TrackedOrder>> orders_;
  std::unordered_map<OrderOwner*, ClOrdIdMap> by_owner_;  // client order ids in use -> order
};

}  // namespace exchange::fix
