// Tests of the wire format (wire/wire_format.h, byte layout in wire/FORMAT.md)
// and of its text and JSON descriptions (wire/describe.h): every command and
// event type round-trips, the layout matches the documented bytes, every kind
// of malformed message gives its documented error, and (rapidcheck) random
// batches round-trip exactly while random bytes and mutated messages never
// crash the decoders. Set RC_PARAMS="max_success=N" to change the number of
// cases per property, RC_PARAMS="seed=S" to reproduce a run.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "wire/describe.h"
#include "wire/wire_format.h"

namespace exchange::wire {
namespace {

// ------------------------------------------------ equality (engine types have none)

auto Tie(const NewOrder& o) {
  return std::tie(o.account, o.symbol, o.order_id, o.side, o.type, o.tif, o.stp, o.price,
                  o.quantity, o.stop_price, o.display_quantity);
}
auto Tie(const CancelOrder& c) {
  return std::tie(c.account, c.symbol, c.order_id, c.exchange_order_id);
}
auto Tie(const ReplaceOrder& r) {
  return std::tie(r.account, r.symbol, r.order_id, r.exchange_order_id, r.new_order_id, r.price,
                  r.quantity, r.stop_price);
}
auto Tie(const MassCancel& m) {
  return std::tie(m.account, m.symbol);
}
auto Tie(const HaltSymbol& h) {
  return std::tie(h.symbol);
}
auto Tie(const ResumeSymbol& r) {
  return std::tie(r.symbol);
}
auto Tie(const AddInstrument& a) {
  const InstrumentSpec& s = a.spec;
  return std::tie(s.symbol, s.tick_size, s.lot_size, s.min_quantity, s.max_quantity,
                  s.price_band_bps, s.reference_price, s.market_protection_ticks, s.default_stp);
}
auto Tie(const Event& e) {
  return std::tie(e.sequence, e.timestamp, e.type, e.side, e.order_type, e.reject_reason,
                  e.cancel_reason, e.symbol, e.account, e.order_id, e.exchange_order_id, e.price,
                  e.quantity, e.leaves, e.filled, e.stop_price, e.maker_account, e.maker_order_id,
                  e.maker_exchange_order_id, e.maker_leaves, e.maker_filled);
}

bool Same(const CommandRecord& a, const CommandRecord& b) {
  if (a.producer_sequence != b.producer_sequence || !(a.symbol == b.symbol)) return false;
  if (a.command.timestamp != b.command.timestamp) return false;
  if (a.command.body.index() != b.command.body.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return Tie(x) == Tie(std::get<T>(b.command.body));
      },
      a.command.body);
}

bool Same(const EventRecord& a, const EventRecord& b) {
  return a.symbol == b.symbol && Tie(a.event) == Tie(b.event);
}

// What decoding the encoding of `r` gives: SymbolIds are not on the wire, and
// an AddInstrument's record symbol is its spec's.
CommandRecord Expected(CommandRecord r) {
  std::visit(
      [&r](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, MassCancel>) {
          body.symbol = r.symbol.view().empty() ? kAllSymbols : kUnknownSymbol;
        } else if constexpr (std::is_same_v<T, AddInstrument>) {
          r.symbol = body.spec.symbol;
        } else {
          body.symbol = kUnknownSymbol;
        }
      },
      r.command.body);
  return r;
}

// ------------------------------------------------------------- sample values

constexpr SymbolId kSomeSymbolId = 3;  // a sender's local id, dropped by the encoding

