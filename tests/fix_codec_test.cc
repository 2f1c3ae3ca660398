// Tests of the FIX 4.4 codec (gateway/fix_message.h, fix_writer.h,
// fix_decimal.h): every message type round-trips through FixWriter,
// FrameMessage and FixMessage::Parse; one message is checked byte for byte;
// every framing and parsing error has its status, skip length and reason; a
// stream split anywhere frames the same; (rapidcheck) random field lists
// round-trip and random or mutated bytes never crash the framer or the
// parser; decimals and UTCTimestamps round-trip and refuse what they must.
// Set RC_PARAMS="max_success=N" to change the number of cases per property,
// RC_PARAMS="seed=S" to reproduce a run.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/fix_decimal.h"
#include "gateway/fix_message.h"
#include "gateway/fix_tags.h"
#include "gateway/fix_writer.h"
#include "tests/property_check.h"

namespace exchange::fix {
namespace {

constexpr std::int64_t kMinInt64 = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

// 2024-01-02 03:04:05.678999999 UTC.
constexpr std::int64_t kSomeTime = 1'704'164'645'678'999'999;

// ------------------------------------------------------------------ helpers

// `text` with every '|' made SOH, so messages can be written readably.
std::string Soh(std::string_view text) {
  std::string bytes(text);
  for (char& c : bytes) {
    if (c == '|') c = kSoh;
  }
  return bytes;
}

// The sum of the bytes mod 256, computed here independently of Checksum().
int SumOfBytes(std::string_view bytes) {
  int sum = 0;
  for (unsigned char c : bytes)
    sum = (sum + c) % 256;
  return sum;
}

std::string ThreeDigits(int value) {
  std::string text = std::to_string(value);
  while (text.size() < 3)
    text.insert(text.begin(), '0');
  return text;
}

// A whole message around `body` ('|' for SOH): begin string, the right
// BodyLength and the right CheckSum.
std::string Framed(std::string_view body) {
  const std::string soh_body = Soh(body);
  std::string message = Soh("8=FIX.4.4|9=");
  message += std::to_string(soh_body.size());
  message += kSoh;
  message += soh_body;
  const int sum = SumOfBytes(message);
  message += "10=";
  message += ThreeDigits(sum);
  message += kSoh;
  return message;
}

// A small valid message.
std::string SomeMessage(std::string_view seq = "1") {
  std::string body = "35=0|49=EXCH|56=CLIENT1|34=";
  body += seq;
  body += "|52=20240102-03:04:05.678|";
  return Framed(body);
}

// The fields of `message` as (tag, value) pairs.
std::vector<std::pair<int, std::string>> FieldsOf(const FixMessage& message) {
  std::vector<std::pair<int, std::string>> fields;
  for (const Field& f : message)
    fields.emplace_back(f.tag, std::string(f.value));
  return fields;
}

// Consumes `stream` as a gateway would: frames, skipping garbled bytes.
struct Framings {
  std::vector<std::string> messages;  // the complete ones, in order
  std::vector<std::string> errors;    // of the garbled ones
  std::size_t left = 0;               // bytes left waiting for more
};

Framings FrameAll(std::string_view stream) {
  Framings result;
  while (!stream.empty()) {
    const Frame frame = FrameMessage(stream);
    if (frame.status == FrameStatus::kIncomplete) break;
    if (frame.status == FrameStatus::kComplete) {
      result.messages.emplace_back(stream.substr(0, frame.length));
    } else {
      result.errors.push_back(frame.error);
    }
    stream.remove_prefix(frame.length);
  }
  result.left = stream.size();
  return result;
}

void ExpectGarbled(const Frame& frame, std::size_t length, std::string_view error) {
  EXPECT_EQ(frame.status, FrameStatus::kGarbled);
  EXPECT_EQ(frame.length, length);
  EXPECT_EQ(frame.error, error);
}

void ExpectParseError(std::string_view bytes, int ref_tag, int reason, std::string_view text) {
  FixMessage message;
  const std::optional<ParseError> error = message.Parse(bytes);
  ASSERT_TRUE(error.has_value()) << Printable(bytes);
  EXPECT_EQ(error->ref_tag, ref_tag) << Printable(bytes);
  EXPECT_EQ(error->session_reject_reason, reason) << Printable(bytes);
  EXPECT_EQ(error->text, text) << Printable(bytes);
}

std::int64_t ValueOf(const std::variant<std::int64_t, DecimalError>& parsed) {
  if (const auto* error = std::get_if<DecimalError>(&parsed)) {
    ADD_FAILURE() << error->text;
    return 0;
  }
  return std::get<std::int64_t>(parsed);
}

std::string ErrorOf(const std::variant<std::int64_t, DecimalError>& parsed) {
  if (const auto* error = std::get_if<DecimalError>(&parsed)) return error->text;
  ADD_FAILURE() << "parsed as " << std::get<std::int64_t>(parsed);
  return {};
}

// ------------------------------------------------------------------ writer

TEST(FixWriter, WritesTheExactBytesWithLengthAndChecksum) {
  FixWriter writer;
  writer.Start(msg::kHeartbeat, "EXCH", "CLIENT1", 7, kSomeTime);
  writer.Add(tag::kTestReqID, "T1");
  const std::string_view message = writer.Finish();

  const std::string body = Soh("35=0|49=EXCH|56=CLIENT1|34=7|52=20240102-03:04:05.678|112=T1|");
  ASSERT_EQ(body.size(), 61u);
  const std::string before_checksum = Soh("8=FIX.4.4|9=61|") + body;
  const std::string expected =
      before_checksum + "10=" + ThreeDigits(SumOfBytes(before_checksum)) + std::string(1, kSoh);
  EXPECT_EQ(Printable(message), Printable(expected));
  EXPECT_EQ(Checksum(before_checksum), SumOfBytes(before_checksum));
}

TEST(FixWriter, FormatsEachValueKind) {
  FixWriter writer;
  writer.Start(msg::kExecutionReport, "EXCH", "C", 18'446'744'073'709'551'615u, 0);
  writer.Add(tag::kCumQty, 100);
  writer.Add(tag::kLeavesQty, kMinInt64);
  writer.Add(tag::kSide, '2');
  writer.AddDecimal(tag::kPrice, -5, 2);
  writer.AddDecimal(tag::kAvgPx, 12345, 0);
  writer.AddTime(tag::kTransactTime, -1);  // a millisecond before the epoch
  FixMessage message;
  const std::string bytes(writer.Finish());
  ASSERT_EQ(FrameMessage(bytes).status, FrameStatus::kComplete) << Printable(bytes);
  ASSERT_FALSE(message.Parse(bytes).has_value());
  EXPECT_EQ(message.Get(tag::kMsgSeqNum), "18446744073709551615");
  EXPECT_EQ(message.Get(tag::kSendingTime), "19700101-00:00:00.000");
  EXPECT_EQ(message.Get(tag::kCumQty), "100");
  EXPECT_EQ(message.Get(tag::kLeavesQty), "-9223372036854775808");
  EXPECT_EQ(message.Get(tag::kSide), "2");
  EXPECT_EQ(message.Get(tag::kPrice), "-0.05");
  EXPECT_EQ(message.Get(tag::kAvgPx), "12345");
  EXPECT_EQ(message.Get(tag::kTransactTime), "19691231-23:59:59.999");
}

TEST(FixWriter, ReusesItsBufferForTheNextMessage) {
  FixWriter writer;
  writer.Start(msg::kTestRequest, "EXCH", "C", 1, kSomeTime);
  writer.Add(tag::kText, std::string(3000, 'x'));
  const std::string big(writer.Finish());
  writer.Start(msg::kHeartbeat, "EXCH", "C", 2, kSomeTime);
  const std::string small(writer.Finish());
  EXPECT_EQ(FrameMessage(big).status, FrameStatus::kComplete);
  EXPECT_EQ(FrameMessage(small).length, small.size());
  FixMessage message;
  ASSERT_FALSE(message.Parse(small).has_value());
  EXPECT_FALSE(message.Has(tag::kText));
  EXPECT_EQ(message.seq_num(), 2);
}

// Each message type of fix_tags.h, with typical fields, through writer,
// framer and parser.
struct TypeCase {
  std::string_view type;
  std::vector<std::pair<int, std::string>> fields;
};

std::vector<TypeCase> OneOfEachType() {
  return {
      {msg::kHeartbeat, {{tag::kTestReqID, "TR1"}}},
      {msg::kTestRequest, {{tag::kTestReqID, "TR1"}}},
      {msg::kResendRequest, {{tag::kBeginSeqNo, "5"}, {tag::kEndSeqNo, "0"}}},
      {msg::kReject,
       {{tag::kRefSeqNum, "4"},
        {tag::kRefTagID, "44"},
        {tag::kRefMsgType, "D"},
        {tag::kSessionRejectReason, "5"},
        {tag::kText, "Price(44) 1.005 has more than 2 decimals"}}},
      {msg::kSequenceReset, {{tag::kGapFillFlag, "Y"}, {tag::kNewSeqNo, "10"}}},
      {msg::kLogout, {{tag::kText, "bye"}}},
      {msg::kExecutionReport,
       {{tag::kOrderID, "17"},
        {tag::kClOrdID, "c-1"},
        {tag::kExecID, "E9"},
        {tag::kExecType, "F"},
        {tag::kOrdStatus, "1"},
        {tag::kSymbol, "BTC-USD"},
        {tag::kSide, "1"},
        {tag::kLastPx, "100.25"},
        {tag::kLastQty, "3"},
        {tag::kLeavesQty, "7"},
        {tag::kCumQty, "3"},
        {tag::kAvgPx, "100.25"}}},
      {msg::kOrderCancelReject,
       {{tag::kOrderID, "NONE"},
        {tag::kClOrdID, "c-2"},
        {tag::kOrigClOrdID, "c-1"},
        {tag::kOrdStatus, "8"},
        {tag::kCxlRejResponseTo, "1"},
        {tag::kCxlRejReason, "1"}}},
      {msg::kLogon,
       {{tag::kHeartBtInt, "30"},
        {tag::kResetSeqNumFlag, "Y"},
        {tag::kUsername, "u"},
        {tag::kPassword, "secret=with=equals"}}},
      {msg::kNewOrderSingle,
       {{tag::kClOrdID, "c-1"},
        {tag::kAccount, "12"},
        {tag::kSymbol, "BTC-USD"},
        {tag::kSide, "1"},
        {tag::kTransactTime, "20240102-03:04:05.678"},
        {tag::kOrderQty, "10"},
        {tag::kOrdType, "2"},
        {tag::kPrice, "100.50"},
        {tag::kTimeInForce, "1"},
        {tag::kExecInst, "6"},
        {tag::kMaxFloor, "2"},
        {tag::kSelfTradePreventionMode, "1"}}},
      {msg::kOrderCancelRequest,
       {{tag::kOrigClOrdID, "c-1"},
        {tag::kClOrdID, "c-2"},
        {tag::kSymbol, "BTC-USD"},
        {tag::kSide, "1"}}},
      {msg::kOrderCancelReplaceRequest,
       {{tag::kOrigClOrdID, "c-2"},
        {tag::kClOrdID, "c-3"},
        {tag::kSymbol, "BTC-USD"},
        {tag::kSide, "1"},
        {tag::kOrderQty, "5"},
        {tag::kOrdType, "4"},
        {tag::kPrice, "101"},
        {tag::kStopPx, "100.75"}}},
      {msg::kBusinessMessageReject,
       {{tag::kRefSeqNum, "3"},
        {tag::kRefMsgType, "D"},
        {tag::kBusinessRejectRefID, "c-1"},
        {tag::kBusinessRejectReason, "2"},
        {tag::kText, "Unknown symbol"}}},
      {msg::kOrderMassCancelRequest, {{tag::kClOrdID, "m-1"}, {tag::kMassCancelRequestType, "7"}}},
      {msg::kOrderMassCancelReport,
       {{tag::kClOrdID, "m-1"},
        {tag::kOrderID, "m-1"},
        {tag::kMassCancelRequestType, "7"},
        {tag::kMassCancelResponse, "7"},
        {tag::kTotalAffectedOrders, "12"},
        {tag::kMassCancelRejectReason, "0"}}},
  };
}

TEST(FixCodec, EveryMessageTypeRoundTrips) {
  FixWriter writer;
  std::uint64_t seq = 1;
  for (const TypeCase& c : OneOfEachType()) {
    SCOPED_TRACE(std::string(c.type));
    writer.Start(c.type, "EXCH", "CLIENT1", seq, kSomeTime);
    for (const auto& [tag, value] : c.fields)
      writer.Add(tag, value);
    const std::string bytes(writer.Finish());

    const Frame frame = FrameMessage(bytes);
    ASSERT_EQ(frame.status, FrameStatus::kComplete) << frame.error << " " << Printable(bytes);
    ASSERT_EQ(frame.length, bytes.size());
    FixMessage message;
    const std::optional<ParseError> error = message.Parse(bytes);
    ASSERT_FALSE(error.has_value()) << error->text;

    EXPECT_EQ(message.raw(), bytes);
    ASSERT_EQ(message.size(), 3 + 4 + c.fields.size() + 1);
    EXPECT_EQ(message.Get(tag::kBeginString), kBeginString);
    const std::size_t trailer_size = 7;  // "10=ddd<SOH>"
    EXPECT_EQ(message.GetInt(tag::kBodyLength),
              static_cast<std::int64_t>(bytes.size() - bytes.find("35=") - trailer_size));
    EXPECT_EQ(message.msg_type(), c.type);
    EXPECT_EQ(msg::IsAdmin(message.msg_type()), msg::IsAdmin(c.type));
    EXPECT_EQ(message.Get(tag::kSenderCompID), "EXCH");
    EXPECT_EQ(message.Get(tag::kTargetCompID), "CLIENT1");
    EXPECT_EQ(message.seq_num(), static_cast<std::int64_t>(seq));
    EXPECT_EQ(message.Get(tag::kSendingTime), "20240102-03:04:05.678");
    const Field* field = message.begin() + 7;
    for (const auto& [tag, value] : c.fields) {
      EXPECT_EQ(field->tag, tag);
      EXPECT_EQ(field->value, value);
      EXPECT_EQ(message.Get(tag), value);
      ++field;
    }
    EXPECT_EQ(field->tag, tag::kCheckSum);
    EXPECT_EQ(message.GetInt(tag::kCheckSum), SumOfBytes(bytes.substr(0, bytes.size() - 7)));
    ++seq;
  }
}

TEST(FixCodec, AdminTypesAreTheSessionOnes) {
  for (std::string_view type : {msg::kHeartbeat, msg::kTestRequest, msg::kResendRequest,
                                msg::kReject, msg::kSequenceReset, msg::kLogout, msg::kLogon}) {
    EXPECT_TRUE(msg::IsAdmin(type)) << type;
  }
  for (std::string_view type :
       {msg::kExecutionReport, msg::kOrderCancelReject, msg::kNewOrderSingle,
        msg::kOrderCancelRequest, msg::kOrderCancelReplaceRequest, msg::kBusinessMessageReject,
        msg::kOrderMassCancelRequest, msg::kOrderMassCancelReport, std::string_view("AA"),
        std::string_view()}) {
    EXPECT_FALSE(msg::IsAdmin(type)) << type;
  }
}

// ------------------------------------------------------------------ framing

TEST(FixFrame, CompleteMessage) {
  const std::string message = SomeMessage();
  const Frame frame = FrameMessage(message);
  EXPECT_EQ(frame.status, FrameStatus::kComplete);
  EXPECT_EQ(frame.length, message.size());
  EXPECT_EQ(frame.error, "");
  // Bytes after the message are not its business.
  EXPECT_EQ(FrameMessage(message + "garbage").length, message.size());
}

TEST(FixFrame, EveryPrefixIsIncomplete) {
  const std::string message = SomeMessage();
  for (std::size_t n = 0; n < message.size(); ++n) {
    const Frame frame = FrameMessage(std::string_view(message).substr(0, n));
    EXPECT_EQ(frame.status, FrameStatus::kIncomplete) << n << ": " << frame.error;
    EXPECT_EQ(frame.length, 0u);
  }
}

TEST(FixFrame, EmptyBodyFrames) {
  // Framing allows it; Parse then finds MsgType(35) missing.
  const std::string message = Framed("");
  EXPECT_EQ(FrameMessage(message).status, FrameStatus::kComplete);
  ExpectParseError(message, tag::kMsgType, session_reject::kRequiredTagMissing,
                   "MsgType(35) is missing");
}

TEST(FixFrame, WrongChecksumSkipsTheWholeFrame) {
  std::string message = SomeMessage();
  const int right = SumOfBytes(message.substr(0, message.size() - 7));
  const int wrong = (right + 1) % 256;
  message.replace(message.size() - 4, 3, ThreeDigits(wrong));
  ExpectGarbled(FrameMessage(message + SomeMessage("2")), message.size(),
                "CheckSum(10) is " + ThreeDigits(wrong) + ", computed " + std::to_string(right));
  // Above 255 cannot be right either.
  message.replace(message.size() - 4, 3, "999");
  EXPECT_EQ(FrameMessage(message).error, "CheckSum(10) is 999, computed " + std::to_string(right));
}

TEST(FixFrame, BodyLengthNotEndingAtCheckSumSkipsToTheNextMessage) {
  const std::string good = SomeMessage();
  const std::string next = SomeMessage("2");
  const std::size_t length_at = good.find("9=") + 2;
  const std::size_t body_length = good.size() - good.find("35=") - 7;
  for (const std::size_t claimed : {body_length - 1, body_length + 1, body_length - 10}) {
    SCOPED_TRACE(claimed);
    std::string bad = good;
    bad.replace(length_at, 2, std::to_string(claimed));
    ExpectGarbled(FrameMessage(bad + next), bad.size(),
                  "BodyLength(9) " + std::to_string(claimed) + " does not end at CheckSum(10)");
    EXPECT_EQ(FrameAll(bad + next).messages, std::vector<std::string>{next});
  }
  // Too long: decided only when the bytes arrive, and they may be the next message's.
  std::string bad = good;
  bad.replace(length_at, 2, std::to_string(body_length + 50));
  EXPECT_EQ(FrameMessage(bad).status, FrameStatus::kIncomplete);
  EXPECT_EQ(FrameMessage(bad + next).status, FrameStatus::kGarbled);
  EXPECT_EQ(FrameMessage(bad + next).length, bad.size());
}

// A message cut short and followed by the next one: the next is found as
// soon as its begin string arrives, not when the claimed length has.
TEST(FixFrame, AMessageCutShortGivesWayToTheNext) {
  const std::string good = SomeMessage("1");
  const std::string next = SomeMessage("2");
  const std::string cut = good.substr(0, good.find("52="));
  EXPECT_EQ(FrameMessage(cut + next.substr(0, 9)).status, FrameStatus::kIncomplete);
  ExpectGarbled(
      FrameMessage(cut + next.substr(0, 10)), cut.size(),
      "BodyLength(9) 54 runs into a BeginString(8) at offset " + std::to_string(cut.size()));
  const Framings framings = FrameAll(cut + next);
  EXPECT_EQ(framings.messages, std::vector<std::string>{next});
  EXPECT_EQ(framings.errors.size(), 1u);
  // Only after a SOH: inside a value, the text is just text.
  const std::string text_message = Framed("35=0|58=x8=FIX.4.4|");
  EXPECT_EQ(FrameMessage(text_message).status, FrameStatus::kComplete);
}

TEST(FixFrame, MissingSoh) {
  const std::string good = SomeMessage();
  // Before CheckSum: the body no longer ends where BodyLength says.
  std::string bad = good;
  bad.erase(good.find("10=") - 1, 1);
  ExpectGarbled(FrameMessage(bad), bad.size(), "BodyLength(9) 54 does not end at CheckSum(10)");
  // After BodyLength.
  bad = good;
  bad.erase(good.find("35=") - 1, 1);
  ExpectGarbled(FrameMessage(bad), bad.size(), "BodyLength(9) '5435=' is not a number");
  // After BeginString.
  bad = good;
  bad.erase(9, 1);
  ExpectGarbled(FrameMessage(bad), bad.size(),
                "No BeginString(8) FIX.4.4 at '8=FIX.4.49=54?35=0?49=EXCH?56=CL...': " +
                    std::to_string(bad.size()) + " bytes skipped");
  // At the end.
  bad = good;
  bad.back() = 'x';
  ExpectGarbled(FrameMessage(bad), bad.size(), "BodyLength(9) 54 does not end at CheckSum(10)");
}

TEST(FixFrame, MalformedCheckSumField) {
  const std::string good = SomeMessage();
  for (std::string_view trailer : {"11=123|", "10=12|x", "10=1234", "10=a23|", "1O=123|"}) {
    SCOPED_TRACE(trailer);
    std::string bad = good;
    bad.replace(bad.size() - 7, 7, Soh(trailer));
    EXPECT_EQ(FrameMessage(bad).error, "BodyLength(9) 54 does not end at CheckSum(10)");
  }
}

TEST(FixFrame, BadBodyLength) {
  const std::string rest = Soh("|35=0|10=000|");
  ExpectGarbled(FrameMessage(Soh("8=FIX.4.4|9=x5") + rest), 14 + rest.size(),
                "BodyLength(9) 'x' is not a number");
  ExpectGarbled(FrameMessage(Soh("8=FIX.4.4|9=-5") + rest), 14 + rest.size(),
                "BodyLength(9) '-' is not a number");
  ExpectGarbled(FrameMessage(Soh("8=FIX.4.4|9=") + rest), 12 + rest.size(),
                "BodyLength(9) is empty");
  ExpectGarbled(FrameMessage(Soh("8=FIX.4.4|10=5") + rest), 14 + rest.size(),
                "BodyLength(9) does not follow BeginString(8)");
  // Above kMaxMessageLength, even before the digits end.
  ExpectGarbled(FrameMessage(Soh("8=FIX.4.4|9=16385|")), 18,
                "BodyLength(9) 16385 is above the largest accepted, 16384");
  ExpectGarbled(FrameMessage(Soh("8=FIX.4.4|9=99999999999999999999999")), 35,
                "BodyLength(9) 99999999999999999999 is above the largest accepted, 16384");
  const Frame at_max = FrameMessage(Soh("8=FIX.4.4|9=16384|35=0|"));
  EXPECT_EQ(at_max.status, FrameStatus::kIncomplete);
  // The skip stops at the next message.
  const std::string next = SomeMessage();
  EXPECT_EQ(FrameMessage(Soh("8=FIX.4.4|9=1x|") + next).length, 15u);
}

TEST(FixFrame, BeginStringOtherThanFix44IsGarbled) {
  const std::string next = SomeMessage();
  std::string fix42 = next;
  fix42.replace(8, 1, "2");
  ExpectGarbled(FrameMessage(fix42 + next), fix42.size(),
                "No BeginString(8) FIX.4.4 at '8=FIX.4.2?9=54?35=0?49=EXCH?56=C...': " +
                    std::to_string(fix42.size()) + " bytes skipped");
  const Framings framings = FrameAll(fix42 + next);
  EXPECT_EQ(framings.messages, std::vector<std::string>{next});
}

TEST(FixFrame, GarbageBeforeAMessageIsSkipped) {
  const std::string message = SomeMessage();
  ExpectGarbled(FrameMessage("xyz" + message), 3,
                "No BeginString(8) FIX.4.4 at 'xyz': 3 bytes skipped");
  const Framings framings = FrameAll("\x01\x02junk8=FIX" + message + "more");
  EXPECT_EQ(framings.messages, std::vector<std::string>{message});
  EXPECT_EQ(framings.errors.size(), 2u);
  EXPECT_EQ(framings.left, 0u);
}

TEST(FixFrame, GarbageWithoutABeginStringIsSkippedButAPossibleBeginningIsKept) {
  ExpectGarbled(FrameMessage("abc"), 3, "No BeginString(8) FIX.4.4 at 'abc': 3 bytes skipped");
  // "8=FI" may be the start of the next message.
  ExpectGarbled(FrameMessage("abc8=FI"), 3, "No BeginString(8) FIX.4.4 at 'abc': 3 bytes skipped");
  EXPECT_EQ(FrameMessage("8=FI").status, FrameStatus::kIncomplete);
  ExpectGarbled(FrameMessage("8=FIX.4.2"), 9,
                "No BeginString(8) FIX.4.4 at '8=FIX.4.2': 9 bytes skipped");
  ExpectGarbled(FrameMessage("88=FIX.4."), 1, "No BeginString(8) FIX.4.4 at '8': 1 bytes skipped");
  EXPECT_EQ(FrameMessage("").status, FrameStatus::kIncomplete);
}

TEST(FixFrame, TwoMessagesBackToBack) {
  const std::string first = SomeMessage("1");
  const std::string second = SomeMessage("2");
  const std::string stream = first + second;
  const Frame frame = FrameMessage(stream);
  EXPECT_EQ(frame.status, FrameStatus::kComplete);
  EXPECT_EQ(frame.length, first.size());
  const Framings framings = FrameAll(stream);
  EXPECT_EQ(framings.messages, (std::vector<std::string>{first, second}));
  EXPECT_TRUE(framings.errors.empty());
}

// Bytes arriving in two reads split at every position, and one byte at a
// time: the same two messages, nothing garbled.
TEST(FixFrame, AStreamSplitAnywhereFramesTheSame) {
  const std::string stream = SomeMessage("1") + SomeMessage("22");
  const std::vector<std::string> expected{SomeMessage("1"), SomeMessage("22")};
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    SCOPED_TRACE(split);
    std::string received = stream.substr(0, split);
    Framings framings = FrameAll(received);
    received.erase(0, received.size() - framings.left);
    received += stream.substr(split);
    const Framings rest = FrameAll(received);
    framings.messages.insert(framings.messages.end(), rest.messages.begin(), rest.messages.end());
    EXPECT_EQ(framings.messages, expected);
    EXPECT_TRUE(framings.errors.empty());
    EXPECT_TRUE(rest.errors.empty());
    EXPECT_EQ(rest.left, 0u);
  }

