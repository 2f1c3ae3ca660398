// Tests of the order-flow CSV, events CSV and instruments TOML formats, and
// of the benchmark-mix generator.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "config/instruments_file.h"
#include "engine/engine.h"
#include "orderflow/benchmark_mix.h"
#include "orderflow/events_csv.h"
#include "orderflow/order_flow_csv.h"

namespace exchange {
namespace {

SymbolId Resolve(std::string_view name) {
  return name == "BTC-USD" ? 0 : kUnknownSymbol;
}
std::string Name(SymbolId id) {
  return id == 0 ? "BTC-USD" : "?";
}
AssetId ResolveAsset(std::string_view name) {
  return name == "USD" ? 0 : name == "BTC" ? 1 : kUnknownAsset;
}
std::string AssetName(AssetId id) {
  return id == 0 ? "USD" : id == 1 ? "BTC" : "?";
}

TEST(OrderFlowCsv, ParsesEveryAction) {
  auto n = ParseOrderFlowLine("N,5,1,7,BTC-USD,S,ICEBERG,IOC,100,50,,10,CANCEL_BOTH", 2, Resolve);
  ASSERT_TRUE(std::holds_alternative<NewOrder>(n.body));
  const auto& o = std::get<NewOrder>(n.body);
  EXPECT_EQ(n.timestamp, 5);
  EXPECT_EQ(o.account, 1u);
  EXPECT_EQ(o.order_id, 7u);
  EXPECT_EQ(o.symbol, 0u);
  EXPECT_EQ(o.side, Side::kSell);
  EXPECT_EQ(o.type, OrderType::kIceberg);
  EXPECT_EQ(o.tif, TimeInForce::kIoc);
  EXPECT_EQ(o.price, 100);
  EXPECT_EQ(o.quantity, 50);
  EXPECT_EQ(o.display_quantity, 10);
  EXPECT_EQ(o.stp, StpMode::kCancelBoth);

  auto c = ParseOrderFlowLine("C,6,1,7,BTC-USD,,,,,,,,", 3, Resolve);
  EXPECT_EQ(std::get<CancelOrder>(c.body).order_id, 7u);
  auto r = ParseOrderFlowLine("R,7,1,7,BTC-USD,,,,105,40,,,", 4, Resolve);
  EXPECT_EQ(std::get<ReplaceOrder>(r.body).price, 105);
  EXPECT_EQ(std::get<ReplaceOrder>(r.body).quantity, 40);
  auto m = ParseOrderFlowLine("M,8,1,,,,,,,,,,", 5, Resolve);
  EXPECT_EQ(std::get<MassCancel>(m.body).symbol, kAllSymbols);
  auto h = ParseOrderFlowLine("H,9,,,BTC-USD,,,,,,,,", 6, Resolve);
  EXPECT_EQ(std::get<HaltSymbol>(h.body).symbol, 0u);
  auto unknown = ParseOrderFlowLine("N,5,1,7,DOGE,B,LIMIT,GTC,100,50,,,", 7, Resolve);
  EXPECT_EQ(std::get<NewOrder>(unknown.body).symbol, kUnknownSymbol);  // engine rejects it
}

TEST(OrderFlowCsv, ParsesDepositsAndWithdrawals) {
  auto d = ParseOrderFlowLine("D,10,3,77,USD,,,,,10000,,,", 2, Resolve, ResolveAsset);
  ASSERT_TRUE(std::holds_alternative<Deposit>(d.body));
  const auto& deposit = std::get<Deposit>(d.body);
  EXPECT_EQ(d.timestamp, 10);
  EXPECT_EQ(deposit.account, 3u);
  EXPECT_EQ(deposit.transfer, 77u);
  EXPECT_EQ(deposit.asset, 0);  // USD
  EXPECT_EQ(deposit.amount, 10000);
  auto w = ParseOrderFlowLine("W,11,3,78,BTC,,,,,-5,,,", 3, Resolve, ResolveAsset);
  ASSERT_TRUE(std::holds_alternative<Withdraw>(w.body));
  EXPECT_EQ(std::get<Withdraw>(w.body).asset, 1);
  EXPECT_EQ(std::get<Withdraw>(w.body).amount, -5);  // the engine rejects it
  EXPECT_EQ(std::get<Withdraw>(w.body).transfer, 78u);
  // An unknown asset, or no asset resolver (the old callers): kUnknownAsset.
  auto doge = ParseOrderFlowLine("D,10,3,79,DOGE,,,,,1,,,", 4, Resolve, ResolveAsset);
  EXPECT_EQ(std::get<Deposit>(doge.body).asset, kUnknownAsset);
  auto unresolved = ParseOrderFlowLine("D,10,3,79,USD,,,,,1,,,", 5, Resolve);
  EXPECT_EQ(std::get<Deposit>(unresolved.body).asset, kUnknownAsset);
}

TEST(OrderFlowCsv, MalformedLinesNameTheLineAndTheField) {
  auto error_of = [](std::string_view line) {
    try {
      ParseOrderFlowLine(line, 42, Resolve);
    } catch (const OrderFlowError& e) {
      EXPECT_EQ(e.line(), 42u);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("N,5,1,7,BTC-USD,B,LIMIT,GTC,100"), "line 42: expected 13 fields, found 9");
  EXPECT_EQ(error_of("N,5,1,7,BTC-USD,X,LIMIT,GTC,100,50,,,"), "line 42: side 'X' is unknown");
  EXPECT_EQ(error_of("N,5,1,7,BTC-USD,B,LIMIT,GTC,1x0,50,,,"),
            "line 42: price '1x0' is not an integer");
  EXPECT_EQ(error_of("N,5,1,7,BTC-USD,B,WEIRD,GTC,100,50,,,"), "line 42: type 'WEIRD' is unknown");
  EXPECT_EQ(error_of("N,5,1,7,BTC-USD,B,LIMIT,GTC,100,,,,"), "line 42: qty is required");
  EXPECT_EQ(error_of("N,5,-1,7,BTC-USD,B,LIMIT,GTC,100,5,,,"), "line 42: account out of range");
  EXPECT_EQ(error_of("X,5,1,7,BTC-USD,B,LIMIT,GTC,100,5,,,"),
            "line 42: action 'X' is not one of N C R M H U D W");
  EXPECT_EQ(error_of("D,5,1,7,,,,,,100,,,"), "line 42: symbol (the asset) is required");
  EXPECT_EQ(error_of("D,5,1,7,USD,,,,,,,,"), "line 42: qty is required");
  EXPECT_EQ(error_of("W,5,1,,USD,,,,,100,,,"), "line 42: order_id is required");
  EXPECT_EQ(error_of("W,5,,7,USD,,,,,100,,,"), "line 42: account is required");
  EXPECT_EQ(error_of("D,5,1,-7,USD,,,,,100,,,"), "line 42: order_id out of range");
  EXPECT_EQ(error_of("R,5,1,7,BTC-USD,,,,,,,,"),
            "line 42: replace needs a new price, qty or stop_price");
}

TEST(OrderFlowCsv, FormatIsTheInverseOfParse) {
  for (std::string_view line :
       {"N,5,1,7,BTC-USD,S,ICEBERG,IOC,100,50,,10,CANCEL_BOTH",
        "N,6,2,8,BTC-USD,B,STOP_LIMIT,GTC,100,50,90,,", "C,6,1,7,BTC-USD,,,,,,,,",
        "R,7,1,7,BTC-USD,,,,105,40,,,", "M,8,1,,,,,,,,,,", "H,9,,,BTC-USD,,,,,,,,"}) {
    EXPECT_EQ(FormatOrderFlowLine(ParseOrderFlowLine(line, 1, Resolve), Name), line);
  }
  for (std::string_view line : {"D,10,3,77,USD,,,,,10000,,,", "W,11,4,78,BTC,,,,,-5,,,"}) {
    const Command c = ParseOrderFlowLine(line, 1, Resolve, ResolveAsset);
    EXPECT_EQ(FormatOrderFlowLine(c, Name, AssetName), line);
  }
}

TEST(OrderFlowCsv, AssetAndFeeCommandsAreWrittenAsComments) {
  EXPECT_EQ(FormatOrderFlowLine(Command{0, AddAsset{AssetSpec{SymbolName("USD"), 2}}}, Name),
            "#add-asset USD decimals=2");
  SetFees fees{.symbol = 0, .rates = {.maker_ppm = -100, .taker_ppm = 500}};
  EXPECT_EQ(FormatOrderFlowLine(Command{0, fees}, Name),
            "#set-fees BTC-USD default maker_ppm=-100 taker_ppm=500");
  fees.for_account = true;
  fees.account = 7;
  fees.clear = true;
  EXPECT_EQ(FormatOrderFlowLine(Command{0, fees}, Name), "#set-fees BTC-USD acct=7 clear");
  // Without an asset name the row has an empty symbol, which the reader refuses.
  const Command d = ParseOrderFlowLine("D,10,3,77,USD,,,,,10000,,,", 1, Resolve, ResolveAsset);
  EXPECT_EQ(FormatOrderFlowLine(d, Name), "D,10,3,77,,,,,,10000,,,");
}

TEST(OrderFlowCsv, ReadPassesTheAssetResolver) {
  std::istringstream in(std::string(kOrderFlowHeader) +
                        "\nD,1,3,77,BTC,,,,,5,,,\nN,5,1,7,BTC-USD,B,LIMIT,GTC,100,5,,,\n");
  const std::vector<Command> commands = ReadOrderFlow(in, Resolve, ResolveAsset);
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(std::get<Deposit>(commands[0].body).asset, 1);
  EXPECT_EQ(std::get<NewOrder>(commands[1].body).symbol, 0u);
}

TEST(OrderFlowCsv, ReadChecksTheHeader) {
  std::istringstream bad("action,ts\nN,5,1,7,BTC-USD,B,LIMIT,GTC,100,5,,,\n");
  EXPECT_THROW(ReadOrderFlow(bad, Resolve), OrderFlowError);
  std::istringstream good(std::string("# comment\n") + std::string(kOrderFlowHeader) +
                          "\n\nN,5,1,7,BTC-USD,B,LIMIT,GTC,100,5,,,\r\n");
  EXPECT_EQ(ReadOrderFlow(good, Resolve).size(), 1u);
}

TEST(EventsCsv, TradeAndRejectRows) {
  Event t;
  t.sequence = 9;
  t.type = EventType::kTrade;
  t.account = 3;
  t.order_id = 4;
  t.symbol = 0;
  t.side = Side::kBuy;
  t.price = 100;
  t.quantity = 5;
  t.leaves = 1;
  t.maker_account = 1;
  t.maker_order_id = 2;
  std::string out;
  auto name = [](SymbolId) { return std::string_view("BTC-USD"); };
  AppendEventCsv(t, name, out);
  EXPECT_EQ(out, "9,TRADE,3,4,BTC-USD,B,100,5,1,1,2,\n");
  Event r;
  r.sequence = 10;
  r.type = EventType::kRejected;
  r.reject_reason = RejectReason::kPriceNotOnTick;
  out.clear();
  AppendEventCsv(r, name, out);
  EXPECT_EQ(out, "10,REJECTED,0,0,BTC-USD,B,0,0,0,,,PRICE_NOT_ON_TICK\n");
}

TEST(EventsCsv, BalanceAndAssetRows) {
  auto name = [](SymbolId) { return std::string_view("BTC-USD"); };
  auto asset = [](AssetId id) { return std::string_view(id == 0 ? "USD" : "?"); };
  Event b;
  b.sequence = 11;
  b.type = EventType::kBalance;
  b.account = 3;
  b.order_id = 4;
  b.symbol = 0;
  b.asset = 0;
  b.balance_reason = BalanceReason::kHold;
  b.available = 900;
  b.held = 100;
  b.available_delta = -100;
  b.held_delta = 100;
  std::string out;
  AppendEventCsv(b, name, asset, out);
  EXPECT_EQ(out, "11,BALANCE,3,4,USD,,,900,100,,,HOLD\n");
  // Every row has the header's columns.
  EXPECT_EQ(std::count(out.begin(), out.end(), ','),
            std::count(kEventsHeader.begin(), kEventsHeader.end(), ','));

  Event refused;
  refused.sequence = 12;
  refused.type = EventType::kRejected;
  refused.account = 3;
  refused.order_id = 5;  // the transfer id
  refused.asset = 0;
  refused.quantity = 50;
  refused.reject_reason = RejectReason::kInsufficientFunds;
  out.clear();
  AppendEventCsv(refused, name, asset, out);
  EXPECT_EQ(out, "12,REJECTED,3,5,USD,B,0,50,0,,,INSUFFICIENT_FUNDS\n");

  Event added;
  added.sequence = 1;
  added.type = EventType::kAssetAdded;
  added.asset = 0;
  added.quantity = 2;
  out.clear();
  AppendEventCsv(added, name, asset, out);
  EXPECT_EQ(out, "1,ASSET_ADDED,0,0,USD,B,0,2,0,,,\n");
  // The old overload has no asset names.
  out.clear();
  AppendEventCsv(b, name, out);
  EXPECT_EQ(out, "11,BALANCE,3,4,,,,900,100,,,HOLD\n");
}

TEST(InstrumentsFile, ParsesTheShippedDefault) {
  const auto list = LoadInstruments(std::string(EXCHANGE_SOURCE_DIR) + "/config/instruments.toml");
  ASSERT_GE(list.size(), 3u);
  EXPECT_EQ(list[0].spec.symbol.view(), "BTC-USD");
  EXPECT_EQ(list[0].spec.price_band_bps, 1000);
  EXPECT_EQ(list[0].price_decimals, 2);
}

TEST(InstrumentsFile, ErrorsNameTheInstrumentAndKey) {
  auto error_of = [](const std::string& text) {
    try {
      ParseInstruments(text, "x.toml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("[[instrument]]\nsymbol = \"A\"\ntick_size = \"one\"\n"),
            "x.toml: instrument #1 (A): 'tick_size' must be an integer");
  EXPECT_EQ(error_of("[[instrument]]\nsymbol = \"A\"\ntick = 1\n"),
            "x.toml: instrument #1 (A): unknown key 'tick'");
  EXPECT_EQ(error_of("[[instrument]]\ntick_size = 1\n"),
            "x.toml: instrument #1: 'symbol' (a string) is required");
  EXPECT_EQ(error_of("[[instrument]]\nsymbol = \"A\"\n[[instrument]]\nsymbol = \"A\"\n"),
            "x.toml: instrument #2: symbol A listed twice");
  EXPECT_NE(error_of("[[instrument]]\nsymbol = \"A\"\nlot_size = 0\n").find("lot_size"),
            std::string::npos);
  EXPECT_EQ(error_of("title = 1\n"), "x.toml: no [[instrument]] tables");
  EXPECT_NE(error_of("[[instrument]\n").find("x.toml:1"), std::string::npos);
}

TEST(BenchmarkMix, HasTheExchangeCoreShape) {
  BenchmarkMixOptions o;
  o.commands = 50'000;
  const BenchmarkFlow flow = GenerateBenchmarkMix(o);
  std::size_t gtc = 0, ioc = 0, cancel = 0, replace = 0;
  for (const Command& c : flow.commands) {
    if (const auto* n = std::get_if<NewOrder>(&c.body)) {
      (n->tif == TimeInForce::kIoc ? ioc : gtc)++;
    }
    cancel += std::holds_alternative<CancelOrder>(c.body);
    replace += std::holds_alternative<ReplaceOrder>(c.body);
  }
  auto near = [&](std::size_t count, double percent) {
    return std::abs(100.0 * static_cast<double>(count) / 50'000.0 - percent) < 1.0;
  };
  EXPECT_TRUE(near(gtc, 9)) << gtc;
  EXPECT_TRUE(near(ioc, 3)) << ioc;
  EXPECT_TRUE(near(cancel, 6)) << cancel;
  EXPECT_TRUE(near(replace, 82)) << replace;

  // Replayed on a fresh engine: every cancel and replace names a live order
  // and the book stays near 1,000 orders over several hundred levels.
  Engine engine;
  engine.Process(Command{0, AddInstrument{flow.instrument}});
  for (const Command& c : flow.prefill)
    engine.Process(c);
  std::size_t unknown = 0;
  for (const Command& c : flow.commands) {
    for (const Event& e : engine.Process(c))
      unknown += e.reject_reason == RejectReason::kUnknownOrder;
  }
  EXPECT_EQ(unknown, 0u);
  EXPECT_NEAR(static_cast<double>(engine.live_orders()), 1000.0, 100.0);
  const std::size_t levels = engine.book(0).bids.level_count() + engine.book(0).asks.level_count();
  EXPECT_GT(levels, 600u);
  EXPECT_LT(levels, 900u);

  // Deterministic: the same seed gives the same flow.
  const BenchmarkFlow again = GenerateBenchmarkMix(o);
  ASSERT_EQ(again.commands.size(), flow.commands.size());
  EXPECT_EQ(FormatOrderFlowLine(again.commands.back(), Name),
            FormatOrderFlowLine(flow.commands.back(), Name));
}

}  // namespace
}  // namespace exchange