CommandRecord Record(std::uint64_t pseq, std::string_view symbol, CommandBody body) {
  return CommandRecord{pseq, SymbolName(symbol),
                       Command{1'000 + static_cast<Timestamp>(pseq), body}};
}

CommandRecord SampleNewOrder() {
  NewOrder o;
  o.account = 1;
  o.symbol = kSomeSymbolId;
  o.order_id = 7;
  o.side = Side::kBuy;
  o.type = OrderType::kLimit;
  o.tif = TimeInForce::kGtc;
  o.price = 100;
  o.quantity = 50;
  return Record(3, "BTC-USD", o);
}

std::vector<CommandRecord> OneOfEachCommand() {
  NewOrder stop{.account = 2,
                .symbol = kSomeSymbolId,
                .order_id = 8,
                .side = Side::kSell,
                .type = OrderType::kStopLimit,
                .tif = TimeInForce::kFok,
                .stp = StpMode::kCancelBoth,
                .price = -5,
                .quantity = INT64_MAX,
                .stop_price = INT64_MIN,
                .display_quantity = 9};
  CancelOrder cancel{.account = 3, .symbol = 0, .order_id = 9, .exchange_order_id = UINT64_MAX};
  ReplaceOrder replace{.account = UINT32_MAX,
                       .symbol = 1,
                       .order_id = 10,
                       .exchange_order_id = 11,
                       .new_order_id = 12,
                       .price = 105,
                       .quantity = 40,
                       .stop_price = 3};
  InstrumentSpec spec{.symbol = SymbolName("ETH-USD"),
                      .tick_size = 5,
                      .lot_size = 10,
                      .min_quantity = 10,
                      .max_quantity = 1'000'000,
                      .price_band_bps = 500,
                      .reference_price = 2'000,
                      .market_protection_ticks = 20,
                      .default_stp = StpMode::kCancelIncoming};
  return {SampleNewOrder(),
          Record(4, "BTC-USD", stop),
          Record(5, "ETH-USD", cancel),
          Record(6, "A", replace),
          Record(7, "BTC-USD", MassCancel{.account = 4, .symbol = 0}),
          Record(8, "", MassCancel{.account = 5, .symbol = kAllSymbols}),
          Record(9, "ABCDEFGHIJKLMNO", HaltSymbol{.symbol = 2}),
          Record(10, "BTC-USD", ResumeSymbol{.symbol = 2}),
          Record(11, "ETH-USD", AddInstrument{spec})};
}

Event SampleTrade() {
  Event e;
  e.sequence = 9;
  e.timestamp = 1'000;
  e.type = EventType::kTrade;
  e.side = Side::kBuy;
  e.symbol = 0;
  e.account = 1;
  e.order_id = 7;
  e.exchange_order_id = 3;
  e.price = 100;
  e.quantity = 50;
  e.leaves = 0;
  e.filled = 50;
  e.maker_account = 2;
  e.maker_order_id = 4;
  e.maker_exchange_order_id = 1;
  e.maker_leaves = 0;
  e.maker_filled = 50;
  return e;
}

// One event of every type, every field set (distinct values), the last without a symbol.
std::vector<EventRecord> OneOfEachEvent() {
  std::vector<EventRecord> out;
  for (int t = 0; t <= static_cast<int>(EventType::kInstrumentAdded); ++t) {
    Event e;
    e.sequence = 100 + t;
    e.timestamp = -1 - t;
    e.type = static_cast<EventType>(t);
    e.side = t % 2 == 0 ? Side::kBuy : Side::kSell;
    e.order_type = static_cast<OrderType>(t % 6);
    e.reject_reason = static_cast<RejectReason>(t + 10);
    e.cancel_reason = static_cast<CancelReason>(t % 8);
    e.symbol = t == 8 ? kUnknownSymbol : static_cast<SymbolId>(t);
    e.account = 1 + t;
    e.order_id = 2 + t;
    e.exchange_order_id = 3 + t;
    e.price = INT64_MIN + t;
    e.quantity = INT64_MAX - t;
    e.leaves = 4 + t;
    e.filled = 5 + t;
    e.stop_price = 6 + t;
    e.maker_account = UINT32_MAX - t;
    e.maker_order_id = UINT64_MAX - t;
    e.maker_exchange_order_id = 7 + t;
    e.maker_leaves = 8 + t;
    e.maker_filled = 9 + t;
    out.push_back(EventRecord{SymbolName(t == 8 ? "" : "BTC-USD"), e});
  }
  return out;
}

std::string Encode(const CommandBatch& batch) {
  std::string out;
  AppendCommandBatch(batch, out);
  return out;
}

std::string Encode(std::span<const EventRecord> records) {
  std::string out;
  AppendEventBatch(records, out);
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

// The error of decoding `bytes` as a command batch ("" when it decodes).
DecodeError CommandError(std::string_view bytes) {
  Result<CommandBatch> r = DecodeCommandBatch(bytes);
  return r.ok() ? DecodeError{"", 0} : r.error;
}
DecodeError EventError(std::string_view bytes) {
  Result<EventBatch> r = DecodeEventBatch(bytes);
  return r.ok() ? DecodeError{"", 0} : r.error;
}

#define EXPECT_DECODE_ERROR(error_expr, want_reason, want_offset) \
  do {                                                            \
    const DecodeError e_ = (error_expr);                          \
    EXPECT_EQ(e_.reason, want_reason);                            \
    EXPECT_EQ(e_.offset, std::size_t{want_offset});               \
  } while (0)

// Offsets in the message of OneNewOrderMessage() (FORMAT.md tables).
constexpr std::size_t kRecord = kCommandHeaderSize;  // first record
constexpr std::size_t kSymbolLength = kRecord + 17;  // u8 length, then "BTC-USD"
constexpr std::size_t kNewOrderBody = kRecord + 25;  // after the symbol
constexpr std::size_t kSideAt = kNewOrderBody + 12;  // account u32, order_id u64, then side

std::string OneNewOrderMessage() {
  return Encode(CommandBatch{42, {SampleNewOrder()}});
}

// ------------------------------------------------------------ round trips

TEST(WireCommands, EveryCommandTypeRoundTrips) {
  const CommandBatch batch{0x0102030405060708, OneOfEachCommand()};
  Result<CommandBatch> decoded = DecodeCommandBatch(Encode(batch));
  ASSERT_TRUE(decoded.ok()) << decoded.error.reason << " at " << decoded.error.offset;
  EXPECT_EQ(decoded.value->producer_id, batch.producer_id);
  ASSERT_EQ(decoded.value->records.size(), batch.records.size());
  for (std::size_t i = 0; i < batch.records.size(); ++i) {
    EXPECT_TRUE(Same(decoded.value->records[i], Expected(batch.records[i])))
        << "record " << i << ": " << Describe(decoded.value->records[i]);
  }
}

TEST(WireCommands, SymbolIdsAreResolvedByTheReceiver) {
  Result<CommandBatch> decoded = DecodeCommandBatch(Encode(CommandBatch{1, OneOfEachCommand()}));
  ASSERT_TRUE(decoded.ok());
  const auto& r = decoded.value->records;
  EXPECT_EQ(std::get<NewOrder>(r[0].command.body).symbol, kUnknownSymbol);
  EXPECT_EQ(r[0].symbol.view(), "BTC-USD");
  EXPECT_EQ(std::get<MassCancel>(r[4].command.body).symbol, kUnknownSymbol);  // "BTC-USD"
  EXPECT_EQ(std::get<MassCancel>(r[5].command.body).symbol, kAllSymbols);     // ""
  EXPECT_EQ(r[8].symbol.view(), "ETH-USD");
  EXPECT_EQ(std::get<AddInstrument>(r[8].command.body).spec.symbol.view(), "ETH-USD");
}

TEST(WireCommands, EmptyBatchRoundTrips) {
  const std::string bytes = Encode(CommandBatch{7, {}});
  EXPECT_EQ(bytes.size(), kCommandHeaderSize);
  Result<CommandBatch> decoded = DecodeCommandBatch(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value->producer_id, 7u);
  EXPECT_TRUE(decoded.value->records.empty());
}

TEST(WireCommands, DecodingIntoABatchReusesItAndEmptiesItOnError) {
  CommandBatch batch;
  ASSERT_EQ(DecodeCommandBatch(Encode(CommandBatch{1, OneOfEachCommand()}), batch), std::nullopt);
  EXPECT_EQ(batch.records.size(), 9u);
  ASSERT_EQ(DecodeCommandBatch(OneNewOrderMessage(), batch), std::nullopt);
  EXPECT_EQ(batch.records.size(), 1u);
  EXPECT_EQ(batch.producer_id, 42u);
  std::string bad = Encode(CommandBatch{1, OneOfEachCommand()});
  bad.pop_back();
  EXPECT_NE(DecodeCommandBatch(bad, batch), std::nullopt);
  EXPECT_TRUE(batch.records.empty());
}

TEST(WireEvents, EveryEventTypeAndFieldRoundTrips) {
  const std::vector<EventRecord> records = OneOfEachEvent();
  Result<EventBatch> decoded = DecodeEventBatch(Encode(records));
  ASSERT_TRUE(decoded.ok()) << decoded.error.reason << " at " << decoded.error.offset;
  ASSERT_EQ(decoded.value->records.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_TRUE(Same(decoded.value->records[i], records[i])) << "record " << i;
  }
}

TEST(WireEvents, BatchOverloadEncodesTheSameBytes) {
  EventBatch batch{OneOfEachEvent()};
  std::string a;
  AppendEventBatch(batch, a);
  EXPECT_EQ(a, Encode(batch.records));
}

TEST(WireFormat, AppendAddsToWhatIsThere) {
  std::string out = "prefix";
  AppendCommandBatch(CommandBatch{42, {SampleNewOrder()}}, out);
  EXPECT_EQ(out, "prefix" + OneNewOrderMessage());
}

// ------------------------------------------------------------ layout and sizes

// The bytes of FORMAT.md's worked example; a change here is a format change.
TEST(WireFormat, NewOrderBytesAreTheDocumentedLayout) {
  EXPECT_EQ(Hex(OneNewOrderMessage()),
            "5857"              // magic "XW"
            "01"                // version
            "01"                // kind: command batch
            "2a00000000000000"  // producer_id 42
            "01000000"          // record count 1
            "01"                // type NEW
            "0300000000000000"  // producer_sequence 3
            "eb03000000000000"  // timestamp 1003
            "07"
            "4254432d555344"    // symbol "BTC-USD"
            "01000000"          // account 1
            "0700000000000000"  // order_id 7
            "00"
            "00"
            "00"
            "00"                  // side B, LIMIT, GTC, stp DEFAULT
            "6400000000000000"    // price 100
            "3200000000000000"    // quantity 50
            "0000000000000000"    // stop_price
            "0000000000000000");  // display_quantity
}

TEST(WireFormat, NegativeNumbersAreTwosComplementLittleEndian) {
  EventRecord r{SymbolName("X"), Event{}};
  r.event.price = -2;
  const std::string bytes = Encode(std::span<const EventRecord>(&r, 1));
  // header 8, type 1, symbol 2, sequence 8, timestamp 8, 4 enums, symbol id 4,
  // account 4, order ids 16, then price.
  EXPECT_EQ(Hex(bytes.substr(8 + 1 + 2 + 8 + 8 + 4 + 4 + 4 + 16, 8)), "feffffffffffffff");
}

TEST(WireFormat, RecordSizes) {
  // NewOrder with a 7-character symbol: 18 + 7 + 48.
  EXPECT_EQ(OneNewOrderMessage().size(), kCommandHeaderSize + 73);
  const EventRecord trade{SymbolName("BTC-USD"), SampleTrade()};
  // Every event: 2 + symbol + 120.
  EXPECT_EQ(Encode(std::span<const EventRecord>(&trade, 1)).size(), kEventHeaderSize + 129);
  const CommandRecord cancel = Record(1, "BTC-USD", CancelOrder{});
  EXPECT_EQ(Encode(CommandBatch{1, {cancel}}).size(), kCommandHeaderSize + 45);
}

TEST(WireFormat, PeekKind) {
  EXPECT_EQ(PeekKind(OneNewOrderMessage()), MessageKind::kCommandBatch);
  EXPECT_EQ(PeekKind(Encode(OneOfEachEvent())), MessageKind::kEventBatch);
  EXPECT_EQ(PeekKind(""), MessageKind::kUnknown);
  EXPECT_EQ(PeekKind("XW\x01"), MessageKind::kUnknown);
  EXPECT_EQ(PeekKind(std::string("XW\x02\x01", 4)), MessageKind::kUnknown);  // version 2
  EXPECT_EQ(PeekKind(std::string("XW\x01\x03", 4)), MessageKind::kUnknown);
  EXPECT_EQ(PeekKind(std::string("XW\x01\x00", 4)), MessageKind::kUnknown);
  EXPECT_EQ(PeekKind(std::string("WX\x01\x01", 4)), MessageKind::kUnknown);
}

// ------------------------------------------------------------------- errors

TEST(WireErrors, Header) {
  const std::string ok = OneNewOrderMessage();
  EXPECT_DECODE_ERROR(CommandError(""), "truncated: header needs 16 bytes, 0 left", 0);
  EXPECT_DECODE_ERROR(EventError("XW\x01"), "truncated: header needs 8 bytes, 3 left", 0);

  std::string bad = ok;
  bad[0] = 'Y';
  EXPECT_DECODE_ERROR(CommandError(bad), "bad magic 0x5957", 0);
  bad = ok;
  bad[2] = 7;
  EXPECT_DECODE_ERROR(CommandError(bad), "unsupported version 7", 2);
  bad[2] = 0;
  EXPECT_DECODE_ERROR(CommandError(bad), "unsupported version 0", 2);

  EXPECT_DECODE_ERROR(EventError(ok), "bad kind 1: expected 2 (event batch)", 3);
  EXPECT_DECODE_ERROR(CommandError(Encode(OneOfEachEvent())),
                      "bad kind 2: expected 1 (command batch)", 3);
}

TEST(WireErrors, CountLargerThanTheBytesCanHold) {
  std::string bad = OneNewOrderMessage();
  bad[12] = 100;  // record count 100; 73 bytes follow
  EXPECT_DECODE_ERROR(CommandError(bad), "bad count: 100 records need at least 1800 bytes, 73 left",
                      12);
  bad[12] = 0;
  bad[15] = '\xff';  // 4278190080 records
  EXPECT_EQ(CommandError(bad).reason.substr(0, 25), "bad count: 4278190080 rec");

  std::string events = Encode(OneOfEachEvent());
  events[4] = 10;  // 9 records are there
  EXPECT_EQ(EventError(events).reason.substr(0, 10), "bad count:");
}

TEST(WireErrors, TruncatedRecord) {
  const std::string ok = Encode(CommandBatch{1, {SampleNewOrder(), SampleNewOrder()}});
  // Record 1 starts at 16 + 73 and needs 73 bytes.
  EXPECT_DECODE_ERROR(CommandError(ok.substr(0, ok.size() - 1)),
                      "truncated: record 1 needs 73 bytes, 72 left", 89);
  EXPECT_DECODE_ERROR(CommandError(ok.substr(0, 89 + 5)),
                      "truncated: record 1 needs 18 bytes, 5 left", 89);
}

// Every proper prefix of a valid message is refused, with an error inside it.
TEST(WireErrors, TruncatedAtEveryOffsetIsAnErrorNotACrash) {
  const std::string commands = Encode(CommandBatch{1, OneOfEachCommand()});
  for (std::size_t n = 0; n < commands.size(); ++n) {
    const DecodeError e = CommandError(std::string_view(commands).substr(0, n));
    EXPECT_FALSE(e.reason.empty()) << "prefix of " << n << " bytes decoded";
    EXPECT_LE(e.offset, n) << e.reason;
    EXPECT_TRUE(e.reason.starts_with("truncated: ") || e.reason.starts_with("bad count: "))
        << n << ": " << e.reason;
  }
  const std::string events = Encode(OneOfEachEvent());
  for (std::size_t n = 0; n < events.size(); ++n) {
    const DecodeError e = EventError(std::string_view(events).substr(0, n));
    EXPECT_FALSE(e.reason.empty()) << "prefix of " << n << " bytes decoded";
    EXPECT_LE(e.offset, n) << e.reason;
    EXPECT_TRUE(e.reason.starts_with("truncated: ") || e.reason.starts_with("bad count: "))
        << n << ": " << e.reason;
  }
}

TEST(WireErrors, TrailingBytes) {
  const std::string ok = OneNewOrderMessage();
  EXPECT_DECODE_ERROR(CommandError(ok + "xyz"), "trailing bytes: 3 after the last record",
                      ok.size());
  const std::string events = Encode(OneOfEachEvent());
  EXPECT_DECODE_ERROR(EventError(events + '\0'), "trailing bytes: 1 after the last record",
                      events.size());
}

TEST(WireErrors, CommandEnumerationsOutOfRange) {
  struct Case {
    std::size_t offset;
    std::uint8_t value;
    std::string reason;
  };
  const Case cases[] = {
      {kRecord, 0, "bad field: record type 0"}, {kRecord, 8, "bad field: record type 8"},
      {kSideAt, 2, "bad field: side 2"},        {kSideAt + 1, 6, "bad field: order type 6"},
      {kSideAt + 2, 3, "bad field: tif 3"},     {kSideAt + 3, 4, "bad field: stp 4"},
      {kSideAt, 0xff, "bad field: side 255"},
  };
  for (const Case& c : cases) {
    std::string bad = OneNewOrderMessage();
    bad[c.offset] = static_cast<char>(c.value);
    EXPECT_DECODE_ERROR(CommandError(bad), c.reason, c.offset);
  }
  InstrumentSpec spec{.symbol = SymbolName("ETH-USD")};
  std::string add = Encode(CommandBatch{1, {Record(1, "ETH-USD", AddInstrument{spec})}});
  add.back() = 4;  // default_stp is the last byte
  EXPECT_DECODE_ERROR(CommandError(add), "bad field: default stp 4", add.size() - 1);
}

TEST(WireErrors, EventEnumerationsOutOfRange) {
  const EventRecord trade{SymbolName("BTC-USD"), SampleTrade()};
  const std::string ok = Encode(std::span<const EventRecord>(&trade, 1));
  constexpr std::size_t kType = kEventHeaderSize;
  constexpr std::size_t kSide = kType + 2 + 7 + 16;  // type, symbol, sequence, timestamp
  struct Case {
    std::size_t offset;
    std::uint8_t value;
    std::string reason;
  };
  const Case cases[] = {
      {kType, 9, "bad field: event type 9"},        {kSide, 2, "bad field: side 2"},
      {kSide + 1, 6, "bad field: order type 6"},    {kSide + 2, 19, "bad field: reject reason 19"},
      {kSide + 3, 8, "bad field: cancel reason 8"},
  };
  for (const Case& c : cases) {
    std::string bad = ok;
    bad[c.offset] = static_cast<char>(c.value);
    EXPECT_DECODE_ERROR(EventError(bad), c.reason, c.offset);
  }
}

TEST(WireErrors, Symbols) {
  std::string bad = OneNewOrderMessage();
  bad[kSymbolLength] = 16;
  EXPECT_DECODE_ERROR(CommandError(bad), "bad field: symbol length 16", kSymbolLength);
  bad[kSymbolLength] = '\xff';
  EXPECT_DECODE_ERROR(CommandError(bad), "bad field: symbol length 255", kSymbolLength);

  bad = OneNewOrderMessage();
  bad[kSymbolLength + 4] = ' ';
  EXPECT_DECODE_ERROR(CommandError(bad), "bad field: symbol byte 0x20", kSymbolLength + 4);
  bad[kSymbolLength + 4] = '\0';
  EXPECT_DECODE_ERROR(CommandError(bad), "bad field: symbol byte 0x00", kSymbolLength + 4);
  bad[kSymbolLength + 4] = '\x80';
  EXPECT_DECODE_ERROR(CommandError(bad), "bad field: symbol byte 0x80", kSymbolLength + 4);

  // Only a mass cancel may have an empty symbol (it means every symbol).
  for (const CommandRecord& r : OneOfEachCommand()) {
    CommandRecord empty = r;
    empty.symbol = SymbolName();
    if (auto* add = std::get_if<AddInstrument>(&empty.command.body)) add->spec.symbol = {};
    const DecodeError e = CommandError(Encode(CommandBatch{1, {empty}}));
    if (std::holds_alternative<MassCancel>(r.command.body)) {
      EXPECT_EQ(e.reason, "") << Describe(r);
    } else {
      EXPECT_DECODE_ERROR(e, "bad field: empty symbol", kSymbolLength);
    }
  }
  // Events may have none.
  const EventRecord nameless{SymbolName(), SampleTrade()};
  EXPECT_TRUE(DecodeEventBatch(Encode(std::span<const EventRecord>(&nameless, 1))).ok());
  std::string event = Encode(std::span<const EventRecord>(&nameless, 1));
  event[kEventHeaderSize + 1] = 16;
  EXPECT_DECODE_ERROR(EventError(event), "bad field: symbol length 16", kEventHeaderSize + 1);
}

// ------------------------------------------------------------------ describe

TEST(WireDescribe, CommandLines) {
  const std::vector<CommandRecord> r = OneOfEachCommand();
  EXPECT_EQ(Describe(r[0]), "NEW acct=1 id=7 BTC-USD B LIMIT GTC px=100 qty=50 pseq=3 ts=1003");
  EXPECT_EQ(Describe(r[1]),
            "NEW acct=2 id=8 BTC-USD S STOP_LIMIT FOK px=-5 qty=9223372036854775807 "
            "stop=-9223372036854775808 display=9 stp=CANCEL_BOTH pseq=4 ts=1004");
  EXPECT_EQ(Describe(r[2]), "CANCEL acct=3 id=9 ETH-USD xid=18446744073709551615 pseq=5 ts=1005");
  EXPECT_EQ(Describe(r[3]),
            "REPLACE acct=4294967295 id=10 A xid=11 new_id=12 px=105 qty=40 stop=3 pseq=6 ts=1006");
  EXPECT_EQ(Describe(r[4]), "MASS_CANCEL acct=4 BTC-USD pseq=7 ts=1007");
  EXPECT_EQ(Describe(r[5]), "MASS_CANCEL acct=5 ALL pseq=8 ts=1008");
  EXPECT_EQ(Describe(r[6]), "HALT ABCDEFGHIJKLMNO pseq=9 ts=1009");
  EXPECT_EQ(Describe(r[7]), "RESUME BTC-USD pseq=10 ts=1010");
  EXPECT_EQ(Describe(r[8]),
            "ADD_INSTRUMENT ETH-USD tick=5 lot=10 min=10 max=1000000 band_bps=500 ref=2000 "
            "protection=20 stp=CANCEL_INCOMING pseq=11 ts=1011");
}

TEST(WireDescribe, EventLines) {
  EXPECT_EQ(Describe(EventRecord{SymbolName("BTC-USD"), SampleTrade()}),
            "TRADE seq=9 BTC-USD acct=1 id=7 xid=3 B px=100 qty=50 leaves=0 filled=50 "
            "maker_acct=2 maker_id=4 maker_xid=1 maker_leaves=0 maker_filled=50 ts=1000");
  Event rejected = SampleTrade();
  rejected.type = EventType::kRejected;
  rejected.reject_reason = RejectReason::kPriceNotOnTick;
  EXPECT_EQ(Describe(EventRecord{SymbolName("BTC-USD"), rejected}),
            "REJECTED seq=9 BTC-USD acct=1 id=7 B px=100 qty=50 reason=PRICE_NOT_ON_TICK ts=1000");
  Event halted;
  halted.type = EventType::kHalted;
  halted.sequence = 4;
  EXPECT_EQ(Describe(EventRecord{SymbolName(), halted}), "HALTED seq=4 - ts=0");
  for (const EventRecord& r : OneOfEachEvent()) {
    EXPECT_TRUE(Describe(r).starts_with(ToString(r.event.type))) << Describe(r);
  }
}

TEST(WireDescribe, JsonCarriesEveryField) {
  const nlohmann::ordered_json trade = ToJson(EventRecord{SymbolName("BTC-USD"), SampleTrade()});
  EXPECT_EQ(trade.size(), 22u);  // the 21 Event fields and the symbol name
  EXPECT_EQ(trade.begin().key(), "type");
  EXPECT_EQ(trade["type"], "TRADE");
  EXPECT_EQ(trade["symbol"], "BTC-USD");
  EXPECT_EQ(trade["symbol_id"], 0);
  EXPECT_EQ(trade["maker_exchange_order_id"], 1);
  EXPECT_EQ(trade["reject_reason"], "NONE");

  const std::vector<CommandRecord> r = OneOfEachCommand();
  const nlohmann::ordered_json stop = ToJson(r[1]);
  EXPECT_EQ(stop.dump(),
            R"({"type":"NEW","producer_sequence":4,"timestamp":1004,"symbol":"BTC-USD",)"
            R"("account":2,"order_id":8,"side":"S","order_type":"STOP_LIMIT","tif":"FOK",)"
            R"("stp":"CANCEL_BOTH","price":-5,"quantity":9223372036854775807,)"
            R"("stop_price":-9223372036854775808,"display_quantity":9})");
  EXPECT_EQ(ToJson(r[5])["symbol"], "");
  EXPECT_EQ(ToJson(r[8])["default_stp"], "CANCEL_INCOMING");

  const nlohmann::ordered_json batch = ToJson(CommandBatch{42, r});
  EXPECT_EQ(batch["kind"], "commands");
  EXPECT_EQ(batch["version"], 1);
  EXPECT_EQ(batch["producer_id"], 42);
  EXPECT_EQ(batch["records"].size(), r.size());
  const nlohmann::ordered_json events = ToJson(EventBatch{OneOfEachEvent()});
  EXPECT_EQ(events["kind"], "events");
  EXPECT_EQ(events["records"].size(), 9u);
}

TEST(WireDescribe, UnprintableSymbolBytesAreShownAsQuestionMarks) {
  CommandRecord r = SampleNewOrder();
  r.symbol = SymbolName(
      "A\xff"
      "B");
  EXPECT_EQ(ToJson(r)["symbol"], "A?B");
  EXPECT_NO_THROW(ToJson(r).dump());
  EXPECT_TRUE(Describe(r).starts_with("NEW acct=1 id=7 A?B "));
}

// ------------------------------------------------------------------ properties

template <typename Testable>
void CheckProperty(int cases, Testable&& testable) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* env = std::getenv("RC_PARAMS");
  if (env == nullptr || std::strstr(env, "max_success") == nullptr) params.maxSuccess = cases;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream ss;
    rc::detail::printResultMessage(result, ss);
    FAIL() << ss.str();
  }
}

// Any value of T, with the extremes and zero common.
template <typename T>
T Any() {
  constexpr T kMin = std::numeric_limits<T>::min();
  constexpr T kMax = std::numeric_limits<T>::max();
  return *rc::gen::weightedOneOf<T>(
      {{6, rc::gen::arbitrary<T>()}, {1, rc::gen::element(kMin, kMax, T{0}, T{1})}});
}

template <typename E>
E AnyEnum(E last) {
  return static_cast<E>(*rc::gen::inRange<int>(0, static_cast<int>(last) + 1));
}

SymbolName AnySymbol(std::size_t min_length) {
  const auto length = *rc::gen::inRange<std::size_t>(min_length, SymbolName::kMaxLength + 1);
  return SymbolName(*rc::gen::container<std::string>(length, rc::gen::inRange<char>('!', '~' + 1)));
}

NewOrder AnyNewOrder() {
  NewOrder o;
  o.account = Any<AccountId>();
  o.symbol = Any<SymbolId>();
  o.order_id = Any<ClientOrderId>();
  o.side = AnyEnum(Side::kSell);
  o.type = AnyEnum(OrderType::kIceberg);
  o.tif = AnyEnum(TimeInForce::kFok);
  o.stp = AnyEnum(StpMode::kCancelBoth);
  o.price = Any<Price>();
  o.quantity = Any<Quantity>();
  o.stop_price = Any<Price>();
  o.display_quantity = Any<Quantity>();
  return o;
}

ReplaceOrder AnyReplaceOrder() {
  ReplaceOrder r;
  r.account = Any<AccountId>();
  r.symbol = Any<SymbolId>();
  r.order_id = Any<ClientOrderId>();
  r.exchange_order_id = Any<OrderId>();
  r.new_order_id = Any<ClientOrderId>();
  r.price = Any<Price>();
  r.quantity = Any<Quantity>();
  r.stop_price = Any<Price>();
  return r;
}

AddInstrument AnyAddInstrument() {
  InstrumentSpec s;
  s.symbol = AnySymbol(1);
  s.tick_size = Any<Price>();
  s.lot_size = Any<Quantity>();
  s.min_quantity = Any<Quantity>();
  s.max_quantity = Any<Quantity>();
  s.price_band_bps = Any<std::int64_t>();
  s.reference_price = Any<Price>();
  s.market_protection_ticks = Any<std::int64_t>();
  s.default_stp = AnyEnum(StpMode::kCancelBoth);
  return AddInstrument{s};
}

CommandBody AnyCommandBody() {
  switch (*rc::gen::inRange(0, 7)) {
    case 0: return AnyNewOrder();
    case 1:
      return CancelOrder{Any<AccountId>(), Any<SymbolId>(), Any<ClientOrderId>(), Any<OrderId>()};
    case 2: return AnyReplaceOrder();
    case 3: return MassCancel{Any<AccountId>(), Any<SymbolId>()};
    case 4: return HaltSymbol{Any<SymbolId>()};
    case 5: return ResumeSymbol{Any<SymbolId>()};
    default: return AnyAddInstrument();
  }
}

CommandRecord AnyCommandRecord() {
  CommandRecord r;
  r.producer_sequence = Any<std::uint64_t>();
  r.command.timestamp = Any<Timestamp>();
  r.command.body = AnyCommandBody();
  r.symbol = AnySymbol(std::holds_alternative<MassCancel>(r.command.body) ? 0 : 1);
  return r;
}

EventRecord AnyEventRecord() {
  EventRecord r;
  r.symbol = AnySymbol(0);
  Event& e = r.event;
  e.sequence = Any<Sequence>();
  e.timestamp = Any<Timestamp>();
  e.type = AnyEnum(EventType::kInstrumentAdded);
  e.side = AnyEnum(Side::kSell);
  e.order_type = AnyEnum(OrderType::kIceberg);
  e.reject_reason = AnyEnum(RejectReason::kInvalidInstrument);
  e.cancel_reason = AnyEnum(CancelReason::kFokCannotFill);
  e.symbol = Any<SymbolId>();
  e.account = Any<AccountId>();
  e.order_id = Any<ClientOrderId>();
  e.exchange_order_id = Any<OrderId>();
  e.price = Any<Price>();
  e.quantity = Any<Quantity>();
  e.leaves = Any<Quantity>();
  e.filled = Any<Quantity>();
  e.stop_price = Any<Price>();
  e.maker_account = Any<AccountId>();
  e.maker_order_id = Any<ClientOrderId>();
  e.maker_exchange_order_id = Any<OrderId>();
  e.maker_leaves = Any<Quantity>();
  e.maker_filled = Any<Quantity>();
  return r;
}

std::vector<CommandRecord> AnyCommandRecords() {
  const auto n = *rc::gen::inRange<std::size_t>(0, 20);
  std::vector<CommandRecord> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(AnyCommandRecord());
  return out;
}

std::vector<EventRecord> AnyEventRecords() {
  const auto n = *rc::gen::inRange<std::size_t>(0, 20);
  std::vector<EventRecord> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(AnyEventRecord());
  return out;
}

// A valid message of either kind.
std::string AnyValidMessage() {
  if (*rc::gen::arbitrary<bool>()) return Encode(AnyEventRecords());
  return Encode(CommandBatch{Any<std::uint64_t>(), AnyCommandRecords()});
}

// Decodes `bytes` both ways. Neither may crash (the sanitizer build checks
// reads); an error must point inside the message; whatever decodes must
// encode back to exactly `bytes` (the decoder accepts canonical bytes only).
void CheckDecodesSafely(std::string_view bytes) {
  Result<CommandBatch> commands = DecodeCommandBatch(bytes);
  Result<EventBatch> events = DecodeEventBatch(bytes);
  RC_ASSERT(!(commands.ok() && events.ok()));
  if (commands.ok()) {
    RC_ASSERT(PeekKind(bytes) == MessageKind::kCommandBatch);
    RC_ASSERT(Encode(*commands.value) == bytes);
    for (const CommandRecord& r : commands.value->records)
      (void)ToJson(r).dump();
  } else {
    RC_ASSERT(!commands.error.reason.empty());
    RC_ASSERT(commands.error.offset <= bytes.size());
  }
  if (events.ok()) {
    RC_ASSERT(PeekKind(bytes) == MessageKind::kEventBatch);
    RC_ASSERT(Encode(events.value->records) == bytes);
    for (const EventRecord& r : events.value->records)
      (void)ToJson(r).dump();
  } else {
    RC_ASSERT(!events.error.reason.empty());
    RC_ASSERT(events.error.offset <= bytes.size());
  }
}

TEST(WireProperty, CommandBatchesRoundTripExactly) {
  CheckProperty(500, [] {
    const CommandBatch batch{Any<std::uint64_t>(), AnyCommandRecords()};
    Result<CommandBatch> decoded = DecodeCommandBatch(Encode(batch));
    RC_ASSERT(decoded.ok());
    RC_ASSERT(decoded.value->producer_id == batch.producer_id);
    RC_ASSERT(decoded.value->records.size() == batch.records.size());
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
      const CommandRecord want = Expected(batch.records[i]);
      if (!Same(decoded.value->records[i], want)) {
        RC_FAIL("record " + std::to_string(i) + ": got " +
                ToJson(decoded.value->records[i]).dump() + ", want " + ToJson(want).dump());
      }
    }
  });
}