  std::string received;
  std::vector<std::string> messages;
  for (char c : stream) {
    received += c;
    const Frame frame = FrameMessage(received);
    ASSERT_NE(frame.status, FrameStatus::kGarbled) << frame.error;
    if (frame.status == FrameStatus::kComplete) {
      messages.push_back(received.substr(0, frame.length));
      received.erase(0, frame.length);
    }
  }
  EXPECT_EQ(messages, expected);
  EXPECT_TRUE(received.empty());
}

TEST(FixFrame, ChecksumIsTheSumOfTheBytesModulo256) {
  EXPECT_EQ(Checksum(""), 0);
  EXPECT_EQ(Checksum("\x01"), 1);
  EXPECT_EQ(Checksum(std::string(256, '\x01')), 0);
  EXPECT_EQ(Checksum("\xff\xff"), 254);
  EXPECT_EQ(Checksum("abc"), (97 + 98 + 99) % 256);
}

// ------------------------------------------------------------------ parsing

TEST(FixParse, ReadsFieldsInPlace) {
  const std::string bytes = Framed("35=D|49=C|56=EXCH|34=12|52=20240102-03:04:05|44=-1.5|58=a=b|");
  FixMessage message;
  ASSERT_FALSE(message.Parse(bytes).has_value());
  EXPECT_EQ(message.size(), 10u);
  EXPECT_EQ(message.msg_type(), "D");
  EXPECT_EQ(message.seq_num(), 12);
  EXPECT_EQ(message.Get(tag::kText), "a=b");
  EXPECT_EQ(message.Get(tag::kPrice), "-1.5");
  EXPECT_TRUE(message.Has(tag::kPrice));
  EXPECT_FALSE(message.Has(tag::kSymbol));
  EXPECT_EQ(message.Get(tag::kSymbol), "");
  // The values point into the input.
  const std::string_view text = message.Get(tag::kText);
  EXPECT_GE(text.data(), bytes.data());
  EXPECT_LE(text.data() + text.size(), bytes.data() + bytes.size());
  EXPECT_EQ(message.raw().data(), bytes.data());
}

TEST(FixParse, GetIntAcceptsOnlyBase10Int64) {
  const std::string bytes = Framed(
      "35=0|1=-42|2=9223372036854775807|3=-9223372036854775808|4=9223372036854775808|5=+1|"
      "6=1.0|7= 1|11=12a|12=-|14=007|");
  FixMessage message;
  ASSERT_FALSE(message.Parse(bytes).has_value());
  EXPECT_EQ(message.GetInt(1), -42);
  EXPECT_EQ(message.GetInt(2), kMaxInt64);
  EXPECT_EQ(message.GetInt(3), kMinInt64);
  EXPECT_EQ(message.GetInt(4), std::nullopt);
  EXPECT_EQ(message.GetInt(5), std::nullopt);
  EXPECT_EQ(message.GetInt(6), std::nullopt);
  EXPECT_EQ(message.GetInt(7), std::nullopt);
  EXPECT_EQ(message.GetInt(11), std::nullopt);
  EXPECT_EQ(message.GetInt(12), std::nullopt);
  EXPECT_EQ(message.GetInt(14), 7);
  EXPECT_EQ(message.GetInt(99), std::nullopt);
  EXPECT_EQ(message.seq_num(), std::nullopt);
}

TEST(FixParse, TagErrors) {
  using session_reject::kInvalidTagNumber;
  ExpectParseError(Framed("35=0|4x=1|"), 0, kInvalidTagNumber,
                   "Tag '4x' at offset 20 is not a number");
  ExpectParseError(Framed("35=0|0=1|"), 0, kInvalidTagNumber,
                   "Tag '0' at offset 19 is not a valid tag number");
  ExpectParseError(Framed("35=0|044=1|"), 0, kInvalidTagNumber,
                   "Tag '044' at offset 20 has a leading zero");
  ExpectParseError(Framed("35=0|100000=1|"), 0, kInvalidTagNumber,
                   "Tag '100000' at offset 20 is above 99999");
  ExpectParseError(Framed("35=0|=1|"), 0, kInvalidTagNumber, "Tag '' at offset 19 is empty");
  ExpectParseError(Framed("35=0|58|"), 0, kInvalidTagNumber, "Tag '58' at offset 19 has no '='");
  ExpectParseError(Framed("35=0|\x7f=1|"), 0, kInvalidTagNumber,
                   "Tag '?' at offset 19 is not a number");
  // The largest tag is fine.
  FixMessage message;
  const std::string largest = Framed("35=0|99999=1|");  // outlives the message's views
  EXPECT_FALSE(message.Parse(largest).has_value());
  EXPECT_EQ(message.Get(99999), "1");
}

TEST(FixParse, EmptyValue) {
  ExpectParseError(Framed("35=0|34=|"), tag::kMsgSeqNum, session_reject::kTagWithoutValue,
                   "Tag 34 has an empty value");
}

TEST(FixParse, ValueNotEndedBySoh) {
  ExpectParseError(Soh("8=FIX.4.4|9=5|35=0"), tag::kMsgType, session_reject::kIncorrectDataFormat,
                   "Tag 35 is not ended by SOH");
}

TEST(FixParse, DuplicateTag) {
  ExpectParseError(Framed("35=0|34=2|58=a|58=b|"), tag::kText, session_reject::kTagRepeated,
                   "Tag 58 repeated");
  ExpectParseError(Framed("35=0|35=0|"), tag::kMsgType, session_reject::kTagRepeated,
                   "Tag 35 repeated");
  ExpectParseError(Framed("35=0|8=FIX.4.4|"), tag::kBeginString, session_reject::kTagRepeated,
                   "Tag 8 repeated");
}

TEST(FixParse, HeaderFieldsFirstInOrderAndCheckSumLast) {
  using session_reject::kRequiredTagMissing;
  using session_reject::kTagOutOfOrder;
  ExpectParseError(Soh("9=5|8=FIX.4.4|35=0|10=000|"), tag::kBodyLength, kTagOutOfOrder,
                   "BeginString(8) must be field 1, found tag 9");
  ExpectParseError(Soh("8=FIX.4.4|35=0|9=5|10=000|"), tag::kMsgType, kTagOutOfOrder,
                   "BodyLength(9) must be field 2, found tag 35");
  ExpectParseError(Framed("49=C|35=0|"), tag::kSenderCompID, kTagOutOfOrder,
                   "MsgType(35) must be field 3, found tag 49");
  ExpectParseError(Soh("8=FIX.4.4|9=5|35=0|10=000|34=1|"), tag::kCheckSum, kTagOutOfOrder,
                   "CheckSum(10) is not the last field");
  ExpectParseError(Soh("8=FIX.4.4|9=5|35=0|34=1|"), tag::kCheckSum, kRequiredTagMissing,
                   "CheckSum(10) is missing at the end");
  ExpectParseError("", tag::kBeginString, kRequiredTagMissing, "Empty message");
}

TEST(FixParse, TooManyFields) {
  // 8, 9, 35 and 10 around the others: exactly kMaxFields is fine.
  std::string body = "35=0|";
  for (int tag = 1000; tag < 1000 + static_cast<int>(FixMessage::kMaxFields) - 4; ++tag) {
    body += std::to_string(tag);
    body += "=v|";
  }
  FixMessage message;
  const std::string full = Framed(body);
  EXPECT_FALSE(message.Parse(full).has_value());
  EXPECT_EQ(message.size(), FixMessage::kMaxFields);
  body += "5000=v|";
  ExpectParseError(Framed(body), 0, session_reject::kOther, "More than 256 fields");
}

TEST(FixParse, KeepsTheFieldsReadBeforeAnError) {
  FixMessage message;
  const std::string bytes = Framed("35=D|49=C|56=E|34=17|44=|");
  const std::optional<ParseError> error = message.Parse(bytes);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->ref_tag, tag::kPrice);
  EXPECT_EQ(message.seq_num(), 17);
  EXPECT_EQ(message.msg_type(), "D");
  EXPECT_EQ(message.size(), 6u);
  // A later Parse starts afresh.
  const std::string next = SomeMessage("3");
  ASSERT_FALSE(message.Parse(next).has_value());
  EXPECT_EQ(message.seq_num(), 3);
  EXPECT_FALSE(message.Has(tag::kPrice));
}

