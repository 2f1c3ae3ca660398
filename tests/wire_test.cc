// Tests of the wire format (wire/wire_format.h, byte layout in wire/FORMAT.md)
// and of its text and JSON descriptions (wire/describe.h): every command and
// event type round-trips, the layout matches the documented bytes, every kind
// of malformed message gives its documented error, and (rapidcheck) random
// batches round-trip exactly while random bytes and mutated messages never
// crash the decoders. Version 1 messages (what journals written before cash
// risk hold) still decode. Set RC_PARAMS="max_success=N" to change the number of
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

#include "base/byte_io.h"
#include "tests/property_check.h"
#include "wire/describe.h"
#include "wire/wire_format.h"

namespace exchange::wire {
namespace {

// ------------------------------------------------ equality (engine types have none)

auto Tie(const NewOrder& o) {
  return std::tie(o.account, o.symbol, o.order_id, o.side, o.type, o.tif, o.stp, o.price,
                  o.quantity, o.stop_price, o.display_quantity, o.quote_quantity);
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
                  s.price_band_bps, s.reference_price, s.market_protection_ticks, s.default_stp,
                  s.risk, s.base_asset, s.quote_asset, s.base_multiplier, s.quote_exponent,
                  s.fees.maker_ppm, s.fees.taker_ppm);
}
auto Tie(const AddAsset& a) {
  return std::tie(a.spec.name, a.spec.decimals);
}
auto Tie(const Deposit& d) {
  return std::tie(d.account, d.asset, d.amount, d.transfer);
}
auto Tie(const Withdraw& w) {
  return std::tie(w.account, w.asset, w.amount, w.transfer);
}
auto Tie(const SetFees& f) {
  return std::tie(f.symbol, f.for_account, f.account, f.clear, f.rates.maker_ppm,
                  f.rates.taker_ppm);
}
auto Tie(const Event& e) {
  return std::tie(e.sequence, e.timestamp, e.type, e.side, e.order_type, e.reject_reason,
                  e.cancel_reason, e.symbol, e.account, e.order_id, e.exchange_order_id, e.price,
                  e.quantity, e.leaves, e.filled, e.stop_price, e.maker_account, e.maker_order_id,
                  e.maker_exchange_order_id, e.maker_leaves, e.maker_filled, e.asset,
                  e.balance_reason, e.available, e.held, e.available_delta, e.held_delta,
                  e.trade_sequence, e.maker_ppm, e.taker_ppm);
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
  return a.symbol == b.symbol && a.asset == b.asset && Tie(a.event) == Tie(b.event);
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
        } else if constexpr (std::is_same_v<T, AddAsset>) {
          r.symbol = body.spec.name;
        } else if constexpr (std::is_same_v<T, Deposit> || std::is_same_v<T, Withdraw>) {
          body.asset = kUnknownAsset;
        } else {
          body.symbol = kUnknownSymbol;
        }
      },
      r.command.body);
  return r;
}

