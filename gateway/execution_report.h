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
#include "gateway/order_owner.h"
#include "gateway/tracked_order.h"

namespace exchange::fix {

// OrdStatus(39) of the order as it stands (after the event was applied).
char OrdStatusOf(const TrackedOrder& order, char exec_type);

// The cancels that end an order as expired rather than cancelled (IOC, FOK
// and MARKET remainders, protection, a triggered stop without liquidity).
bool IsExpiry(CancelReason reason);

// Adds the body of an ExecutionReport for `order` (fields as documented).
void AddExecutionReport(FixWriter& w, const TrackedOrder& order, const ReportDetail& detail,
                        std::uint32_t account);

// AvgPx(6) text: notional / cum_qty with the price's decimals plus four,
// trailing zeros dropped; "0" before the first fill.
std::string AveragePrice(__int128 notional, Quantity cum_qty, int price_decimals);

}  // namespace exchange::fix
