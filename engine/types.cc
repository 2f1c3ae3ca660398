#include "engine/types.h"

namespace exchange {

std::string_view ToString(Side s) {
  return s == Side::kBuy ? "B" : "S";
}

std::string_view ToString(OrderType t) {
  switch (t) {
    case OrderType::kLimit: return "LIMIT";
    case OrderType::kMarket: return "MARKET";
    case OrderType::kPostOnly: return "POST_ONLY";
    case OrderType::kStop: return "STOP";
    case OrderType::kStopLimit: return "STOP_LIMIT";
    case OrderType::kIceberg: return "ICEBERG";
  }
  return "?";
}

std::string_view ToString(TimeInForce t) {
  switch (t) {
    case TimeInForce::kGtc: return "GTC";
    case TimeInForce::kIoc: return "IOC";
    case TimeInForce::kFok: return "FOK";
  }
  return "?";
}

std::string_view ToString(StpMode m) {
  switch (m) {
    case StpMode::kInstrumentDefault: return "DEFAULT";
    case StpMode::kCancelResting: return "CANCEL_RESTING";
    case StpMode::kCancelIncoming: return "CANCEL_INCOMING";
    case StpMode::kCancelBoth: return "CANCEL_BOTH";
  }
  return "?";
}

std::string_view ToString(RejectReason r) {
  switch (r) {
    case RejectReason::kNone: return "NONE";
    case RejectReason::kUnknownSymbol: return "UNKNOWN_SYMBOL";
    case RejectReason::kHalted: return "HALTED";
    case RejectReason::kPriceNotOnTick: return "PRICE_NOT_ON_TICK";
    case RejectReason::kPriceOutsideBand: return "PRICE_OUTSIDE_BAND";
    case RejectReason::kQuantityNotOnLot: return "QUANTITY_NOT_ON_LOT";
    case RejectReason::kQuantityOutOfRange: return "QUANTITY_OUT_OF_RANGE";
    case RejectReason::kUnknownOrder: return "UNKNOWN_ORDER";
    case RejectReason::kNotYourOrder: return "NOT_YOUR_ORDER";
    case RejectReason::kDuplicateClientOrderId: return "DUPLICATE_CLIENT_ORDER_ID";
    case RejectReason::kPostOnlyWouldTrade: return "POST_ONLY_WOULD_TRADE";
    case RejectReason::kFokCannotFill: return "FOK_CANNOT_FILL";
    case RejectReason::kNoLiquidity: return "NO_LIQUIDITY";
    case RejectReason::kInvalidStopPrice: return "INVALID_STOP_PRICE";
    case RejectReason::kInvalidPrice: return "INVALID_PRICE";
    case RejectReason::kInvalidDisplayQuantity: return "INVALID_DISPLAY_QUANTITY";
    case RejectReason::kInvalidOrder: return "INVALID_ORDER";
    case RejectReason::kDuplicateSymbol: return "DUPLICATE_SYMBOL";
    case RejectReason::kInvalidInstrument: return "INVALID_INSTRUMENT";
    case RejectReason::kInsufficientFunds: return "INSUFFICIENT_FUNDS";
    case RejectReason::kUnknownAsset: return "UNKNOWN_ASSET";
    case RejectReason::kDuplicateTransfer: return "DUPLICATE_TRANSFER";
    case RejectReason::kInvalidAmount: return "INVALID_AMOUNT";
    case RejectReason::kInvalidFeeSchedule: return "INVALID_FEE_SCHEDULE";
    case RejectReason::kReservedAccount: return "RESERVED_ACCOUNT";
    case RejectReason::kDuplicateAsset: return "DUPLICATE_ASSET";
  }
  return "?";
}

std::string_view ToString(CancelReason r) {
  switch (r) {
    case CancelReason::kNone: return "NONE";
    case CancelReason::kUserRequest: return "USER_REQUEST";
    case CancelReason::kMassCancel: return "MASS_CANCEL";
    case CancelReason::kIocRemainder: return "IOC_REMAINDER";
    case CancelReason::kSelfTrade: return "SELF_TRADE";
    case CancelReason::kProtectionReached: return "PROTECTION_REACHED";
    case CancelReason::kNoLiquidity: return "NO_LIQUIDITY";
    case CancelReason::kFokCannotFill: return "FOK_CANNOT_FILL";
  }
  return "?";
}

std::string_view ToString(RiskMode m) {
  return m == RiskMode::kCash ? "cash" : "none";
}

std::string_view ToString(BalanceReason r) {
  switch (r) {
    case BalanceReason::kDeposit: return "DEPOSIT";
    case BalanceReason::kWithdraw: return "WITHDRAW";
    case BalanceReason::kHold: return "HOLD";
    case BalanceReason::kRelease: return "RELEASE";
    case BalanceReason::kTrade: return "TRADE";
    case BalanceReason::kFee: return "FEE";
    case BalanceReason::kRounding: return "ROUNDING";
  }
  return "?";
}

std::optional<RiskMode> ParseRiskMode(std::string_view s) {
  if (s == "cash") return RiskMode::kCash;
  if (s == "none") return RiskMode::kNone;
  return std::nullopt;
}

std::optional<CancelReason> ParseCancelReason(std::string_view s) {
  for (int r = 0; r <= static_cast<int>(CancelReason::kFokCannotFill); ++r) {
    const auto reason = static_cast<CancelReason>(r);
    if (ToString(reason) == s) return reason;
  }
  return std::nullopt;
}

std::optional<Side> ParseSide(std::string_view s) {
  if (s == "B" || s == "BUY") return Side::kBuy;
  if (s == "S" || s == "SELL") return Side::kSell;
  return std::nullopt;
}

std::optional<OrderType> ParseOrderType(std::string_view s) {
  for (auto t : {OrderType::kLimit, OrderType::kMarket, OrderType::kPostOnly, OrderType::kStop,
                 OrderType::kStopLimit, OrderType::kIceberg}) {
    if (ToString(t) == s) return t;
  }
  return std::nullopt;
}

std::optional<TimeInForce> ParseTimeInForce(std::string_view s) {
  for (auto t : {TimeInForce::kGtc, TimeInForce::kIoc, TimeInForce::kFok}) {
    if (ToString(t) == s) return t;
  }
  return std::nullopt;
}

std::optional<StpMode> ParseStpMode(std::string_view s) {
  for (auto m : {StpMode::kInstrumentDefault, StpMode::kCancelResting, StpMode::kCancelIncoming,
                 StpMode::kCancelBoth}) {
    if (ToString(m) == s) return m;
  }
  return std::nullopt;
}

}  // namespace exchange
