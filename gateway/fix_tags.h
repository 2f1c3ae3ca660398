// FIX 4.4 tag numbers and message types the gateway reads or writes, and the
// enumerated values it uses. Only what this gateway speaks; see README.md
// ("FIX 4.4 mapping") for how they map onto engine commands and events.
//
// Constants: any thread.
#pragma once

#include <string_view>

namespace exchange::fix {

inline constexpr std::string_view kBeginString = "FIX.4.4";

namespace tag {
inline constexpr int kAccount = 1;
inline constexpr int kAvgPx = 6;
inline constexpr int kBeginSeqNo = 7;
inline constexpr int kBeginString = 8;
inline constexpr int kBodyLength = 9;
inline constexpr int kCheckSum = 10;
inline constexpr int kClOrdID = 11;
inline constexpr int kCumQty = 14;
inline constexpr int kEndSeqNo = 16;
inline constexpr int kExecID = 17;
inline constexpr int kExecInst = 18;
inline constexpr int kMsgSeqNum = 34;
inline constexpr int kMsgType = 35;
inline constexpr int kNewSeqNo = 36;
inline constexpr int kOrderID = 37;
inline constexpr int kOrderQty = 38;
inline constexpr int kOrdStatus = 39;
inline constexpr int kOrdType = 40;
inline constexpr int kOrigClOrdID = 41;
inline constexpr int kPossDupFlag = 43;
inline constexpr int kPrice = 44;
inline constexpr int kRefSeqNum = 45;
inline constexpr int kSenderCompID = 49;
inline constexpr int kSendingTime = 52;
inline constexpr int kSide = 54;
inline constexpr int kSymbol = 55;
inline constexpr int kTargetCompID = 56;
inline constexpr int kText = 58;
inline constexpr int kTimeInForce = 59;
inline constexpr int kTransactTime = 60;
inline constexpr int kStopPx = 99;
inline constexpr int kOrdRejReason = 103;
inline constexpr int kHeartBtInt = 108;
inline constexpr int kMaxFloor = 111;
inline constexpr int kTestReqID = 112;
inline constexpr int kOrigSendingTime = 122;
inline constexpr int kGapFillFlag = 123;
inline constexpr int kResetSeqNumFlag = 141;
inline constexpr int kExecType = 150;
inline constexpr int kLeavesQty = 151;
inline constexpr int kCxlRejReason = 102;
inline constexpr int kCxlRejResponseTo = 434;
inline constexpr int kRefTagID = 371;
inline constexpr int kRefMsgType = 372;
inline constexpr int kSessionRejectReason = 373;
inline constexpr int kBusinessRejectRefID = 379;
inline constexpr int kBusinessRejectReason = 380;
inline constexpr int kLastPx = 31;
inline constexpr int kLastQty = 32;
inline constexpr int kPassword = 554;
inline constexpr int kUsername = 553;
inline constexpr int kMassCancelRequestType = 530;
inline constexpr int kMassCancelResponse = 531;
inline constexpr int kMassCancelRejectReason = 532;
inline constexpr int kTotalAffectedOrders = 533;
inline constexpr int kSelfTradePreventionMode = 7928;  // user-defined: see README.md
}  // namespace tag

namespace msg {
inline constexpr std::string_view kHeartbeat = "0";
inline constexpr std::string_view kTestRequest = "1";
inline constexpr std::string_view kResendRequest = "2";
inline constexpr std::string_view kReject = "3";
inline constexpr std::string_view kSequenceReset = "4";
inline constexpr std::string_view kLogout = "5";
inline constexpr std::string_view kExecutionReport = "8";
inline constexpr std::string_view kOrderCancelReject = "9";
inline constexpr std::string_view kLogon = "A";
inline constexpr std::string_view kNewOrderSingle = "D";
inline constexpr std::string_view kOrderCancelRequest = "F";
inline constexpr std::string_view kOrderCancelReplaceRequest = "G";
inline constexpr std::string_view kBusinessMessageReject = "j";
inline constexpr std::string_view kOrderMassCancelRequest = "q";
inline constexpr std::string_view kOrderMassCancelReport = "r";

// Session-level messages (everything else is an application message).
inline bool IsAdmin(std::string_view type) {
  return type.size() == 1 && (type[0] == '0' || type[0] == '1' || type[0] == '2' ||
                              type[0] == '3' || type[0] == '4' || type[0] == '5' || type[0] == 'A');
}
}  // namespace msg

// SessionRejectReason (373) values used.
namespace session_reject {
inline constexpr int kInvalidTagNumber = 0;
inline constexpr int kRequiredTagMissing = 1;
inline constexpr int kTagNotDefinedForMessage = 2;
inline constexpr int kUndefinedTag = 3;
inline constexpr int kTagWithoutValue = 4;
inline constexpr int kValueIncorrect = 5;
inline constexpr int kIncorrectDataFormat = 6;
inline constexpr int kCompIdProblem = 9;
inline constexpr int kSendingTimeAccuracy = 10;
inline constexpr int kInvalidMsgType = 11;
inline constexpr int kTagRepeated = 13;
inline constexpr int kTagOutOfOrder = 14;
inline constexpr int kOther = 99;
}  // namespace session_reject

// BusinessRejectReason (380) values used.
namespace business_reject {
inline constexpr int kOther = 0;
inline constexpr int kUnknownId = 1;
inline constexpr int kUnknownSecurity = 2;
inline constexpr int kUnsupportedMessageType = 3;
inline constexpr int kApplicationNotAvailable = 4;
inline constexpr int kConditionallyRequiredFieldMissing = 5;
inline constexpr int kNotAuthorized = 6;
}  // namespace business_reject

}  // namespace exchange::fix
