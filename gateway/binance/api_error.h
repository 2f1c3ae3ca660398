// ApiError: an answer of the Binance-compatible API that refuses a request,
// with Binance's HTTP status, error code and message
// ({"code":-1022,"msg":"Signature for this request is not valid."}). The
// codes are Binance's (its spot API's errors document); messages keep
// Binance's text where clients match on it and add what to fix.
//
// Plain values; any thread.
#pragma once

#include <string>

#include "gateway/binance/api_http.h"

namespace exchange::binance {

struct ApiError {
  unsigned status = 400;
  int code = -1000;
  std::string msg;
};

namespace api_code {
inline constexpr int kUnknown = -1000;
inline constexpr int kDisconnected = -1001;  // the broker is unreachable
inline constexpr int kTooManyRequests = -1003;
inline constexpr int kTimeout = -1007;     // the engine did not answer in time
inline constexpr int kServerBusy = -1008;  // too many history reads waiting
inline constexpr int kUnsupportedOperation = -1014;
inline constexpr int kTooManyOrders = -1015;
inline constexpr int kTimestampOutsideWindow = -1021;
inline constexpr int kInvalidSignature = -1022;
inline constexpr int kIllegalChars = -1100;
inline constexpr int kTooManyParameters = -1101;
inline constexpr int kMandatoryParamMissing = -1102;
inline constexpr int kUnknownParam = -1103;
inline constexpr int kUnreadParameters = -1104;
inline constexpr int kParamEmpty = -1105;
inline constexpr int kParamNotRequired = -1106;
inline constexpr int kInvalidTimeInForce = -1115;
inline constexpr int kInvalidOrderType = -1116;
inline constexpr int kInvalidSide = -1117;
inline constexpr int kBadSymbol = -1121;
inline constexpr int kInvalidParameter = -1130;
inline constexpr int kBadRecvWindow = -1131;
inline constexpr int kInvalidListenKey = -1125;
inline constexpr int kLookbackTooLong = -1127;
inline constexpr int kFilterFailure = -1013;
inline constexpr int kNewOrderRejected = -2010;
inline constexpr int kCancelRejected = -2011;
inline constexpr int kNoSuchOrder = -2013;
inline constexpr int kCancelReplacePartlyFailed = -2021;
inline constexpr int kCancelReplaceFailed = -2022;
inline constexpr int kBadApiKeyFormat = -2014;
inline constexpr int kRejectedMbxKey = -2015;
}  // namespace api_code

// The JSON body of `e`.
std::string ErrorBody(const ApiError& e);
// The answer that refuses with `e`.
ApiResponse ErrorResponse(const ApiError& e);

}  // namespace exchange::binance
