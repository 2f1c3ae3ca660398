// Writing the gateway's outgoing order messages: ExecutionReport(35=8) from a
// TrackedOrder and the event that changed it, OrderCancelReject(35=9) and
// OrderMassCancelReport(35=r). Which ExecType(150) and OrdStatus(39) each
// engine event gives is tabled in README.md ("FIX 4.4 mapping").
//
// Pure functions over a FixWriter the caller has started: any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/event.h"
#include "gateway/fix_writer.h"
#include "gateway/tracked_order.h"

namespace exchange::fix {

namespace exec_type {
inline constexpr char kNew = '0';
inline constexpr char kCanceled = '4';
inline constexpr char kReplaced = '5';
inline constexpr char kRejected = '8';
inline constexpr char kExpired = 'C';
inline constexpr char kRestated = 'D';  // a stop order triggered
inline constexpr char kTrade = 'F';
}  // namespace exec_type

// OrdStatus(39) of the order as it stands (after the event was applied).
char OrdStatusOf(const TrackedOrder& order, char exec_type);

struct ReportDetail {
  char exec_type = exec_type::kNew;
  std::string_view exec_id;
  std::string_view cl_ord_id;       // 11: the request's, or the order's
  std::string_view orig_cl_ord_id;  // 41: empty for none
  Quantity last_qty = 0;            // trades
  Price last_px = 0;
  int ord_rej_reason = -1;  // 103, rejections only
  std::string_view text;    // 58, empty for none
  Timestamp transact_time = 0;
};

// Adds the body of an ExecutionReport for `order` (fields as documented).
void AddExecutionReport(FixWriter& w, const TrackedOrder& order, const ReportDetail& detail,
                        std::uint32_t account);

// AvgPx(6) text: notional / cum_qty with the price's decimals plus four,
// trailing zeros dropped; "0" before the first fill.
std::string AveragePrice(__int128 notional, Quantity cum_qty, int price_decimals);

}  // namespace exchange::fix