TEST(FixParse, PrintableShowsSohAsBar) {
  EXPECT_EQ(Printable(Soh("8=FIX.4.4|9=5|")), "8=FIX.4.4|9=5|");
  EXPECT_EQ(Printable(""), "");
}

// ------------------------------------------------------------------ decimals

TEST(FixDecimal, Parses) {
  EXPECT_EQ(ValueOf(ParseDecimal("123", 2, "Price(44)")), 12300);
  EXPECT_EQ(ValueOf(ParseDecimal("123.45", 2, "Price(44)")), 12345);
  EXPECT_EQ(ValueOf(ParseDecimal("123.450", 2, "Price(44)")), 12345);
  EXPECT_EQ(ValueOf(ParseDecimal("-0.5", 2, "Price(44)")), -50);
  EXPECT_EQ(ValueOf(ParseDecimal("-0", 2, "Price(44)")), 0);
  EXPECT_EQ(ValueOf(ParseDecimal("007.10", 1, "Price(44)")), 71);
  EXPECT_EQ(ValueOf(ParseDecimal("5", 0, "OrderQty(38)")), 5);
  EXPECT_EQ(ValueOf(ParseDecimal("5.000", 0, "OrderQty(38)")), 5);
  EXPECT_EQ(ValueOf(ParseDecimal("9223372036854775807", 0, "X")), kMaxInt64);
  EXPECT_EQ(ValueOf(ParseDecimal("-9223372036854775808", 0, "X")), kMinInt64);
  EXPECT_EQ(ValueOf(ParseDecimal("-9.223372036854775808", 18, "X")), kMinInt64);
  EXPECT_EQ(ValueOf(ParseDecimal("0.000000000000000001", 18, "X")), 1);
}