TEST(WireProperty, EventBatchesRoundTripExactly) {
  CheckProperty(500, [] {
    const std::vector<EventRecord> records = AnyEventRecords();
    Result<EventBatch> decoded = DecodeEventBatch(Encode(records));
    RC_ASSERT(decoded.ok());
    RC_ASSERT(decoded.value->records.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (!Same(decoded.value->records[i], records[i])) {
        RC_FAIL("record " + std::to_string(i) + ": got " +
                ToJson(decoded.value->records[i]).dump() + ", want " + ToJson(records[i]).dump());
      }
    }
  });
}

TEST(WireProperty, RandomBytesNeverCrash) {
  CheckProperty(2000, [] { CheckDecodesSafely(*rc::gen::arbitrary<std::string>()); });
}

// Random bytes behind a valid header and count, so they reach the record decoders.
TEST(WireProperty, RandomRecordsNeverCrash) {
  CheckProperty(2000, [] {
    const bool events = *rc::gen::arbitrary<bool>();
    std::string bytes = events ? Encode(std::vector<EventRecord>{})
                               : Encode(CommandBatch{Any<std::uint64_t>(), {}});
    const auto count = *rc::gen::inRange<std::uint32_t>(0, 4);
    bytes[bytes.size() - 4] = static_cast<char>(count);
    bytes += *rc::gen::container<std::string>(
        rc::gen::oneOf(rc::gen::arbitrary<char>(), rc::gen::inRange<char>(0, 10)));
    CheckDecodesSafely(bytes);
  });
}

TEST(WireProperty, MutatedMessagesNeverCrash) {
  CheckProperty(2000, [] {
    std::string bytes = AnyValidMessage();
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
          if (at < bytes.size()) bytes[at] = *rc::gen::arbitrary<char>();
          break;
        case 3:  // byte inserted
          bytes.insert(at, 1, *rc::gen::arbitrary<char>());
          break;
        default:  // byte erased
          if (at < bytes.size()) bytes.erase(at, 1);
          break;
      }
    }
    CheckDecodesSafely(bytes);
  });
}

}  // namespace
}  // namespace exchange::wire
