// OrderOwner: whoever places orders through the OrderRouter and hears what
// becomes of them: a FIX session (fix_order_entry.h) or, for the
// Binance-compatible front end, an account. The router tells the owner of
// each order what happened in the gateway's one vocabulary (ReportDetail,
// in FIX ExecType(150) terms); each owner writes that in its protocol.
//
// Owners outlive the orders they placed. Called on the gateway's I/O thread
// only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/instruments_file.h"
#include "engine/types.h"
#include "gateway/tracked_order.h"

namespace exchange::fix {

// What happened to an order: FIX ExecType(150) values.
namespace exec_type {
inline constexpr char kNew = '0';
inline constexpr char kCanceled = '4';
inline constexpr char kReplaced = '5';
inline constexpr char kRejected = '8';
inline constexpr char kExpired = 'C';
inline constexpr char kRestated = 'D';  // a stop order triggered
inline constexpr char kTrade = 'F';
}  // namespace exec_type

// One change of an order (the order itself, after the change, goes beside).
struct ReportDetail {
  char exec_type = exec_type::kNew;
  std::string_view exec_id;         // unique: "<symbol>:<engine sequence>" or "GW:<n>"
  std::string_view cl_ord_id;       // the request's, or the order's
  std::string_view orig_cl_ord_id;  // the order's before a cancel or replace; empty for none
  Quantity last_qty = 0;            // trades
  Price last_px = 0;
  int ord_rej_reason = -1;  // FIX OrdRejReason(103), rejections only
  std::string_view text;    // why, for people; empty for none
  Timestamp transact_time = 0;
  RejectReason reject_reason = RejectReason::kNone;  // the engine's, when it rejected
  bool maker = false;                                // trades: the order was the resting one
};

// A cancel or replace that was refused.
struct CancelRejectDetail {
  std::string_view cl_ord_id;  // the request's
  std::string_view orig_cl_ord_id;
  const TrackedOrder* order = nullptr;  // nullptr: no such open order
  bool replace = false;
  int reason = 99;  // FIX CxlRejReason(102): 0 too late, 1 unknown order, 99 other
  std::string_view text;
};

// The answer to a mass cancel: how many open orders it reaches, or why not.
struct MassCancelDetail {
  std::string_view cl_ord_id;
  const InstrumentConfig* instrument = nullptr;  // nullptr: every symbol
  int affected = 0;
  std::string_view reject_text;  // non-empty: refused
};

class OrderOwner {
 public:
  virtual ~OrderOwner() = default;
  // The account every order of this owner trades for.
  virtual AccountId account() const = 0;
  // Unique among the gateway's owners; journaled with each order, so a
  // restarted gateway finds the owner again.
  virtual const std::string& name() const = 0;
  virtual void Report(const TrackedOrder& order, const ReportDetail& detail,
                      std::int64_t now_ns) = 0;
  virtual void CancelRejected(const CancelRejectDetail& detail, std::int64_t now_ns) = 0;
  virtual void MassCancelReported(const MassCancelDetail& detail, std::int64_t now_ns) = 0;
  // An open order of this owner taken back from the journal by a restarted
  // gateway (OrderRouter::Restore); reports about it follow as for any.
  virtual void Restored(const TrackedOrder& order) { (void)order; }
};

}  // namespace exchange::fix