TEST(FixDecimal, RefusesWhatIsNotADecimalNumber) {
  for (std::string_view text : {"abc", "-", "+1", "1.2.3", ".5", "5.", ".", "1e5", " 1", "1 ",
                                "--1", "1-", "0x10", "1,5"}) {
    EXPECT_EQ(ErrorOf(ParseDecimal(text, 2, "OrderQty(38)")),
              "OrderQty(38) '" + std::string(text) + "' is not a decimal number");
  }
  EXPECT_EQ(ErrorOf(ParseDecimal("", 2, "OrderQty(38)")), "OrderQty(38) is empty");
  // Unprintable bytes and long values are not quoted as they are.
  EXPECT_EQ(ErrorOf(ParseDecimal(std::string_view("1\x01\xff", 3), 2, "Price(44)")),
            "Price(44) '1?"
            "?' is not a decimal number");
  EXPECT_EQ(ErrorOf(ParseDecimal(std::string(40, 'z'), 2, "Price(44)")),
            "Price(44) '" + std::string(32, 'z') + "...' is not a decimal number");
}

TEST(FixDecimal, RefusesMoreDecimalsThanTheInstrumentHas) {
  EXPECT_EQ(ErrorOf(ParseDecimal("101.005", 2, "Price(44)")),
            "Price(44) 101.005 has more than 2 decimals");
  EXPECT_EQ(ErrorOf(ParseDecimal("101.0050", 2, "Price(44)")),
            "Price(44) 101.0050 has more than 2 decimals");
  EXPECT_EQ(ErrorOf(ParseDecimal("1.5", 0, "OrderQty(38)")),
            "OrderQty(38) 1.5 is not a whole number");
}

