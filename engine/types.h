// Core value types of the matching engine: identifiers, fixed-point prices and
// quantities, and the small enumerations every command and event uses.
//
// Prices and quantities are int64 fixed-point integers in the instrument's own
// units (for example price × 10,000); the engine never uses floating point.
// Plain values: any thread may use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace exchange {

using Price = std::int64_t;           // fixed-point price, instrument units
using Quantity = std::int64_t;        // fixed-point quantity, instrument units
using AccountId = std::uint32_t;      // trading account
using ClientOrderId = std::uint64_t;  // the client's id, unique per account among live orders
using OrderId = std::uint64_t;        // exchange order id, assigned by the engine
using SymbolId = std::uint32_t;       // index of an instrument inside one engine
using Sequence = std::uint64_t;       // engine event sequence number, starts at 1
using Timestamp = std::int64_t;       // nanoseconds since the Unix epoch, taken from commands
using AssetId = std::uint16_t;        // index of an asset inside one engine
using TransferId = std::uint64_t;     // a deposit's or withdrawal's id, unique forever
using Amount = std::int64_t;          // fixed-point, in the asset's own units

inline constexpr SymbolId kAllSymbols = UINT32_MAX;  // mass cancel over every symbol
inline constexpr SymbolId kUnknownSymbol = UINT32_MAX - 1;
inline constexpr AssetId kUnknownAsset = UINT16_MAX;

// Accounts the engine itself owns under "cash" risk: fees (and the rebates
// paid from them) and rounding residues. They cannot place orders.
inline constexpr AccountId kFeeAccount = UINT32_MAX;
inline constexpr AccountId kRoundingAccount = UINT32_MAX - 1;
inline constexpr bool IsReservedAccount(AccountId a) {
  return a >= kRoundingAccount;
}

// Pre-trade risk of one instrument. kNone: pure matching, no balances (LOBSTER
// replay, benchmarks, venues that clear elsewhere). kCash: spot, every order
// holds what it could cost and every trade settles (README.md, "Cash risk").
enum class RiskMode : std::uint8_t { kNone = 0, kCash = 1 };

enum class Side : std::uint8_t { kBuy = 0, kSell = 1 };

inline constexpr Side Opposite(Side s) {
  return s == Side::kBuy ? Side::kSell : Side::kBuy;
}

enum class OrderType : std::uint8_t {
  kLimit = 0,
  kMarket = 1,
  kPostOnly = 2,
  kStop = 3,       // becomes MARKET when triggered
  kStopLimit = 4,  // becomes LIMIT when triggered
  kIceberg = 5,    // LIMIT that shows only display_qty at a time
};

enum class TimeInForce : std::uint8_t { kGtc = 0, kIoc = 1, kFok = 2 };

// Self-trade prevention: what happens when an incoming order meets a resting
// order of the same account. kInstrumentDefault takes the instrument's mode.
enum class StpMode : std::uint8_t {
  kInstrumentDefault = 0,
  kCancelResting = 1,
  kCancelIncoming = 2,
  kCancelBoth = 3,
};

// Why a command was refused. Every rejection carries exactly one of these.
enum class RejectReason : std::uint8_t {
  kNone = 0,
  kUnknownSymbol,
  kHalted,
  kPriceNotOnTick,
  kPriceOutsideBand,
  kQuantityNotOnLot,
  kQuantityOutOfRange,
  kUnknownOrder,
  kNotYourOrder,
  kDuplicateClientOrderId,
  kPostOnlyWouldTrade,
  kFokCannotFill,
  kNoLiquidity,
  kInvalidStopPrice,
  kInvalidPrice,            // limit price missing or not positive
  kInvalidDisplayQuantity,  // iceberg display quantity not positive, off lot or above total
  kInvalidOrder,            // a field holds a value outside its enumeration
  kDuplicateSymbol,         // add instrument: the symbol exists already
  kInvalidInstrument,       // add instrument: tick, lot or limits not positive or inconsistent
  kInsufficientFunds,       // cash risk: the hold (or withdrawal) exceeds what is available
  kUnknownAsset,            // deposit, withdrawal or instrument names no known asset
  kDuplicateTransfer,       // a deposit or withdrawal id that applied before
  kInvalidAmount,           // a transfer amount not positive, or a sum past int64
  kInvalidFeeSchedule,      // fee rates out of range
  kReservedAccount,         // an order from the fee or rounding account
  kDuplicateAsset,          // add asset: the name exists already
};

// Why a balance changed (a BALANCE event, a ledger row).
enum class BalanceReason : std::uint8_t {
  kDeposit = 0,
  kWithdraw = 1,
  kHold = 2,      // an order reserved funds (entry, or a replace up)
  kRelease = 3,   // an order gave funds back (cancel, remainder, replace down, over-reservation)
  kTrade = 4,     // one side of a trade's settlement, net of its fee
  kFee = 5,       // the fee account's side: fees in, rebates out
  kRounding = 6,  // the rounding account's side: the residue of a trade's notional
};

// Why a live order left the book without being filled.
enum class CancelReason : std::uint8_t {
  kNone = 0,
  kUserRequest,        // cancel command
  kMassCancel,         // mass cancel command
  kIocRemainder,       // IOC, FOK or MARKET remainder
  kSelfTrade,          // self-trade prevention
  kProtectionReached,  // MARKET order stopped at its protection price
  kNoLiquidity,        // triggered STOP found no opposite liquidity
  kFokCannotFill,      // triggered FOK STOP_LIMIT could not fill completely
};

std::string_view ToString(Side s);
std::string_view ToString(OrderType t);
std::string_view ToString(TimeInForce t);
std::string_view ToString(StpMode m);
std::string_view ToString(RejectReason r);
std::string_view ToString(CancelReason r);
std::string_view ToString(RiskMode m);
std::string_view ToString(BalanceReason r);

// Parsers for the names above (as used in CSV and TOML files); nullopt when unknown.
std::optional<Side> ParseSide(std::string_view s);
std::optional<OrderType> ParseOrderType(std::string_view s);
std::optional<TimeInForce> ParseTimeInForce(std::string_view s);
std::optional<StpMode> ParseStpMode(std::string_view s);
std::optional<RiskMode> ParseRiskMode(std::string_view s);          // "cash", "none"
std::optional<CancelReason> ParseCancelReason(std::string_view s);  // ToString's names

}  // namespace exchange
