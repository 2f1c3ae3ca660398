// OrderRouter: the gateway's application layer. It turns FIX order-entry
// messages from logged-on sessions into engine commands (through a
// CommandSubmitter, which publishes them to RabbitMQ), and the engine's
// events for those orders back into ExecutionReports, OrderCancelRejects and
// OrderMassCancelReports on the session that placed each order.
//
// A client touches only its own orders: cancels and replaces name the order
// by OrigClOrdID, looked up among its own session's orders, and the engine
// checks the account again. The engine's client order id of each order is
// allocated here (ClOrdIDs are strings; the engine's ids are numbers), and
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
#include "gateway/fix_session.h"
#include "gateway/order_journal.h"
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

class OrderRouter : public SessionApplication {
 public:
  // first_order_id: the engine client order ids this router hands out start
  // there and rise (the gateway starts it at its start time in nanoseconds, so
  // ids never repeat across restarts).
  OrderRouter(InstrumentTable instruments, CommandSubmitter& submitter,
              ClientOrderId first_order_id);
  ~OrderRouter() override;

  void OnApplicationMessage(FixSession& session, const FixMessage& message,
                            std::int64_t now_ns) override;

  // Keeps the open orders in `journal` from now on (order_journal.h says
  // when it is written); nullptr: in memory only.
  void SetJournal(OrderJournal* journal) { journal_ = journal; }
  // Takes back the orders a journal held at open; each finds its session
  // through `session_named` and its instrument by symbol. An order whose
  // session or instrument is no longer configured is dropped (and erased
  // from the journal) with a line in `dropped`. Returns the orders restored.
  std::size_t Restore(std::vector<JournaledOrder> orders,
                      const std::function<FixSession*(std::string_view name)>& session_named,
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

  void HandleNew(FixSession& s, const NewOrderRequest& r, std::int64_t now_ns);
  void HandleCancel(FixSession& s, const CancelRequest& r, std::int64_t now_ns);
  void HandleReplace(FixSession& s, const ReplaceRequest& r, std::int64_t now_ns);
  // A cancel or replace (`body`, its order id filled in here) of one of this
  // session's open orders: checked, submitted and recorded as pending, or
  // answered with an OrderCancelReject.
  void SubmitAmend(FixSession& s, std::string_view cl_ord_id, std::string_view orig,
                   const InstrumentConfig* instrument, CommandBody body, std::int64_t now_ns);
  void HandleMassCancel(FixSession& s, const MassCancelRequest& r, std::int64_t now_ns);
  void HandleRefusal(FixSession& s, const FixMessage& m, const Refusal& r, std::int64_t now_ns);

  void OnAccepted(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnRejected(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnFill(TrackedOrder& o, const Event& e, bool maker, std::int64_t now_ns);
  void OnCanceled(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnReplaced(TrackedOrder& o, const Event& e, std::int64_t now_ns);
  void OnTriggered(TrackedOrder& o, const Event& e, std::int64_t now_ns);

  // The order of `session` whose current (or pending replace) ClOrdID is
  // `cl_ord_id`; nullptr when none.
  TrackedOrder* FindBySession(FixSession& session, std::string_view cl_ord_id);
  TrackedOrder* FindForEvent(ClientOrderId id, AccountId account, Sequence sequence);
  ClOrdIdMap& IdsOf(FixSession& session) { return by_session_[&session]; }
  // Sends, then forgets the order once it is done and nothing is pending.
  void SendReport(TrackedOrder& o, const struct ReportDetail& d, std::int64_t now_ns);
  void SendCancelReject(FixSession& s, std::string_view cl_ord_id, std::string_view orig,
                        std::string_view order_id, char ord_status, bool replace, int reason,
                        std::string_view text, std::int64_t now_ns);
  void SendMassCancelReport(FixSession& s, std::string_view cl_ord_id, const InstrumentConfig* ins,
                            int affected, std::string_view reject_text, std::int64_t now_ns);
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
  std::unordered_map<FixSession*, ClOrdIdMap> by_session_;  // ClOrdIDs in use -> order
};

}  // namespace exchange::fix