TEST(FixDecimal, RefusesOverflow) {
  EXPECT_EQ(ErrorOf(ParseDecimal("9223372036854775808", 0, "X")),
            "X 9223372036854775808 is out of range");
  EXPECT_EQ(ErrorOf(ParseDecimal("-9223372036854775809", 0, "X")),
            "X -9223372036854775809 is out of range");
  EXPECT_EQ(ErrorOf(ParseDecimal("92233720368547758.08", 2, "X")),
            "X 92233720368547758.08 is out of range");
  EXPECT_EQ(ErrorOf(ParseDecimal("100000000000000000000000", 0, "X")),
            "X 100000000000000000000000 is out of range");
  EXPECT_EQ(ErrorOf(ParseDecimal("10", 18, "X")), "X 10 is out of range");
  EXPECT_EQ(ValueOf(ParseDecimal("9", 18, "X")), 9'000'000'000'000'000'000);
}

TEST(FixDecimal, RefusesDecimalsOutsideTheRange) {
  EXPECT_EQ(ErrorOf(ParseDecimal("1", 19, "Price(44)")), "Price(44): 19 decimals is outside 0..18");
  EXPECT_EQ(ErrorOf(ParseDecimal("1", -1, "Price(44)")), "Price(44): -1 decimals is outside 0..18");
}