// What decoding the encoding of `r` gives: only the fields its type's layout
// carries (FORMAT.md, "Event records"); the others are Event{}'s.
EventRecord Expected(const EventRecord& r) {
  const Event& e = r.event;
  EventRecord out{r.symbol, Event{}, r.asset};
  Event& o = out.event;
  o.sequence = e.sequence;
  o.timestamp = e.timestamp;
  o.type = e.type;
  switch (e.type) {
    case EventType::kBalance:
      std::tie(o.side, o.balance_reason, o.symbol, o.account, o.asset, o.order_id,
               o.exchange_order_id, o.trade_sequence, o.available, o.held, o.available_delta,
               o.held_delta) = std::tie(e.side, e.balance_reason, e.symbol, e.account, e.asset,
                                        e.order_id, e.exchange_order_id, e.trade_sequence,
                                        e.available, e.held, e.available_delta, e.held_delta);
      break;
    case EventType::kAssetAdded:
      std::tie(o.asset, o.quantity) = std::tie(e.asset, e.quantity);
      break;
    case EventType::kFeesSet:
      std::tie(o.symbol, o.account, o.price, o.maker_ppm, o.taker_ppm) =
          std::tie(e.symbol, e.account, e.price, e.maker_ppm, e.taker_ppm);
      break;
    default: {
      const Event none{};
      o = e;
      std::tie(o.balance_reason, o.available, o.held, o.available_delta, o.held_delta,
               o.trade_sequence, o.maker_ppm, o.taker_ppm) =
          std::tie(none.balance_reason, none.available, none.held, none.available_delta,
                   none.held_delta, none.trade_sequence, none.maker_ppm, none.taker_ppm);
      break;
    }
  }
  return out;
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
                      .default_stp = StpMode::kCancelIncoming,
                      .risk = RiskMode::kCash,
                      .base_asset = 1,
                      .quote_asset = 0,
                      .base_multiplier = 1'000,
                      .quote_exponent = -3,
                      .fees = {.maker_ppm = -100, .taker_ppm = 500}};
  NewOrder by_quote{.account = 6,
                    .symbol = kSomeSymbolId,
                    .order_id = 13,
                    .side = Side::kBuy,
                    .type = OrderType::kMarket,
                    .tif = TimeInForce::kIoc,
                    .quote_quantity = 250'000};
  SetFees tier{.symbol = 1,
               .for_account = true,
               .account = 7,
               .clear = false,
               .rates = {.maker_ppm = -50, .taker_ppm = 300}};
  return {
      SampleNewOrder(),
      Record(4, "BTC-USD", stop),
      Record(5, "ETH-USD", cancel),
      Record(6, "A", replace),
      Record(7, "BTC-USD", MassCancel{.account = 4, .symbol = 0}),
      Record(8, "", MassCancel{.account = 5, .symbol = kAllSymbols}),
      Record(9, "ABCDEFGHIJKLMNO", HaltSymbol{.symbol = 2}),
      Record(10, "BTC-USD", ResumeSymbol{.symbol = 2}),
      Record(11, "ETH-USD", AddInstrument{spec}),
      Record(12, "USD", AddAsset{AssetSpec{SymbolName("USD"), 2}}),
      Record(13, "USD", Deposit{.account = 1, .asset = 0, .amount = 10'000, .transfer = 5}),
      Record(14, "BTC", Withdraw{.account = 2, .asset = 1, .amount = -3, .transfer = UINT64_MAX}),
      Record(15, "ETH-USD", tier),
      Record(16, "ETH-USD", SetFees{.symbol = 1, .rates = {.maker_ppm = 1, .taker_ppm = 2}}),
      Record(17, "ETH-USD",
             SetFees{.symbol = 1, .for_account = true, .account = 8, .clear = true, .rates = {}}),
      Record(18, "ETH-USD", by_quote)};
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

// One event of every type, every field set (distinct values; the wire
// carries those of its type, Expected()), INSTRUMENT_ADDED without a symbol,
// REJECTED, BALANCE and ASSET_ADDED with an asset name.
std::vector<EventRecord> OneOfEachEvent() {
  std::vector<EventRecord> out;
  for (int t = 0; t <= static_cast<int>(EventType::kFeesSet); ++t) {
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
    e.asset = static_cast<AssetId>(10 + t);
    e.balance_reason = static_cast<BalanceReason>(t % 7);
    e.available = 11 + t;
    e.held = -12 - t;
    e.available_delta = INT64_MIN + 13 + t;
    e.held_delta = INT64_MAX - 14 - t;
    e.trade_sequence = 15 + t;
    e.maker_ppm = -16 - t;
    e.taker_ppm = 17 + t;
    const bool has_asset = t == 1 || t == 9 || t == 10;
    out.push_back(
        EventRecord{SymbolName(t == 8 ? "" : "BTC-USD"), e, SymbolName(has_asset ? "USD" : "")});
  }
  return out;
}

Event SampleBalance() {
  Event e;
  e.sequence = 10;
  e.timestamp = 1'000;
  e.type = EventType::kBalance;
  e.symbol = 0;
  e.account = 1;
  e.asset = 0;
  e.balance_reason = BalanceReason::kTrade;
  e.available = 90;
  e.held = 0;
  e.available_delta = -10;
  e.held_delta = 0;
  e.order_id = 7;
  e.exchange_order_id = 3;
  e.trade_sequence = 9;
  return e;
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

// ------------------------------------------------------------ version 1

// Version 1 messages as the code before cash risk wrote them: journals on
// disk hold them and must replay exactly as before.

// FORMAT.md's version 1 worked example: SampleNewOrder() from producer 42.
std::string V1NewOrderMessage() {
  std::string bytes;
  ByteWriter w(bytes);
  w.Bytes("XW");
  w.U8(1);    // version
  w.U8(1);    // kind
  w.U64(42);  // producer_id
  w.U32(1);   // count
  w.U8(1);    // NEW
  w.U64(3);
  w.I64(1'003);
  w.ShortString("BTC-USD");
  w.U32(1);
  w.U64(7);
  w.U32(0);  // side B, LIMIT, GTC, stp DEFAULT
  w.I64(100);
  w.I64(50);
  w.I64(0);
  w.I64(0);  // display_quantity, the last field of version 1
  return bytes;
}

// A version 1 ADD_INSTRUMENT: seven i64 fields and default_stp, nothing after.
std::string V1AddInstrumentMessage() {
  std::string bytes;
  ByteWriter w(bytes);
  w.Bytes("XW");
  w.U8(1);  // version
  w.U8(1);  // kind
  w.U64(1);
  w.U32(1);
  w.U8(7);  // ADD_INSTRUMENT
  w.U64(1);
  w.I64(0);
  w.ShortString("ETH-USD");
  for (std::int64_t v : {5, 10, 10, 1'000'000, 500, 2'000, 20})
    w.I64(v);
  w.U8(2);  // CANCEL_INCOMING
  return bytes;
}

// A version 1 event batch: every field of SampleTrade(), one layout for every type.
std::string V1EventMessage() {
  std::string bytes;
  ByteWriter w(bytes);
  w.Bytes("XW");
  w.U8(1);  // version
  w.U8(2);  // kind
  w.U32(1);
  const Event e = SampleTrade();
  w.U8(static_cast<std::uint8_t>(e.type));
  w.ShortString("BTC-USD");
  w.U64(e.sequence);
  w.I64(e.timestamp);
  w.U32(0);  // side, order type, reject reason, cancel reason
  w.U32(e.symbol);
  w.U32(e.account);
  w.U64(e.order_id);
  w.U64(e.exchange_order_id);
  for (std::int64_t v : {e.price, e.quantity, e.leaves, e.filled, e.stop_price})
    w.I64(v);
  w.U32(e.maker_account);
  w.U64(e.maker_order_id);
  w.U64(e.maker_exchange_order_id);
  w.I64(e.maker_leaves);
  w.I64(e.maker_filled);
  return bytes;
}

TEST(WireVersion1, TheDocumentedNewOrderBytesStillDecode) {
  // The version 1 bytes FORMAT.md documented before version 2.
  EXPECT_EQ(Hex(V1NewOrderMessage()),
            "58570101"            // magic, version 1, kind 1
            "2a00000000000000"    // producer_id 42
            "01000000"            // count 1
            "01"                  // NEW
            "0300000000000000"    // producer_sequence 3
            "eb03000000000000"    // timestamp 1003
            "074254432d555344"    // symbol "BTC-USD"
            "01000000"            // account 1
            "0700000000000000"    // order_id 7
            "00000000"            // side, type, tif, stp
            "6400000000000000"    // price 100
            "3200000000000000"    // quantity 50
            "0000000000000000"    // stop_price
            "0000000000000000");  // display_quantity
  EXPECT_EQ(V1NewOrderMessage().size(), kCommandHeaderSize + 73);
  Result<CommandBatch> decoded = DecodeCommandBatch(V1NewOrderMessage());
  ASSERT_TRUE(decoded.ok()) << decoded.error.reason << " at " << decoded.error.offset;
  EXPECT_EQ(decoded.value->version, 1);
  EXPECT_EQ(decoded.value->producer_id, 42u);
  ASSERT_EQ(decoded.value->records.size(), 1u);
  EXPECT_TRUE(Same(decoded.value->records[0], Expected(SampleNewOrder())));
  EXPECT_EQ(std::get<NewOrder>(decoded.value->records[0].command.body).quote_quantity, 0);
  EXPECT_EQ(Describe(decoded.value->records[0]),
            "NEW acct=1 id=7 BTC-USD B LIMIT GTC px=100 qty=50 pseq=3 ts=1003");
  EXPECT_EQ(ToJson(*decoded.value)["version"], 1);
  // Encoding writes version 2, which decodes to the same batch.
  Result<CommandBatch> again = DecodeCommandBatch(Encode(*decoded.value));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value->version, 2);
  EXPECT_EQ(Encode(*again.value), OneNewOrderMessage());
}

TEST(WireVersion1, AnAddInstrumentDecodesWithoutCashRisk) {
  Result<CommandBatch> decoded = DecodeCommandBatch(V1AddInstrumentMessage());
  ASSERT_TRUE(decoded.ok()) << decoded.error.reason << " at " << decoded.error.offset;
  const InstrumentSpec& s = std::get<AddInstrument>(decoded.value->records[0].command.body).spec;
  EXPECT_EQ(s.symbol.view(), "ETH-USD");
  EXPECT_EQ(s.tick_size, 5);
  EXPECT_EQ(s.market_protection_ticks, 20);
  EXPECT_EQ(s.default_stp, StpMode::kCancelIncoming);
  EXPECT_EQ(s.risk, RiskMode::kNone);
  EXPECT_EQ(s.base_asset, kUnknownAsset);
  EXPECT_EQ(s.base_multiplier, 1);
}

TEST(WireVersion1, AnEventDecodesWithEveryField) {
  Result<EventBatch> decoded = DecodeEventBatch(V1EventMessage());
  ASSERT_TRUE(decoded.ok()) << decoded.error.reason << " at " << decoded.error.offset;
  EXPECT_EQ(decoded.value->version, 1);
  ASSERT_EQ(decoded.value->records.size(), 1u);
  EXPECT_TRUE(Same(decoded.value->records[0], EventRecord{SymbolName("BTC-USD"), SampleTrade()}));
  EXPECT_EQ(decoded.value->records[0].asset.view(), "");
}

// Version 1 knows neither the new record types nor the new enumerators.
TEST(WireVersion1, RefusesWhatOnlyVersion2Has) {
  std::string bad = V1NewOrderMessage();
  for (std::uint8_t type : {8, 9, 10, 11}) {
    bad[kRecord] = static_cast<char>(type);
    EXPECT_DECODE_ERROR(CommandError(bad), "bad field: record type " + std::to_string(type),
                        kRecord);
  }
  constexpr std::size_t kType = kEventHeaderSize;
  constexpr std::size_t kRejectReason = kType + 2 + 7 + 16 + 2;
  bad = V1EventMessage();
  bad[kType] = 9;
  EXPECT_DECODE_ERROR(EventError(bad), "bad field: event type 9", kType);
  bad = V1EventMessage();
  bad[kRejectReason] = 19;
  EXPECT_DECODE_ERROR(EventError(bad), "bad field: reject reason 19", kRejectReason);
  // The same bytes with version 2's layout are something else: a version
  // byte changed by itself does not make a valid message.
  bad = V1NewOrderMessage();
  bad[2] = 2;
  EXPECT_DECODE_ERROR(CommandError(bad), "truncated: record 0 needs 81 bytes, 73 left", kRecord);
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
  // The asset commands carry the asset's name in `symbol`.
  EXPECT_EQ(r[9].symbol.view(), "USD");
  EXPECT_EQ(std::get<AddAsset>(r[9].command.body).spec.name.view(), "USD");
  EXPECT_EQ(r[10].symbol.view(), "USD");
  EXPECT_EQ(std::get<Deposit>(r[10].command.body).asset, kUnknownAsset);
  EXPECT_EQ(r[11].symbol.view(), "BTC");
  EXPECT_EQ(std::get<Withdraw>(r[11].command.body).asset, kUnknownAsset);
  EXPECT_EQ(std::get<SetFees>(r[12].command.body).symbol, kUnknownSymbol);
  EXPECT_EQ(r[12].symbol.view(), "ETH-USD");
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
  EXPECT_EQ(batch.records.size(), 16u);
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
    EXPECT_TRUE(Same(decoded.value->records[i], Expected(records[i])))
        << "record " << i << ": " << Describe(decoded.value->records[i]);
  }
  EXPECT_EQ(decoded.value->version, kVersion);
}

// What each event type carries, with the values OneOfEachEvent() set.
TEST(WireEvents, EachTypeCarriesItsFields) {
  Result<EventBatch> decoded = DecodeEventBatch(Encode(OneOfEachEvent()));
  ASSERT_TRUE(decoded.ok());
  const auto& r = decoded.value->records;
  ASSERT_EQ(r.size(), 12u);
  const Event& rejected = r[1].event;  // asset id and name, for a refused transfer
  EXPECT_EQ(rejected.asset, 11);
  EXPECT_EQ(r[1].asset.view(), "USD");
  EXPECT_EQ(rejected.available, 0);  // not an order event's field
  const Event& balance = r[9].event;
  EXPECT_EQ(r[9].asset.view(), "USD");
  EXPECT_EQ(balance.asset, 19);
  EXPECT_EQ(balance.balance_reason, BalanceReason::kHold);
  EXPECT_EQ(balance.available, 20);
  EXPECT_EQ(balance.held, -21);
  EXPECT_EQ(balance.available_delta, INT64_MIN + 22);
  EXPECT_EQ(balance.held_delta, INT64_MAX - 23);
  EXPECT_EQ(balance.trade_sequence, 24u);
  EXPECT_EQ(balance.order_id, 11u);
  EXPECT_EQ(balance.exchange_order_id, 12u);
  EXPECT_EQ(balance.price, 0);  // not carried by BALANCE
  const Event& asset = r[10].event;
  EXPECT_EQ(asset.asset, 20);
  EXPECT_EQ(asset.quantity, INT64_MAX - 10);
  const Event& fees = r[11].event;
  EXPECT_EQ(fees.symbol, 11u);
  EXPECT_EQ(fees.account, 12u);
  EXPECT_EQ(fees.price, INT64_MIN + 11);
  EXPECT_EQ(fees.maker_ppm, -27);
  EXPECT_EQ(fees.taker_ppm, 28);
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
            "02"                // version
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
            "0000000000000000"    // display_quantity
            "0000000000000000");  // quote_quantity
}

// FORMAT.md's example of a compact BALANCE event.
TEST(WireFormat, BalanceBytesAreTheDocumentedLayout) {
  const EventRecord balance{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")};
  EXPECT_EQ(Hex(Encode(std::span<const EventRecord>(&balance, 1))),
            "5857"      // magic "XW"
            "02"        // version
            "02"        // kind: event batch
            "01000000"  // record count 1
            "09"        // type BALANCE
            "07"
            "4254432d555344"  // symbol "BTC-USD"
            "03"
            "555344"            // asset "USD"
            "0a00000000000000"  // sequence 10
            "e803000000000000"  // timestamp 1000
            "00"                // side B
            "04"                // balance_reason TRADE
            "00000000"          // symbol_id 0
            "01000000"          // account 1
            "0000"              // asset_id 0
            "0700000000000000"  // order_id 7
            "0300000000000000"  // exchange_order_id 3
            "0900000000000000"  // trade_sequence 9
            "5a00000000000000"  // available 90
            "0000000000000000"  // held 0
            "f6ffffffffffffff"  // available_delta -10
            "0000000000000000"  // held_delta 0
  );
}

TEST(WireFormat, NegativeNumbersAreTwosComplementLittleEndian) {
  EventRecord r{SymbolName("X"), Event{}};
  r.event.price = -2;
  const std::string bytes = Encode(std::span<const EventRecord>(&r, 1));
  // header 8, type 1, symbol 2, asset 1, sequence 8, timestamp 8, 4 enums,
  // symbol id 4, account 4, order ids 16, then price.
  EXPECT_EQ(Hex(bytes.substr(8 + 1 + 2 + 1 + 8 + 8 + 4 + 4 + 4 + 16, 8)), "feffffffffffffff");
}

TEST(WireFormat, RecordSizes) {
  // NewOrder with a 7-character symbol: 18 + 7 + 56.
  EXPECT_EQ(OneNewOrderMessage().size(), kCommandHeaderSize + 81);
  const EventRecord trade{SymbolName("BTC-USD"), SampleTrade()};
  // An order event: 3 + symbol + asset + 122.
  EXPECT_EQ(Encode(std::span<const EventRecord>(&trade, 1)).size(), kEventHeaderSize + 132);
  // A BALANCE: 3 + symbol + asset + 84.
  const EventRecord balance{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")};
  EXPECT_EQ(Encode(std::span<const EventRecord>(&balance, 1)).size(), kEventHeaderSize + 97);
  const CommandRecord cancel = Record(1, "BTC-USD", CancelOrder{});
  EXPECT_EQ(Encode(CommandBatch{1, {cancel}}).size(), kCommandHeaderSize + 45);
  const CommandRecord deposit = Record(1, "USD", Deposit{});
  EXPECT_EQ(Encode(CommandBatch{1, {deposit}}).size(), kCommandHeaderSize + 18 + 3 + 20);
  const CommandRecord fees = Record(1, "BTC-USD", SetFees{});
  EXPECT_EQ(Encode(CommandBatch{1, {fees}}).size(), kCommandHeaderSize + 18 + 7 + 14);
  const CommandRecord asset = Record(1, "USD", AddAsset{AssetSpec{SymbolName("USD"), 2}});
  EXPECT_EQ(Encode(CommandBatch{1, {asset}}).size(), kCommandHeaderSize + 18 + 3 + 4);
  InstrumentSpec spec;
  spec.symbol = SymbolName("ETH-USD");
  const CommandRecord add = Record(1, "ETH-USD", AddInstrument{spec});
  EXPECT_EQ(Encode(CommandBatch{1, {add}}).size(), kCommandHeaderSize + 18 + 7 + 82);
}

TEST(WireFormat, PeekKind) {
  EXPECT_EQ(PeekKind(OneNewOrderMessage()), MessageKind::kCommandBatch);
  EXPECT_EQ(PeekKind(Encode(OneOfEachEvent())), MessageKind::kEventBatch);
  EXPECT_EQ(PeekKind(""), MessageKind::kUnknown);
  EXPECT_EQ(PeekKind("XW\x01"), MessageKind::kUnknown);
  EXPECT_EQ(PeekKind(std::string("XW\x01\x01", 4)), MessageKind::kCommandBatch);  // version 1
  EXPECT_EQ(PeekKind(std::string("XW\x01\x02", 4)), MessageKind::kEventBatch);
  EXPECT_EQ(PeekKind(std::string("XW\x03\x01", 4)), MessageKind::kUnknown);  // version 3
  EXPECT_EQ(PeekKind(std::string("XW\x00\x01", 4)), MessageKind::kUnknown);
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
  bad[2] = 3;
  EXPECT_DECODE_ERROR(CommandError(bad), "unsupported version 3", 2);

  EXPECT_DECODE_ERROR(EventError(ok), "bad kind 1: expected 2 (event batch)", 3);
  EXPECT_DECODE_ERROR(CommandError(Encode(OneOfEachEvent())),
                      "bad kind 2: expected 1 (command batch)", 3);
}

TEST(WireErrors, CountLargerThanTheBytesCanHold) {
  std::string bad = OneNewOrderMessage();
  bad[12] = 100;  // record count 100; 81 bytes follow
  EXPECT_DECODE_ERROR(CommandError(bad), "bad count: 100 records need at least 1800 bytes, 81 left",
                      12);
  bad[12] = 0;
  bad[15] = '\xff';  // 4278190080 records
  EXPECT_EQ(CommandError(bad).reason.substr(0, 25), "bad count: 4278190080 rec");

  std::string events = Encode(OneOfEachEvent());
  events[4] = 100;  // 12 records are there
  EXPECT_EQ(EventError(events).reason.substr(0, 10), "bad count:");
}

TEST(WireErrors, TruncatedRecord) {
  const std::string ok = Encode(CommandBatch{1, {SampleNewOrder(), SampleNewOrder()}});
  // Record 1 starts at 16 + 81 and needs 81 bytes.
  EXPECT_DECODE_ERROR(CommandError(ok.substr(0, ok.size() - 1)),
                      "truncated: record 1 needs 81 bytes, 80 left", 97);
  EXPECT_DECODE_ERROR(CommandError(ok.substr(0, 97 + 5)),
                      "truncated: record 1 needs 18 bytes, 5 left", 97);
  // An event record: the prefix, then its names, then the body of its type.
  const EventRecord balance{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")};
  const std::string events = Encode(std::vector<EventRecord>{balance, balance});
  constexpr std::size_t kSecond = kEventHeaderSize + 97;
  EXPECT_DECODE_ERROR(EventError(events.substr(0, events.size() - 1)),
                      "truncated: record 1 needs 97 bytes, 96 left", kSecond);
  EXPECT_DECODE_ERROR(EventError(events.substr(0, kSecond + 5)),
                      "truncated: record 1 needs 10 bytes, 5 left", kSecond);
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
      {kRecord, 0, "bad field: record type 0"}, {kRecord, 12, "bad field: record type 12"},
      {kSideAt, 2, "bad field: side 2"},        {kSideAt + 1, 6, "bad field: order type 6"},
      {kSideAt + 2, 3, "bad field: tif 3"},     {kSideAt + 3, 4, "bad field: stp 4"},
      {kSideAt, 0xff, "bad field: side 255"},
  };
  for (const Case& c : cases) {
    std::string bad = OneNewOrderMessage();
    bad[c.offset] = static_cast<char>(c.value);
    EXPECT_DECODE_ERROR(CommandError(bad), c.reason, c.offset);
  }
  InstrumentSpec spec;
  spec.symbol = SymbolName("ETH-USD");
  std::string add = Encode(CommandBatch{1, {Record(1, "ETH-USD", AddInstrument{spec})}});
  const std::size_t stp_at = kRecord + 18 + 7 + 7 * 8;  // after 7 i64 fields
  add[stp_at] = 4;
  EXPECT_DECODE_ERROR(CommandError(add), "bad field: default stp 4", stp_at);
  add[stp_at] = 0;
  add[stp_at + 1] = 2;  // risk
  EXPECT_DECODE_ERROR(CommandError(add), "bad field: risk 2", stp_at + 1);

  std::string fees = Encode(CommandBatch{1, {Record(1, "ETH-USD", SetFees{})}});
  const std::size_t for_account_at = kRecord + 18 + 7;
  fees[for_account_at] = 2;
  EXPECT_DECODE_ERROR(CommandError(fees), "bad field: for_account 2", for_account_at);
  fees[for_account_at] = 1;
  fees[for_account_at + 5] = 7;  // clear, after the account
  EXPECT_DECODE_ERROR(CommandError(fees), "bad field: clear 7", for_account_at + 5);
}

TEST(WireErrors, EventEnumerationsOutOfRange) {
  const EventRecord trade{SymbolName("BTC-USD"), SampleTrade()};
  const std::string ok = Encode(std::span<const EventRecord>(&trade, 1));
  constexpr std::size_t kType = kEventHeaderSize;
  constexpr std::size_t kSide = kType + 3 + 7 + 16;  // type, symbol, asset, sequence, timestamp
  struct Case {
    std::size_t offset;
    std::uint8_t value;
    std::string reason;
  };
  const Case cases[] = {
      {kType, 12, "bad field: event type 12"},      {kSide, 2, "bad field: side 2"},
      {kSide + 1, 6, "bad field: order type 6"},    {kSide + 2, 26, "bad field: reject reason 26"},
      {kSide + 3, 8, "bad field: cancel reason 8"},
  };
  for (const Case& c : cases) {
    std::string bad = ok;
    bad[c.offset] = static_cast<char>(c.value);
    EXPECT_DECODE_ERROR(EventError(bad), c.reason, c.offset);
  }
  const EventRecord balance{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")};
  std::string bad = Encode(std::span<const EventRecord>(&balance, 1));
  const std::size_t reason_at = kType + 3 + 7 + 3 + 16 + 1;  // after the side
  bad[reason_at] = 7;
  EXPECT_DECODE_ERROR(EventError(bad), "bad field: balance reason 7", reason_at);
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
    if (auto* asset = std::get_if<AddAsset>(&empty.command.body)) asset->spec.name = {};
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
  // The asset name follows the symbol, with the same rules.
  const EventRecord balance{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")};
  event = Encode(std::span<const EventRecord>(&balance, 1));
  const std::size_t asset_at = kEventHeaderSize + 2 + 7;
  event[asset_at + 2] = ' ';
  EXPECT_DECODE_ERROR(EventError(event), "bad field: symbol byte 0x20", asset_at + 2);
  event[asset_at] = 16;
  EXPECT_DECODE_ERROR(EventError(event), "bad field: symbol length 16", asset_at);
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
            "protection=20 stp=CANCEL_INCOMING risk=cash base=1 quote=0 base_mult=1000 "
            "quote_exp=-3 maker_ppm=-100 taker_ppm=500 pseq=11 ts=1011");
  EXPECT_EQ(Describe(r[9]), "ADD_ASSET USD decimals=2 pseq=12 ts=1012");
  EXPECT_EQ(Describe(r[10]), "DEPOSIT acct=1 transfer=5 USD amount=10000 pseq=13 ts=1013");
  EXPECT_EQ(Describe(r[11]),
            "WITHDRAW acct=2 transfer=18446744073709551615 BTC amount=-3 pseq=14 ts=1014");
  EXPECT_EQ(Describe(r[12]), "SET_FEES ETH-USD acct=7 maker_ppm=-50 taker_ppm=300 pseq=15 ts=1015");
  EXPECT_EQ(Describe(r[13]), "SET_FEES ETH-USD default maker_ppm=1 taker_ppm=2 pseq=16 ts=1016");
  EXPECT_EQ(Describe(r[14]), "SET_FEES ETH-USD acct=8 clear pseq=17 ts=1017");
  EXPECT_EQ(Describe(r[15]),
            "NEW acct=6 id=13 ETH-USD B MARKET IOC px=0 qty=0 quote_qty=250000 pseq=18 ts=1018");
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

  EXPECT_EQ(Describe(EventRecord{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")}),
            "BALANCE seq=10 BTC-USD acct=1 asset=USD reason=TRADE available=90 held=0 "
            "available_delta=-10 held_delta=0 id=7 xid=3 trade_seq=9 ts=1000");
  Event deposit = SampleBalance();
  deposit.symbol = kUnknownSymbol;
  deposit.balance_reason = BalanceReason::kDeposit;
  deposit.order_id = 5;
  deposit.trade_sequence = 0;
  deposit.available_delta = 90;
  EXPECT_EQ(Describe(EventRecord{SymbolName(), deposit, SymbolName("USD")}),
            "BALANCE seq=10 - acct=1 asset=USD reason=DEPOSIT available=90 held=0 "
            "available_delta=90 held_delta=0 transfer=5 ts=1000");
  Event refused;
  refused.type = EventType::kRejected;
  refused.sequence = 11;
  refused.account = 1;
  refused.order_id = 6;
  refused.quantity = 500;
  refused.reject_reason = RejectReason::kInsufficientFunds;
  EXPECT_EQ(Describe(EventRecord{SymbolName(), refused, SymbolName("USD")}),
            "REJECTED seq=11 - acct=1 transfer=6 asset=USD amount=500 reason=INSUFFICIENT_FUNDS "
            "ts=0");
  Event asset;
  asset.type = EventType::kAssetAdded;
  asset.sequence = 1;
  asset.asset = 0;
  asset.quantity = 2;
  EXPECT_EQ(Describe(EventRecord{SymbolName(), asset, SymbolName("USD")}),
            "ASSET_ADDED seq=1 - asset=USD asset_id=0 decimals=2 ts=0");
  Event fees;
  fees.type = EventType::kFeesSet;
  fees.sequence = 2;
  fees.maker_ppm = -100;
  fees.taker_ppm = 500;
  EXPECT_EQ(Describe(EventRecord{SymbolName("BTC-USD"), fees}),
            "FEES_SET seq=2 BTC-USD default maker_ppm=-100 taker_ppm=500 ts=0");
  fees.account = 7;
  fees.price = 2;
  EXPECT_EQ(Describe(EventRecord{SymbolName("BTC-USD"), fees}),
            "FEES_SET seq=2 BTC-USD acct=7 clear ts=0");
  for (const EventRecord& r : OneOfEachEvent()) {
    EXPECT_TRUE(Describe(r).starts_with(ToString(r.event.type))) << Describe(r);
  }
}

TEST(WireDescribe, JsonCarriesEveryField) {
  const nlohmann::ordered_json trade = ToJson(EventRecord{SymbolName("BTC-USD"), SampleTrade()});
  EXPECT_EQ(trade.size(), 24u);  // the 22 fields of an order event and the two names
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
            R"("stop_price":-9223372036854775808,"display_quantity":9,"quote_quantity":0})");
  EXPECT_EQ(ToJson(r[5])["symbol"], "");
  EXPECT_EQ(ToJson(r[8])["default_stp"], "CANCEL_INCOMING");
  EXPECT_EQ(ToJson(r[8])["risk"], "cash");
  EXPECT_EQ(ToJson(r[8])["base_multiplier"], 1000);
  EXPECT_EQ(ToJson(r[10]).dump(),
            R"({"type":"DEPOSIT","producer_sequence":13,"timestamp":1013,"symbol":"USD",)"
            R"("account":1,"amount":10000,"transfer":5})");
  EXPECT_EQ(ToJson(r[9])["symbol"], "USD");
  EXPECT_EQ(ToJson(r[12])["for_account"], true);
  const nlohmann::ordered_json balance =
      ToJson(EventRecord{SymbolName("BTC-USD"), SampleBalance(), SymbolName("USD")});
  EXPECT_EQ(balance.size(), 17u);  // type, 2 names, sequence, timestamp, 12 BALANCE fields
  EXPECT_EQ(balance["asset"], "USD");
  EXPECT_EQ(balance["balance_reason"], "TRADE");
  EXPECT_EQ(balance["available_delta"], -10);
  EXPECT_EQ(balance["trade_sequence"], 9);

  const nlohmann::ordered_json batch = ToJson(CommandBatch{42, r});
  EXPECT_EQ(batch["kind"], "commands");
  EXPECT_EQ(batch["version"], 2);
  EXPECT_EQ(batch["producer_id"], 42);
  EXPECT_EQ(batch["records"].size(), r.size());
  const nlohmann::ordered_json events = ToJson(EventBatch{OneOfEachEvent()});
  EXPECT_EQ(events["kind"], "events");
  EXPECT_EQ(events["records"].size(), 12u);
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
  o.quote_quantity = Any<Amount>();
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
  s.risk = AnyEnum(RiskMode::kCash);
  s.base_asset = Any<AssetId>();
  s.quote_asset = Any<AssetId>();
  s.base_multiplier = Any<std::int64_t>();
  s.quote_exponent = Any<std::int32_t>();
  s.fees = FeeRates{Any<std::int32_t>(), Any<std::int32_t>()};
  return AddInstrument{s};
}

template <typename Transfer>
Transfer AnyTransfer() {
  return Transfer{Any<AccountId>(), Any<AssetId>(), Any<Amount>(), Any<TransferId>()};
}

SetFees AnySetFees() {
  return SetFees{Any<SymbolId>(), *rc::gen::arbitrary<bool>(), Any<AccountId>(),
                 *rc::gen::arbitrary<bool>(), FeeRates{Any<std::int32_t>(), Any<std::int32_t>()}};
}

CommandBody AnyCommandBody() {
  switch (*rc::gen::inRange(0, 11)) {
    case 0: return AnyNewOrder();
    case 1:
      return CancelOrder{Any<AccountId>(), Any<SymbolId>(), Any<ClientOrderId>(), Any<OrderId>()};
    case 2: return AnyReplaceOrder();
    case 3: return MassCancel{Any<AccountId>(), Any<SymbolId>()};
    case 4: return HaltSymbol{Any<SymbolId>()};
    case 5: return ResumeSymbol{Any<SymbolId>()};
    case 6: return AnyAddInstrument();
    case 7: return AddAsset{AssetSpec{AnySymbol(1), Any<std::int32_t>()}};
    case 8: return AnyTransfer<Deposit>();
    case 9: return AnyTransfer<Withdraw>();
    default: return AnySetFees();
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
  r.asset = AnySymbol(0);
  Event& e = r.event;
  e.sequence = Any<Sequence>();
  e.timestamp = Any<Timestamp>();
  e.type = AnyEnum(EventType::kFeesSet);
  e.side = AnyEnum(Side::kSell);
  e.order_type = AnyEnum(OrderType::kIceberg);
  e.reject_reason = AnyEnum(RejectReason::kDuplicateAsset);
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
  e.asset = Any<AssetId>();
  e.balance_reason = AnyEnum(BalanceReason::kRounding);
  e.available = Any<Amount>();
  e.held = Any<Amount>();
  e.available_delta = Any<Amount>();
  e.held_delta = Any<Amount>();
  e.trade_sequence = Any<Sequence>();
  e.maker_ppm = Any<std::int32_t>();
  e.taker_ppm = Any<std::int32_t>();
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

// A decoded version 1 batch, encoded (as version 2) and decoded again, is the same batch.
void CheckReencodesTheSame(const CommandBatch& batch) {
  Result<CommandBatch> again = DecodeCommandBatch(Encode(batch));
  RC_ASSERT(again.ok());
  RC_ASSERT(again.value->records.size() == batch.records.size());
  for (std::size_t i = 0; i < batch.records.size(); ++i)
    RC_ASSERT(Same(again.value->records[i], batch.records[i]));
}
void CheckReencodesTheSame(const EventBatch& batch) {
  Result<EventBatch> again = DecodeEventBatch(Encode(batch.records));
  RC_ASSERT(again.ok());
  RC_ASSERT(again.value->records.size() == batch.records.size());
  for (std::size_t i = 0; i < batch.records.size(); ++i)
    RC_ASSERT(Same(again.value->records[i], batch.records[i]));
}

// A valid message of either kind (version 2, or now and then version 1).
std::string AnyValidMessage() {
  if (*rc::gen::inRange(0, 5) == 0) return *rc::gen::element(V1NewOrderMessage(), V1EventMessage());
  if (*rc::gen::arbitrary<bool>()) return Encode(AnyEventRecords());
  return Encode(CommandBatch{Any<std::uint64_t>(), AnyCommandRecords()});
}

// Decodes `bytes` both ways. Neither may crash (the sanitizer build checks
// reads); an error must point inside the message; whatever decodes must
// encode back to exactly `bytes` (the decoder accepts canonical bytes only),
// or for a version 1 message to the version 2 message of the same batch.
void CheckDecodesSafely(std::string_view bytes) {
  Result<CommandBatch> commands = DecodeCommandBatch(bytes);
  Result<EventBatch> events = DecodeEventBatch(bytes);
  RC_ASSERT(!(commands.ok() && events.ok()));
  if (commands.ok()) {
    RC_ASSERT(PeekKind(bytes) == MessageKind::kCommandBatch);
    RC_ASSERT(commands.value->version == static_cast<std::uint8_t>(bytes[2]));
    if (commands.value->version == kVersion) {
      RC_ASSERT(Encode(*commands.value) == bytes);
    } else {
      CheckReencodesTheSame(*commands.value);
    }
    for (const CommandRecord& r : commands.value->records)
      (void)ToJson(r).dump();
  } else {
    RC_ASSERT(!commands.error.reason.empty());
    RC_ASSERT(commands.error.offset <= bytes.size());
  }
  if (events.ok()) {
    RC_ASSERT(PeekKind(bytes) == MessageKind::kEventBatch);
    RC_ASSERT(events.value->version == static_cast<std::uint8_t>(bytes[2]));
    if (events.value->version == kVersion) {
      RC_ASSERT(Encode(events.value->records) == bytes);
    } else {
      CheckReencodesTheSame(*events.value);
    }
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
      const EventRecord want = Expected(records[i]);
      if (!Same(decoded.value->records[i], want)) {
        RC_FAIL("record " + std::to_string(i) + ": got " +
                ToJson(decoded.value->records[i]).dump() + ", want " + ToJson(want).dump());
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