TEST(FixDecimal, OnStep) {
  EXPECT_EQ(ValueOf(ParseDecimalOnStep("100.10", 2, 10, "Price(44)", "tick")), 10010);
  EXPECT_EQ(ValueOf(ParseDecimalOnStep("-100.10", 2, 10, "Price(44)", "tick")), -10010);
  EXPECT_EQ(ValueOf(ParseDecimalOnStep("0", 2, 10, "Price(44)", "tick")), 0);
  EXPECT_EQ(ErrorOf(ParseDecimalOnStep("100.05", 2, 10, "Price(44)", "tick")),
            "Price(44) 100.05 is not a multiple of the tick 0.10");
  EXPECT_EQ(ErrorOf(ParseDecimalOnStep("7", 0, 5, "OrderQty(38)", "lot")),
            "OrderQty(38) 7 is not a multiple of the lot 5");
  // The parse error comes first.
  EXPECT_EQ(ErrorOf(ParseDecimalOnStep("1.005", 2, 10, "Price(44)", "tick")),
            "Price(44) 1.005 has more than 2 decimals");
  EXPECT_EQ(ErrorOf(ParseDecimalOnStep("1", 2, 0, "Price(44)", "tick")),
            "Price(44): the tick 0 is not positive");
  EXPECT_EQ(ValueOf(ParseDecimalOnStep("-9223372036854775808", 0, 2, "X", "s")), kMinInt64);
  EXPECT_EQ(ErrorOf(ParseDecimalOnStep("-9223372036854775808", 0, 3, "X", "step")),
            "X -9223372036854775808 is not a multiple of the step 3");
}

TEST(FixDecimal, Formats) {
  EXPECT_EQ(FormatDecimal(12345, 2), "123.45");
  EXPECT_EQ(FormatDecimal(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimal(0, 2), "0.00");
  EXPECT_EQ(FormatDecimal(0, 0), "0");
  EXPECT_EQ(FormatDecimal(-7, 0), "-7");
  EXPECT_EQ(FormatDecimal(100, 2), "1.00");
  EXPECT_EQ(FormatDecimal(kMaxInt64, 0), "9223372036854775807");
  EXPECT_EQ(FormatDecimal(kMinInt64, 0), "-9223372036854775808");
  EXPECT_EQ(FormatDecimal(kMinInt64, 18), "-9.223372036854775808");
  EXPECT_EQ(FormatDecimal(kMinInt64, 18).size(), kMaxDecimalChars);
  EXPECT_EQ(FormatDecimal(-1, 18), "-0.000000000000000001");
  EXPECT_EQ(FormatDecimal(-1, 18).size(), kMaxDecimalChars);
  EXPECT_EQ(FormatDecimal(kMaxInt64, 4), "922337203685477.5807");
}

// ------------------------------------------------------------------ timestamps

TEST(FixTimestamp, FormatsMillisecondsTruncated) {
  EXPECT_EQ(UtcTimestamp(0), "19700101-00:00:00.000");
  EXPECT_EQ(UtcTimestamp(kSomeTime), "20240102-03:04:05.678");
  EXPECT_EQ(UtcTimestamp(-1), "19691231-23:59:59.999");
  EXPECT_EQ(UtcTimestamp(kMaxInt64), "22620411-23:47:16.854");
  EXPECT_EQ(UtcTimestamp(kMinInt64), "16770921-00:12:43.145");
}

TEST(FixTimestamp, LeapDayAndYearChange) {
  // 2028-02-29 is a leap day; 2100-02-29 is not, 2000-02-29 is.
  const std::optional<std::int64_t> leap_day = ParseUtcTimestamp("20280229-12:00:00.000");
  ASSERT_TRUE(leap_day.has_value());
  EXPECT_EQ(UtcTimestamp(*leap_day), "20280229-12:00:00.000");
  EXPECT_EQ(UtcTimestamp(*leap_day + 12 * 3600 * 1'000'000'000LL), "20280301-00:00:00.000");
  EXPECT_EQ(UtcTimestamp(*leap_day - 24 * 3600 * 1'000'000'000LL), "20280228-12:00:00.000");
  EXPECT_EQ(ParseUtcTimestamp("20270229-00:00:00"), std::nullopt);
  EXPECT_EQ(ParseUtcTimestamp("21000229-00:00:00"), std::nullopt);
  EXPECT_TRUE(ParseUtcTimestamp("20000229-00:00:00").has_value());

  const std::optional<std::int64_t> last_milli = ParseUtcTimestamp("20271231-23:59:59.999");
  ASSERT_TRUE(last_milli.has_value());
  EXPECT_EQ(UtcTimestamp(*last_milli + 1'000'000), "20280101-00:00:00.000");
  EXPECT_EQ(ParseUtcTimestamp("20280101-00:00:00"), *last_milli + 1'000'000);
}

TEST(FixTimestamp, ParsesEachPrecision) {
  EXPECT_EQ(ParseUtcTimestamp("19700101-00:00:00"), 0);
  EXPECT_EQ(ParseUtcTimestamp("20240102-03:04:05"), 1'704'164'645'000'000'000);
  EXPECT_EQ(ParseUtcTimestamp("20240102-03:04:05.678"), 1'704'164'645'678'000'000);
  EXPECT_EQ(ParseUtcTimestamp("20240102-03:04:05.678999"), 1'704'164'645'678'999'000);
  EXPECT_EQ(ParseUtcTimestamp("20240102-03:04:05.678999999"), kSomeTime);
  EXPECT_EQ(ParseUtcTimestamp("19691231-23:59:59.999"), -1'000'000);
  EXPECT_EQ(ParseUtcTimestamp("16770921-00:12:43.145224192"), kMinInt64);
  EXPECT_EQ(ParseUtcTimestamp("22620411-23:47:16.854775807"), kMaxInt64);
}

TEST(FixTimestamp, RefusesMalformedAndOutOfRange) {
  for (std::string_view text : {
           "",
           "20240102",
           "20240102-03:04",
           "20240102-03:04:05.",
           "20240102-03:04:05.6",
           "20240102-03:04:05.6789",
           "20240102-03:04:05.6789999999",
           "20240102 03:04:05",
           "20240102-03-04-05",
           "20240102-03:04:05,678",
           "2024O102-03:04:05",
           "20240102-03:04:05.67x",
           "-2024010-03:04:05",
           "20241302-03:04:05",            // month 13
           "20240002-03:04:05",            // month 0
           "20240100-03:04:05",            // day 0
           "20240431-03:04:05",            // April 31
           "20240102-24:00:00",            // hour 24
           "20240102-23:60:00",            // minute 60
           "20240102-23:59:60",            // leap second: refused
           "16770921-00:12:43.145224191",  // before INT64_MIN ns
           "22620411-23:47:16.854775808",  // after INT64_MAX ns
           "00000101-00:00:00",
           "99991231-23:59:59",
       }) {
    EXPECT_EQ(ParseUtcTimestamp(text), std::nullopt) << text;
  }
}

// ------------------------------------------------------------------ properties

// A value the writer may write: 1 to 40 bytes, mostly printable, never SOH.
std::string AnyValue() {
  const auto size = *rc::gen::inRange<std::size_t>(1, 41);
  return *rc::gen::container<std::string>(
      size,
      rc::gen::weightedOneOf<char>(
          {{8, rc::gen::inRange<char>(' ', '~' + 1)},
           {1, rc::gen::suchThat(rc::gen::arbitrary<char>(), [](char c) { return c != kSoh; })}}));
}

// Distinct tags other than those the writer writes itself.
std::vector<std::pair<int, std::string>> AnyFields() {
  static const std::set<int> kWrittenByStart{8, 9, 10, 34, 35, 49, 52, 56};
  // At most 248 fields of at most 47 bytes: within kMaxMessageLength.
  const auto count = *rc::gen::inRange<std::size_t>(0, FixMessage::kMaxFields - 8 + 1);
  std::set<int> used;
  std::vector<std::pair<int, std::string>> fields;
  for (std::size_t i = 0; i < count; ++i) {
    const int tag = *rc::gen::weightedOneOf<int>(
        {{4, rc::gen::inRange(1, 1000)}, {1, rc::gen::inRange(1, 100'000)}});
    if (kWrittenByStart.contains(tag) || !used.insert(tag).second) continue;
    fields.emplace_back(tag, AnyValue());
  }
  return fields;
}

// A well-formed message: from the writer, with random fields.
std::string AnyMessage() {
  FixWriter writer;
  writer.Start(*rc::gen::element(msg::kHeartbeat, msg::kNewOrderSingle, msg::kExecutionReport),
               AnyValue(), AnyValue(), *rc::gen::arbitrary<std::uint64_t>(),
               *rc::gen::arbitrary<std::int64_t>());
  for (const auto& [tag, value] : AnyFields())
    writer.Add(tag, value);
  return std::string(writer.Finish());
}

// FrameMessage's promises on any bytes, and Parse not crashing on a frame.
void CheckFramesSafely(std::string_view bytes) {
  const Frame frame = FrameMessage(bytes);
  switch (frame.status) {
    case FrameStatus::kIncomplete: RC_ASSERT(frame.length == 0u); break;
    case FrameStatus::kGarbled:
      RC_ASSERT(frame.length >= 1u);
      RC_ASSERT(frame.length <= bytes.size());
      RC_ASSERT(!frame.error.empty());
      RC_ASSERT(frame.error.find(kSoh) == std::string::npos);
      break;
    case FrameStatus::kComplete: {
      RC_ASSERT(frame.length <= bytes.size());
      RC_ASSERT(frame.error.empty());
      FixMessage message;
      if (const auto error = message.Parse(bytes.substr(0, frame.length))) {
        RC_ASSERT(error->text.find(kSoh) == std::string::npos);
      }
      break;
    }
  }
  // Parse on anything at all, framed or not.
  FixMessage message;
  if (const auto error = message.Parse(bytes)) {
    RC_ASSERT(!error->text.empty());
    RC_ASSERT(error->text.find(kSoh) == std::string::npos);
  }
  RC_ASSERT(message.size() <= FixMessage::kMaxFields);
  for (const Field& field : message) {
    RC_ASSERT(field.tag >= 1 && field.tag <= 99999);
    RC_ASSERT(!field.value.empty());
  }
  // A gateway consuming the bytes always gets to the end.
  const Framings framings = FrameAll(bytes);
  RC_ASSERT(framings.left <= bytes.size());
}

TEST(FixProperty, RandomFieldListsRoundTrip) {
  CheckProperty(300, [] {
    const std::vector<std::pair<int, std::string>> fields = AnyFields();
    const std::string sender = AnyValue();
    const auto seq = *rc::gen::arbitrary<std::uint64_t>();
    FixWriter writer;
    writer.Start(msg::kNewOrderSingle, sender, "EXCH", seq, kSomeTime);
    for (const auto& [tag, value] : fields)
      writer.Add(tag, value);
    const std::string bytes(writer.Finish());

    const Frame frame = FrameMessage(bytes + SomeMessage());
    RC_ASSERT(frame.status == FrameStatus::kComplete);
    RC_ASSERT(frame.length == bytes.size());
    FixMessage message;
    const std::optional<ParseError> error = message.Parse(bytes);
    if (error) RC_FAIL(error->text + " in " + Printable(bytes));
    const auto parsed = FieldsOf(message);
    RC_ASSERT(parsed.size() == fields.size() + 8);
    RC_ASSERT(message.Get(tag::kSenderCompID) == sender);
    RC_ASSERT(message.Get(tag::kMsgSeqNum) == std::to_string(seq));
    for (std::size_t i = 0; i < fields.size(); ++i)
      RC_ASSERT(parsed[7 + i] == fields[i]);
  });
}

TEST(FixProperty, RandomBytesNeverCrash) {
  CheckProperty(2000, [] { CheckFramesSafely(*rc::gen::arbitrary<std::string>()); });
}

// Random bytes behind a valid begin string and BodyLength, so they reach the
// later checks.
TEST(FixProperty, RandomBodiesNeverCrash) {
  CheckProperty(2000, [] {
    const std::string tail = *rc::gen::container<std::string>(rc::gen::oneOf(
        rc::gen::arbitrary<char>(), rc::gen::element('=', kSoh, '1', '0', '3', '5')));
    std::string bytes = Soh("8=FIX.4.4|9=");
    bytes += std::to_string(*rc::gen::inRange<std::size_t>(0, tail.size() + 2));
    bytes += kSoh;
    bytes += tail;
    CheckFramesSafely(bytes);
  });
}

TEST(FixProperty, MutatedMessagesNeverCrash) {
  CheckProperty(2000, [] {
    std::string bytes = AnyMessage();
    const int mutations = *rc::gen::inRange(1, 5);
    for (int m = 0; m < mutations; ++m) {
      const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size() + 1);
      switch (*rc::gen::inRange(0, 5)) {
        case 0:  // bit flip
          if (at < bytes.size()) bytes[at] ^= static_cast<char>(1 << *rc::gen::inRange(0, 8));
          break;
        case 1:  // truncation
          bytes.resize(at);
          break;
        case 2:  // byte replaced
          if (at < bytes.size()) bytes[at] = *rc::gen::element('=', kSoh, '0', 'x', '\xff');
          break;
        case 3:  // byte inserted
          bytes.insert(at, 1, *rc::gen::arbitrary<char>());
          break;
        default:  // byte erased
          if (at < bytes.size()) bytes.erase(at, 1);
          break;
      }
    }
    CheckFramesSafely(bytes);
  });
}

// Garbage then a message: the message is always found, whatever the garbage.
TEST(FixProperty, GarbageBeforeAMessageIsAlwaysSkipped) {
  CheckProperty(1000, [] {
    const std::string garbage = *rc::gen::container<std::string>(
        rc::gen::oneOf(rc::gen::arbitrary<char>(), rc::gen::element('8', '=', 'F', kSoh)));
    const std::string message = SomeMessage();
    const Framings framings = FrameAll(garbage + message);
    RC_ASSERT(framings.left == 0u);
    RC_ASSERT(!framings.messages.empty());
    RC_ASSERT(framings.messages.back() == message);
  });
}

TEST(FixProperty, DecimalsRoundTrip) {
  CheckProperty(1000, [] {
    const auto value = *rc::gen::weightedOneOf<std::int64_t>(
        {{6, rc::gen::arbitrary<std::int64_t>()},
         {1, rc::gen::element(kMinInt64, kMaxInt64, std::int64_t{0}, std::int64_t{-1})}});
    const int decimals = *rc::gen::inRange(0, 19);
    const std::string text = FormatDecimal(value, decimals);
    RC_ASSERT(text.size() <= kMaxDecimalChars);
    const auto parsed = ParseDecimal(text, decimals, "X");
    RC_ASSERT(std::holds_alternative<std::int64_t>(parsed));
    RC_ASSERT(std::get<std::int64_t>(parsed) == value);
    // Trailing zeros change nothing.
    if (decimals > 0) {
      const auto padded = ParseDecimal(text + "000", decimals, "X");
      RC_ASSERT(std::holds_alternative<std::int64_t>(padded));
      RC_ASSERT(std::get<std::int64_t>(padded) == value);
    }
  });
}

TEST(FixProperty, DecimalsAreExactOrRefused) {
  // A text with more decimals than allowed and a non-zero digit beyond them
  // is refused, never rounded.
  CheckProperty(500, [] {
    const auto value = *rc::gen::inRange<std::int64_t>(-1'000'000'000, 1'000'000'000);
    const int decimals = *rc::gen::inRange(0, 6);
    const std::string text = FormatDecimal(value, decimals) + (decimals == 0 ? ".0" : "") +
                             std::to_string(*rc::gen::inRange(1, 10));
    RC_ASSERT(std::holds_alternative<DecimalError>(ParseDecimal(text, decimals, "X")));
  });
}

TEST(FixProperty, RandomTextNeverCrashesParseDecimal) {
  CheckProperty(1000, [] {
    const std::string text = *rc::gen::container<std::string>(
        rc::gen::oneOf(rc::gen::arbitrary<char>(), rc::gen::element('-', '.', '0', '9')));
    const auto parsed = ParseDecimal(text, *rc::gen::inRange(0, 19), "X");
    if (const auto* error = std::get_if<DecimalError>(&parsed)) {
      RC_ASSERT(error->text.find(kSoh) == std::string::npos);
    }
  });
}

TEST(FixProperty, TimestampsRoundTripToTheMillisecond) {
  CheckProperty(1000, [] {
    const auto time_ns = *rc::gen::arbitrary<std::int64_t>();
    const std::string text = UtcTimestamp(time_ns);
    RC_ASSERT(text.size() == 21u);
    const std::optional<std::int64_t> parsed = ParseUtcTimestamp(text);
    RC_ASSERT(parsed.has_value());
    // Truncated toward the past, to the millisecond.
    RC_ASSERT(*parsed <= time_ns);
    RC_ASSERT(time_ns - *parsed < 1'000'000);
    RC_ASSERT(*parsed % 1'000'000 == 0);
  });
}

TEST(FixProperty, TimestampsRoundTripToTheNanosecond) {
  CheckProperty(500, [] {
    const auto seconds = *rc::gen::inRange<std::int64_t>(-9'000'000'000, 9'000'000'000);
    const auto nanos = *rc::gen::inRange<std::int64_t>(0, 1'000'000'000);
    const std::int64_t time_ns = seconds * 1'000'000'000 + nanos;
    std::string text = UtcTimestamp(time_ns).substr(0, 17) + ".";
    std::string digits = std::to_string(nanos);
    text += std::string(9 - digits.size(), '0') + digits;
    RC_ASSERT(ParseUtcTimestamp(text) == std::optional<std::int64_t>(time_ns));
  });
}

}  // namespace
}  // namespace exchange::fix
