// exchange-md's WebSocket streams. Without services: the frame reader
// (masking, fragments, control frames between fragments, protocol errors),
// stream names, the kline tracker and the ticker buckets. Against real Redis and PostgreSQL
// (scripts/services.sh): an in-process engine (MarketProducer) writes
// what the engine service's sinks would, the server and its MarketFeed run
// in process, and Beast WebSocket clients check subscribe / unsubscribe /
// list and their errors, the trade stream against the engine's trades, the
// kline stream's closed flag, combined streams, that a local book kept from
// a REST snapshot plus depth diffs while 100,000 orders flow ends equal to
// the engine's book, that a client that does not read is dropped, and the
// ticker streams (each field against the engine's trades and book and the
// REST tickers, the alias, the !…@arr arrays, silence when nothing changes).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "base/binance_symbol.h"
#include "base/fixed_point_text.h"
#include "bookstate/view_keys.h"
#include "md/feed/kline_tracker.h"
#include "md/feed/market_feed.h"
#include "md/feed/symbol_ticker.h"
#include "md/feed/trade_aggregates.h"
#include "md/http/http_server.h"
#include "md/http/request_metrics.h"
#include "md/ws/message_rate.h"
#include "md/ws/stream_name.h"
#include "md/ws/ws_frame.h"
#include "md/ws/ws_request.h"
#include "orderflow/benchmark_mix.h"
#include "testing/market_producer.h"
#include "tests/service_env.h"

namespace exchange::md {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using json = nlohmann::json;
using tcp = asio::ip::tcp;

constexpr Timestamp kSecond = 1'000'000'000;
constexpr int kPriceDecimals = 2;
constexpr int kQuantityDecimals = 0;

Timestamp NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- Frames, names and klines (no services) ----

std::string ClientFrame(WsOpcode opcode, std::string_view payload, bool fin = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(opcode));
  const std::uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (payload.size() < 126) {
    out += static_cast<char>(0x80 | payload.size());
  } else {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  }
  out.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += static_cast<char>(payload[i] ^ mask[i % 4]);
  return out;
}

TEST(WsFrame, ReaderJoinsFragmentsAndPassesControlFramesBetweenThem) {
  ClientFrameReader reader(1 << 16);
  const std::string big(300, 'x');
  std::string bytes =
      ClientFrame(WsOpcode::kText, "hel", false) + ClientFrame(WsOpcode::kPing, "p") +
      ClientFrame(WsOpcode::kContinuation, "lo") + ClientFrame(WsOpcode::kText, big);
  // Fed one byte at a time: every split point of a frame is handled.
  std::vector<WsMessage> got;
  for (char c : bytes) {
    reader.Feed(std::string_view(&c, 1));
    while (auto m = reader.Next())
      got.push_back(*m);
  }
  ASSERT_EQ(got.size(), 3u) << reader.error();
  EXPECT_EQ(got[0].opcode, WsOpcode::kPing);
  EXPECT_EQ(got[0].payload, "p");
  EXPECT_EQ(got[1].opcode, WsOpcode::kText);
  EXPECT_EQ(got[1].payload, "hello");
  EXPECT_EQ(got[2].payload, big);
  EXPECT_TRUE(reader.error().empty());
}

TEST(WsFrame, ReaderRefusesUnmaskedOversizedAndMisplacedFrames) {
  {
    ClientFrameReader reader(1024);
    std::string unmasked = "\x81\x02hi";
    reader.Feed(unmasked);
    EXPECT_FALSE(reader.Next().has_value());
    EXPECT_EQ(reader.close_code(), kCloseProtocolError);
    EXPECT_NE(reader.error().find("not masked"), std::string::npos);
  }
  {
    ClientFrameReader reader(100);
    reader.Feed(ClientFrame(WsOpcode::kText, std::string(200, 'a')));
    EXPECT_FALSE(reader.Next().has_value());
    EXPECT_EQ(reader.close_code(), kCloseTooBig);
  }
  {
    ClientFrameReader reader(1024);
    reader.Feed(ClientFrame(WsOpcode::kContinuation, "x"));
    EXPECT_FALSE(reader.Next().has_value());
    EXPECT_EQ(reader.close_code(), kCloseProtocolError);
  }
  {
    ClientFrameReader reader(1024);
    reader.Feed(ClientFrame(WsOpcode::kPing, "x", /*fin=*/false));
    EXPECT_FALSE(reader.Next().has_value());
    EXPECT_EQ(reader.close_code(), kCloseProtocolError);
  }
}

TEST(WsFrame, ServerFramesCarryTheirLength) {
  for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
    std::string frame;
    AppendServerFrame(frame, WsOpcode::kText, std::string(n, 'z'));
    const std::size_t header = n < 126 ? 2 : n <= 65535 ? 4 : 10;
    ASSERT_EQ(frame.size(), header + n) << n;
    EXPECT_EQ(static_cast<std::uint8_t>(frame[0]), 0x81);
  }
  const std::string close = CloseFrame(kClosePolicy, "slow");
  EXPECT_EQ(close.substr(2), std::string("\x03\xf0slow", 6));
}

TEST(StreamNames, ParseCanonicalAndRefuseMalformed) {
  std::string error;
  auto s = ParseStreamName("BTC-USD@kline_1M", error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->symbol, "btc-usd");
  EXPECT_EQ(s->kind, StreamKind::kKline);
  EXPECT_EQ(s->interval, candles::CandleInterval::k1M);
  EXPECT_EQ(s->ToString(), "btc-usd@kline_1M");
  EXPECT_EQ(ParseStreamName("aapl@depth", error)->ToString(), "aapl@depth");
  for (std::string_view name : {"aapl@aggTrade", "aapl@bookTicker", "aapl@depth@100ms",
                                "aapl@depth5", "aapl@depth10@100ms", "aapl@depth20"}) {
    const auto parsed = ParseStreamName(name, error);
    ASSERT_TRUE(parsed.has_value()) << name << ": " << error;
    EXPECT_EQ(parsed->ToString(), name);
  }
  EXPECT_EQ(ParseStreamName("aapl@depth10@100ms", error)->levels, 10);
  EXPECT_EQ(ParseStreamName("aapl@depth10@100ms", error)->speed, DepthSpeed::k100ms);
  EXPECT_EQ(ParseStreamName("aapl@depth", error)->speed, DepthSpeed::k1000ms);
  for (std::string_view name :
       {"aapl@miniTicker", "aapl@ticker", "aapl@ticker_1h", "aapl@ticker_4h", "aapl@ticker_1d",
        "aapl@avgPrice", "!miniTicker@arr", "!ticker@arr", "!ticker_1h@arr", "!ticker_4h@arr",
        "!ticker_1d@arr"}) {
    const auto parsed = ParseStreamName(name, error);
    ASSERT_TRUE(parsed.has_value()) << name << ": " << error;
    EXPECT_EQ(parsed->ToString(), name);
    EXPECT_EQ(parsed->every_symbol, name.starts_with('!')) << name;
  }
  EXPECT_EQ(ParseStreamName("AAPL@ticker_4h", error)->window, TickerWindow::k4h);
  EXPECT_EQ(ParseStreamName("!ticker_1d@arr", error)->kind, StreamKind::kWindowTicker);
  EXPECT_EQ(EverySymbolKey(StreamKind::kWindowTicker, TickerWindow::k1d), "!ticker_1d@arr");
  for (std::string_view bad :
       {"aapl", "@trade", "aapl@kline_7m", "aapl@tickers", "aapl@kline_", "aapl@depth7",
        "aapl@depth@500ms", "aapl@aggtrade", "aapl@ticker_2h", "aapl@miniticker", "aapl@avgprice",
        "!avgPrice@arr", "!trade@arr", "!miniTicker", "!ticker_7d@arr", "!bookTicker"}) {
    error.clear();
    EXPECT_FALSE(ParseStreamName(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(WsRequests, BinanceMethodsAndTheirErrorCodes) {
  auto ok = [](std::string_view text) {
    auto r = ParseWsRequest(text);
    EXPECT_TRUE(std::holds_alternative<WsRequest>(r)) << text;
    return std::holds_alternative<WsRequest>(r) ? std::get<WsRequest>(r) : WsRequest{};
  };
  auto error = [](std::string_view text) {
    auto r = ParseWsRequest(text);
    EXPECT_TRUE(std::holds_alternative<WsRequestError>(r)) << text;
    return std::holds_alternative<WsRequestError>(r) ? std::get<WsRequestError>(r)
                                                     : WsRequestError{};
  };
  const WsRequest sub = ok(R"({"method":"SUBSCRIBE","params":["a@trade","b@depth"],"id":1})");
  EXPECT_EQ(sub.method, WsMethod::kSubscribe);
  EXPECT_EQ(sub.streams, (std::vector<std::string>{"a@trade", "b@depth"}));
  EXPECT_EQ(sub.id, 1);
  EXPECT_EQ(ok(R"({"method":"UNSUBSCRIBE","params":[],"id":"abc9"})").id, "abc9");
  EXPECT_EQ(ok(R"({"method":"LIST_SUBSCRIPTIONS","id":null})").method,
            WsMethod::kListSubscriptions);
  EXPECT_EQ(ok(R"({"method":"LIST_SUBSCRIPTIONS","id":-9223372036854775808})").id, INT64_MIN);
  const WsRequest set = ok(R"({"method":"SET_PROPERTY","params":["combined",true],"id":5})");
  EXPECT_EQ(set.method, WsMethod::kSetProperty);
  EXPECT_TRUE(set.combined);
  EXPECT_EQ(ok(R"({"method":"GET_PROPERTY","params":["combined"],"id":2})").method,
            WsMethod::kGetProperty);
  // Binance's codes: 0 unknown property, 1 wrong value type, 2 invalid
  // request, 3 invalid JSON; the id is echoed when it could be read.
  const WsRequestError json_error = error("{not json");
  EXPECT_EQ(json_error.code, kWsInvalidJson);
  EXPECT_TRUE(json_error.msg.starts_with("Invalid JSON: ")) << json_error.msg;
  EXPECT_TRUE(json_error.id.is_null());
  EXPECT_EQ(error(R"({"method":"GET_PROPERTY","params":["compressed"],"id":7})").code,
            kWsUnknownProperty);
  EXPECT_EQ(error(R"({"method":"GET_PROPERTY","params":["compressed"],"id":7})").id, 7);
  EXPECT_EQ(error(R"({"method":"SET_PROPERTY","params":["combined","yes"],"id":1})").code,
            kWsInvalidValue);
  EXPECT_EQ(error(R"({"method":"SET_PROPERTY","params":[1,true],"id":1})").msg,
            "Invalid request: property name must be a string");
  EXPECT_EQ(error(R"({"method":"SET_PROPERTY","params":["combined",true,1],"id":1})").msg,
            "Invalid request: too many parameters");
  EXPECT_EQ(error(R"({"method":"LIST_SUBSCRIPTIONS","params":["x"],"id":1})").msg,
            "Invalid request: too many parameters");
  EXPECT_EQ(error(R"({"method":"SUBSCRIBE","params":"a@trade","id":1})").code, kWsInvalidValue);
  EXPECT_EQ(error(R"({"method":"SUBSCRIBE","params":[1],"id":1})").code, kWsInvalidValue);
  EXPECT_EQ(error(R"({"params":[],"id":1})").msg, "Invalid request: missing field `method`");
  const WsRequestError variant = error(R"({"method":"PING","id":3})");
  EXPECT_EQ(variant.code, kWsInvalidRequest);
  EXPECT_NE(variant.msg.find("unknown variant `PING`, expected one of `SUBSCRIBE`"),
            std::string::npos);
  for (std::string_view bad_id :
       {R"({"method":"LIST_SUBSCRIPTIONS"})", R"({"method":"LIST_SUBSCRIPTIONS","id":1.5})",
        R"({"method":"LIST_SUBSCRIPTIONS","id":"a-b"})",
        R"({"method":"LIST_SUBSCRIPTIONS","id":"0123456789012345678901234567890123456"})",
        R"({"method":"LIST_SUBSCRIPTIONS","id":9223372036854775808})"}) {
    EXPECT_EQ(error(bad_id).code, kWsInvalidRequest) << bad_id;
  }
  EXPECT_EQ(WsErrorReply({kWsUnknownProperty, "Unknown property", 5}),
            R"({"error":{"code":0,"msg":"Unknown property"},"id":5})");
}

TEST(WsLimits, MessageRateAllowsFiveInAnySecond) {
  using Clock = MessageRate::Clock;
  MessageRate rate(5);
  const Clock::time_point t0{};
  auto at = [&](int ms) { return t0 + std::chrono::milliseconds(ms); };
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(rate.Allow(at(i * 100))) << i;  // 0, 100, ..., 400
  EXPECT_FALSE(rate.Allow(at(999)));            // a sixth within a second of the first
  MessageRate later(5);
  for (int i = 0; i < 5; ++i)
    later.Allow(at(i * 100));
  EXPECT_TRUE(later.Allow(at(1000)));   // the first has left the window
  EXPECT_FALSE(later.Allow(at(1099)));  // 100..1099 would hold six
  EXPECT_TRUE(later.Allow(at(1100)));
  MessageRate none(0);
  for (int i = 0; i < 100; ++i)
    EXPECT_TRUE(none.Allow(t0));
}

TEST(AggTrades, OneTakerOrderAtOnePriceIsOneAggregate) {
  using bookstate::TradePrint;
  const Timestamp t = 1'700'000'000 * kSecond;
  const std::vector<TradePrint> trades{
      {10, 100, 1, t, Side::kBuy, 7},  {11, 100, 2, t, Side::kBuy, 7},       // one aggregate
      {12, 101, 3, t, Side::kBuy, 7},                                        // another price
      {13, 101, 1, t, Side::kSell, 8},                                       // another taker
      {14, 101, 1, t, Side::kSell, 0}, {15, 101, 1, t, Side::kSell, 0},      // taker unknown
      {16, 101, 1, t, Side::kSell, 9}, {17, 101, 1, t + 1, Side::kSell, 9},  // another time
  };
  std::vector<TradeAggregate> out;
  AggregateTradePrints(trades, out);
  const std::vector<TradeAggregate> expected{
      {10, 10, 11, 100, 3, t, Side::kBuy},     {12, 12, 12, 101, 3, t, Side::kBuy},
      {13, 13, 13, 101, 1, t, Side::kSell},    {14, 14, 14, 101, 1, t, Side::kSell},
      {15, 15, 15, 101, 1, t, Side::kSell},    {16, 16, 16, 101, 1, t, Side::kSell},
      {17, 17, 17, 101, 1, t + 1, Side::kSell}};
  EXPECT_EQ(out, expected);
}

TEST(KlineTracker, ClosesOnALaterBucketOrOnTheClockAndSkipsWhatItHolds) {
  using candles::CandleInterval;
  const Timestamp minute = 60 * kSecond;
  const Timestamp t0 = 1'700'000'040 * kSecond;  // a minute's start
  KlineTracker tracker(SymbolName("K"), CandleInterval::k1m);
  candles::Candle seed =
      candles::CandleOf({SymbolName("K"), 10, t0 + kSecond, 100, 2}, CandleInterval::k1m);
  tracker.Seed(seed);
  std::vector<KlineTracker::Update> out;
  tracker.OnTrade({10, 100, 2, t0 + kSecond, Side::kBuy}, out);  // already in the seed
  EXPECT_TRUE(out.empty());
  tracker.OnTrade({11, 105, 1, t0 + 2 * kSecond, Side::kBuy}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].closed);
  EXPECT_EQ(out[0].candle.trade_count, 2u);
  EXPECT_EQ(out[0].candle.high, 105);
  out.clear();
  tracker.OnTrade({12, 99, 1, t0 + minute + kSecond, Side::kSell}, out);  // next minute
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].closed);
  EXPECT_EQ(out[0].candle.close, 105);
  EXPECT_EQ(out[0].candle.open_time, t0);
  EXPECT_FALSE(out[1].closed);
  EXPECT_EQ(out[1].candle.open_time, t0 + minute);
  out.clear();
  tracker.OnTrade({13, 98, 1, t0 + 3 * kSecond, Side::kSell}, out);  // a past bucket
  EXPECT_TRUE(out.empty());
  tracker.OnClock(t0 + 2 * minute + kSecond / 2, kSecond, out);  // within the grace
  EXPECT_TRUE(out.empty());
  tracker.OnClock(t0 + 2 * minute + kSecond, kSecond, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].closed);
  out.clear();
  tracker.OnClock(t0 + 3 * minute, kSecond, out);  // closed once
  EXPECT_TRUE(out.empty());
}

TEST(SymbolTicker, BucketsSumAsTheCandlesAndSlideOverTheDay) {
  using candles::CandleInterval;
  const Timestamp minute = 60 * kSecond;
  const Timestamp t0 = 1'700'000'040 * kSecond;  // a minute's start
  const SymbolName k("K");
  auto candle = [&](Sequence id, Timestamp time, Price price, Quantity qty) {
    return candles::CandleOf({k, id, time, price, qty}, CandleInterval::k1m);
  };
  SymbolTicker ticker(k);
  SymbolTicker::Seed seed;
  seed.from = t0;
  seed.before = candle(5, t0 - minute, 90, 1);
  seed.minutes = {candle(10, t0 + kSecond, 100, 2), candle(11, t0 + 2 * minute, 110, 1)};
  candles::Merge(seed.minutes[1], candle(12, t0 + 2 * minute + kSecond, 105, 3));
  seed.last = bookstate::LastTrade{105, 3, t0 + 2 * minute + kSecond, 12};
  ticker.Start(seed);
  EXPECT_EQ(ticker.prev_close(), 90);
  ticker.OnTrade({12, 105, 3, t0 + 2 * minute + kSecond, Side::kBuy});  // held: skipped
  ticker.OnTrade({13, 120, 4, t0 + 3 * minute, Side::kSell});           // a new bucket
  ticker.OnTrade({14, 95, 1, t0 + minute + kSecond, Side::kBuy});       // late, between buckets
  WindowStats all = ticker.Stats(t0);
  EXPECT_EQ(all.trades, 5u);
  EXPECT_EQ(all.first_id, 10);
  EXPECT_EQ(all.last_id, 13);  // the newest bucket's last trade
  EXPECT_EQ(all.open, 100);
  EXPECT_EQ(all.close, 120);
  EXPECT_EQ(all.high, 120);
  EXPECT_EQ(all.low, 95);
  EXPECT_EQ(all.volume, 11);
  EXPECT_EQ(all.quote_volume, 100 * 2 + 95 + 110 + 105 * 3 + 120 * 4);
  EXPECT_EQ(ticker.last()->price, 95);  // the newest by trade id
  EXPECT_EQ(ticker.last()->sequence, 14u);
  const WindowStats later = ticker.Stats(t0 + 2 * minute);
  EXPECT_EQ(later.trades, 3u);
  EXPECT_EQ(later.open, 110);
  // The day slides past the first two buckets: the newest dropped is the
  // previous close; a trade before the day is in no window.
  ticker.Trim(t0 + 2 * minute);
  EXPECT_EQ(ticker.prev_close(), 95);
  EXPECT_EQ(ticker.Stats(0), later);
  ticker.OnTrade({15, 1, 1, t0, Side::kBuy});
  EXPECT_EQ(ticker.Stats(0), later);
}

// ---- Against the services ----

// "123.45" with 2 decimals → 12345.
std::int64_t ParseFixed(const std::string& s, int decimals) {
  const std::size_t dot = s.find('.');
  std::string digits = s.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : s.substr(dot + 1);
  fraction.resize(static_cast<std::size_t>(decimals), '0');
  return std::stoll(digits + fraction);
}

// A WebSocket client for the tests whose reads have a deadline (a test that
// fails never hangs). Reads are asynchronous underneath: one read stays
// pending across TryRead calls that time out, so no message is lost and
// the stream stays usable. (SO_RCVTIMEO would not do: Asio waits again in
// poll after the timed-out recv.)
class WsClient {
 public:
  WsClient(std::uint16_t port, const std::string& target) : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1", target);
  }
  void Send(const json& request) { ws_.write(asio::buffer(request.dump())); }
  // The next message, or nullopt when none came within `limit`.
  std::optional<json> TryRead(std::chrono::milliseconds limit) {
    if (!reading_) {
      reading_ = true;
      done_.reset();
      buffer_.clear();
      ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) { done_ = ec; });
    }
    io_.restart();
    io_.run_for(limit);
    if (!done_) return std::nullopt;
    reading_ = false;
    if (*done_) throw beast::system_error(*done_);
    return json::parse(beast::buffers_to_string(buffer_.data()));
  }
  json Read() {
    std::optional<json> message = TryRead(std::chrono::seconds(20));
    if (!message) throw std::runtime_error("no WebSocket message within 20 s");
    return std::move(*message);
  }
  // The reply to request `id`, skipping stream messages (kept in `skipped`).
  json Call(const json& request, std::vector<json>* skipped = nullptr) {
    Send(request);
    for (;;) {
      json message = Read();
      if (message.contains("id") && message["id"] == request["id"]) return message;
      if (skipped) skipped->push_back(std::move(message));
    }
  }
  websocket::stream<tcp::socket>& stream() { return ws_; }

 private:
  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  bool reading_ = false;  // an async_read is pending
  std::optional<beast::error_code> done_;
};

// An HTTP GET's status and body.
std::pair<unsigned, std::string> Get(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return {response.result_int(), response.body()};
}

// The status of a refused upgrade of `target`.
unsigned UpgradeStatus(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  websocket::response_type response;
  beast::error_code ec;
  ws.handshake(response, "127.0.0.1", target, ec);
  return ec ? response.result_int() : 101;
}

template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

class MdWsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", redis_url_);
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", pg_url_);
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_READER_URL", reader_url_);
    std::random_device rd;
    const std::string tag = std::to_string(::getpid() % 100000) + "_" + std::to_string(rd() % 1000);
    schema_ = "md_ws_" + tag;
    symbol_ = "WS" + tag;
  }

  void TearDown() override {
    feed_.reset();
    if (server_) server_->Stop();
    server_.reset();
    if (producer_) producer_->DeleteFromRedis(symbol_);
    for (const std::string& other : other_symbols_) {
      if (producer_) producer_->DeleteFromRedis(other);
    }
    producer_.reset();
    if (schema_.empty() || pg_url_.empty()) return;
    pqxx::connection c(pg_url_);
    pqxx::work w(c);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema_) + " CASCADE");
    w.commit();
  }

  // The producer with the instrument and its pre-fill, then the server.
  void Start(std::size_t commands, bool write_history, WsOptions ws = {}) {
    BenchmarkMixOptions mix;
    mix.seed = 5;
    mix.commands = commands;
    mix.resting_orders = 300;
    mix.ioc_percent = 20;
    mix.gtc_percent = 20;
    flow_ = GenerateBenchmarkMix(mix);
    flow_.instrument.symbol = SymbolName(symbol_);
    for (auto& c : flow_.prefill)
      std::visit([&](auto& body) { SetSymbol(body); }, c.body);
    for (auto& c : flow_.commands)
      std::visit([&](auto& body) { SetSymbol(body); }, c.body);
    MarketProducer::Options options;
    options.redis_url = redis_url_;
    options.pg_url = pg_url_;
    options.pg_schema = schema_;
    options.write_history = write_history;
    producer_ = std::make_unique<MarketProducer>(options, NowNs() - 3600 * kSecond);
    producer_->keep_trades(true);
    producer_->AddInstrument(flow_.instrument, kPriceDecimals, kQuantityDecimals, NowNs());
    for (const std::string& other : other_symbols_) {
      InstrumentSpec spec = flow_.instrument;
      spec.symbol = SymbolName(other);
      producer_->AddInstrument(spec, kPriceDecimals, kQuantityDecimals, NowNs());
    }
    Produce(flow_.prefill, 100);

    HttpServer::Options server;
    server.port = 0;
    server.threads = 2;
    server.ws = ws;
    RequestHandler::Options handler;
    handler.source.redis_url = redis_url_;
    handler.source.pg_url = reader_url_;
    handler.source.pg_schema = schema_;
    server_ = std::make_unique<HttpServer>(server, [&](std::size_t i) {
      return std::make_unique<RequestHandler>(handler, metrics_.stats_of(i), metrics_);
    });
    metrics_.AttachWsStats(&server_->ws_stats());
    MarketFeed::Options feed;
    feed.redis_url = redis_url_;
    feed.pg_url = reader_url_;
    feed.pg_schema = schema_;
    feed_ = std::make_unique<MarketFeed>(
        feed, server_->registry(), server_->ws_stats(),
        [this](std::shared_ptr<const FeedBatch> batch) { server_->Publish(std::move(batch)); });
    server_->Start();
    feed_->Start();
    ASSERT_TRUE(Eventually([&] {
      return server_->registry().Resolve(LowerCase(symbol_)).has_value();
    })) << "the feed never listed the symbol";
  }

  template <typename Body>
  void SetSymbol(Body& body) {
    if constexpr (requires { body.symbol; }) {
      if constexpr (std::is_same_v<decltype(body.symbol), SymbolName>) {
        body.symbol = SymbolName(symbol_);
      }
    }
  }

  // Runs `commands` through the producer in batches of `batch`, stamped now.
  void Produce(std::span<Command> commands, std::size_t batch) {
    for (std::size_t at = 0; at < commands.size(); at += batch) {
      const auto part = commands.subspan(at, std::min(batch, commands.size() - at));
      for (Command& c : part)
        c.timestamp = NowNs();
      producer_->Run(part);
    }
  }

  std::string Lower() const { return LowerCase(symbol_); }
  std::uint16_t port() const { return server_->port(); }

  std::string redis_url_, pg_url_, reader_url_, schema_, symbol_;
  std::vector<std::string> other_symbols_;  // instruments added besides symbol_, no orders
  BenchmarkFlow flow_;
  std::unique_ptr<MarketProducer> producer_;
  RequestMetrics metrics_{2};
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<MarketFeed> feed_;
};

TEST_F(MdWsTest, SubscribeUnsubscribeListAndErrorsOverOneConnection) {
  WsOptions ws;
  ws.max_messages_per_second = 0;  // more than Binance's 5 a second follow
  Start(0, /*write_history=*/false, ws);
  WsClient client(port(), "/ws");
  const std::string trade = Lower() + "@trade", depth = Lower() + "@depth";
  EXPECT_EQ(client.Call({{"method", "SUBSCRIBE"}, {"params", {trade, depth}}, {"id", 1}}),
            json({{"result", nullptr}, {"id", 1}}));
  json list = client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", "two"}});
  EXPECT_EQ(list["result"], json({depth, trade}));
  EXPECT_EQ(client.Call({{"method", "UNSUBSCRIBE"}, {"params", {trade}}, {"id", 3}})["result"],
            nullptr);
  EXPECT_EQ(client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 4}})["result"], json({depth}));

  // Errors name the problem and leave the connection and its streams alone.
  auto error = [&](const json& request) {
    const json reply = client.Call(request);
    EXPECT_TRUE(reply.contains("error")) << reply;
    return reply["error"]["msg"].get<std::string>();
  };
  EXPECT_NE(error({{"method", "SUBSCRIBE"}, {"params", {"nosuch@trade"}}, {"id", 5}})
                .find("unknown symbol 'nosuch'"),
            std::string::npos);
  EXPECT_NE(error({{"method", "SUBSCRIBE"}, {"params", {Lower() + "@kline_7m"}}, {"id", 6}})
                .find("unknown interval"),
            std::string::npos);
  EXPECT_NE(error({{"method", "SUBSCRIBE"}, {"params", {trade, "x@y"}}, {"id", 7}}).find("x@y"),
            std::string::npos);
  EXPECT_NE(error({{"method", "FROBNICATE"}, {"id", 8}}).find("unknown variant `FROBNICATE`"),
            std::string::npos);
  EXPECT_NE(error({{"method", "SUBSCRIBE"}, {"params", "aapl@trade"}, {"id", 9}}).find("array"),
            std::string::npos);
  client.stream().write(asio::buffer(std::string("{not json")));
  EXPECT_EQ(client.Read()["error"]["code"], 3);
  // The failed SUBSCRIBE of id 7 subscribed nothing (all or nothing).
  EXPECT_EQ(client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 10}})["result"], json({depth}));

  EXPECT_EQ(UpgradeStatus(port(), "/nowhere"), 404u);
  EXPECT_EQ(UpgradeStatus(port(), "/ws/" + trade), 101u);
  // As Binance: segments that are not streams of ours are accepted and
  // follow nothing (ccxt opens /ws/0 and subscribes afterwards).
  for (const std::string& target : std::vector<std::string>{"/ws/0", "/ws/" + Lower() + "@tradez",
                                                            "/stream?streams=nosuch@depth"}) {
    WsClient other(port(), target);
    EXPECT_EQ(other.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}})["result"], json::array())
        << target;
  }
  WsClient both(port(), "/ws/0/" + trade);
  EXPECT_EQ(both.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}})["result"], json({trade}));
}

TEST_F(MdWsTest, TradeStreamCarriesEveryTradeOfTheEngineInOrder) {
  Start(3000, /*write_history=*/false);
  WsClient raw(port(), "/ws/" + Lower() + "@trade");
  WsClient combined(port(), "/stream?streams=" + Lower() + "@trade/" + Lower() + "@depth");
  // Both are subscribed once a request on each is answered.
  raw.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});
  combined.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});
  const std::size_t before = producer_->trades().size();
  Produce(flow_.commands, 50);
  const auto& trades = producer_->trades();
  ASSERT_GT(trades.size() - before, 300u) << "the flow should trade";
  for (std::size_t i = before; i < trades.size(); ++i) {
    const json m = raw.Read();
    ASSERT_EQ(m["e"], "trade") << m;
    ASSERT_EQ(m["t"].get<Sequence>(), trades[i].trade_id) << "trade " << i;
    EXPECT_EQ(m["s"], symbol_);
    EXPECT_EQ(ParseFixed(m["p"], kPriceDecimals), trades[i].price);
    EXPECT_EQ(ParseFixed(m["q"], kQuantityDecimals), trades[i].quantity);
    EXPECT_EQ(m["T"].get<Timestamp>(), trades[i].time / 1'000'000);
    EXPECT_EQ(m["m"].get<bool>(), trades[i].aggressor == Side::kSell);
  }
  // The combined connection gets the same trades, wrapped, among depth updates.
  std::size_t seen = before;
  while (seen < trades.size()) {
    const json m = combined.Read();
    ASSERT_TRUE(m.contains("stream") && m.contains("data")) << m;
    if (m["stream"] == Lower() + "@depth") {
      EXPECT_EQ(m["data"]["e"], "depthUpdate");
      continue;
    }
    ASSERT_EQ(m["stream"], Lower() + "@trade");
    ASSERT_EQ(m["data"]["t"].get<Sequence>(), trades[seen].trade_id);
    ++seen;
  }
}

TEST_F(MdWsTest, KlineStreamClosesACandleWhenTheNextBucketTrades) {
  Start(4000, /*write_history=*/true);
  WsClient client(port(), "/ws/" + Lower() + "@kline_1s");
  client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});
  // Trades over about three seconds: at least two one-second buckets close.
  const auto started = std::chrono::steady_clock::now();
  std::size_t at = 0;
  while (std::chrono::steady_clock::now() - started < std::chrono::milliseconds(3200) &&
         at < flow_.commands.size()) {
    const std::size_t n = std::min<std::size_t>(40, flow_.commands.size() - at);
    Produce(std::span(flow_.commands).subspan(at, n), n);
    at += n;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The trades of each bucket, as the engine made them.
  std::map<std::int64_t, std::vector<persistence::TradeRow>> by_second;
  for (const auto& t : producer_->trades())
    by_second[t.time / kSecond * 1000].push_back(t);
  std::size_t closed = 0;
  while (closed < 2) {
    const json m = client.Read();
    ASSERT_EQ(m["e"], "kline") << m;
    const json& k = m["k"];
    EXPECT_EQ(k["i"], "1s");
    EXPECT_EQ(k["T"].get<std::int64_t>(), k["t"].get<std::int64_t>() + 999);
    if (!k["x"].get<bool>()) continue;
    ++closed;
    const auto& bucket = by_second.at(k["t"].get<std::int64_t>());
    EXPECT_EQ(k["n"].get<std::size_t>(), bucket.size());
    EXPECT_EQ(k["f"].get<Sequence>(), bucket.front().trade_id);
    EXPECT_EQ(k["L"].get<Sequence>(), bucket.back().trade_id);
    EXPECT_EQ(ParseFixed(k["o"], kPriceDecimals), bucket.front().price);
    EXPECT_EQ(ParseFixed(k["c"], kPriceDecimals), bucket.back().price);
    Quantity volume = 0;
    Price high = bucket.front().price;
    for (const auto& t : bucket) {
      volume += t.quantity;
      high = std::max(high, t.price);
    }
    EXPECT_EQ(ParseFixed(k["v"], kQuantityDecimals), volume);
    EXPECT_EQ(ParseFixed(k["h"], kPriceDecimals), high);
  }
}

// A local book kept by Binance's spot recipe: buffer the stream, take the
// REST snapshot (lastUpdateId L), drop updates with u <= L, apply the
// first with U <= L + 1 <= u, then each whose U is the previous u + 1; pu
// (kept for the chart page's older rule) is always the previous u.
struct LocalBook {
  std::map<std::int64_t, std::int64_t, std::greater<>> bids;
  std::map<std::int64_t, std::int64_t> asks;
  std::int64_t snapshot = -1;
  std::int64_t chain = -1;  // the u of the last update applied; -1: none yet
  std::int64_t u = -1;      // of the last update seen
  std::size_t applied = 0, resyncs = 0;
  std::vector<std::int64_t> gaps;  // time between two updates, ms of E

  void Snapshot(std::uint16_t port, const std::string& symbol) {
    const auto [status, body] = Get(port, "/api/v3/depth?symbol=" + symbol + "&limit=5000");
    ASSERT_EQ(status, 200u) << body;
    const json book = json::parse(body);
    bids.clear();
    asks.clear();
    for (const auto& l : book["bids"])
      bids[ParseFixed(l[0], kPriceDecimals)] = ParseFixed(l[1], kQuantityDecimals);
    for (const auto& l : book["asks"])
      asks[ParseFixed(l[0], kPriceDecimals)] = ParseFixed(l[1], kQuantityDecimals);
    snapshot = book["lastUpdateId"].get<std::int64_t>();
    chain = -1;
  }
  template <typename Side>
  static void Apply(Side& side, const json& levels) {
    for (const auto& l : levels) {
      const std::int64_t price = ParseFixed(l[0], kPriceDecimals);
      const std::int64_t quantity = ParseFixed(l[1], kQuantityDecimals);
      if (quantity == 0) {
        side.erase(price);
      } else {
        side[price] = quantity;
      }
    }
  }
  // false: the update did not continue the chain (a new snapshot is taken).
  void OnUpdate(const json& m, std::uint16_t port, const std::string& symbol) {
    u = m["u"].get<std::int64_t>();
    const std::int64_t first = m["U"].get<std::int64_t>();
    EXPECT_EQ(first, m["pu"].get<std::int64_t>() + 1) << m;
    if (u <= snapshot) return;
    const bool continues = chain < 0 ? first <= snapshot + 1 : first == chain + 1;
    if (!continues) {  // never expected; the recipe says: resync
      ++resyncs;
      Snapshot(port, symbol);
      return;
    }
    Apply(bids, m["b"]);
    Apply(asks, m["a"]);
    chain = u;
    ++applied;
  }
};

TEST_F(MdWsTest, LocalBooksFromSnapshotAndDiffsAtBothSpeedsEqualTheEngineAfter100kOrders) {
  Start(100'000, /*write_history=*/false);
  const std::string slow = Lower() + "@depth", fast = Lower() + "@depth@100ms";
  WsClient client(port(), "/stream?streams=" + slow + "/" + fast);
  const auto subscribed = std::chrono::steady_clock::now();
  client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});

  std::atomic<bool> produced{false};
  std::thread producer([&] {
    Produce(flow_.commands, 100);
    produced = true;
  });
  std::map<std::string, LocalBook> books{{slow, {}}, {fast, {}}};
  std::map<std::string, std::size_t> updates;
  for (auto& [stream, book] : books)
    book.Snapshot(port(), symbol_);
  // Updates until the producer is done and the last delta Redis holds is in.
  auto last_written = [&]() -> std::int64_t {
    redis::RedisClient redis(redis::ParseRedisUrl(redis_url_));
    const auto r =
        redis.Command({"XREVRANGE", bookstate::KeyOf(symbol_, bookstate::ViewKey::kDepth), "+", "-",
                       "COUNT", "1"});
    const auto fields = r.element(0).element(1);
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields.element(i).str() == "last")
        return std::stoll(std::string(fields.element(i + 1).str()));
    }
    return -1;
  };
  std::int64_t target = -1;
  auto done = [&] {
    if (target < 0) return false;
    for (const auto& [stream, book] : books) {
      if (book.u < target) return false;
    }
    return true;
  };
  // The last update may come before the producer says it is done, so
  // reads wait in short steps, rechecking; 30 s without one fails.
  auto quiet_since = std::chrono::steady_clock::now();
  while (!done()) {
    // Once the producer has finished, the last delta written is the target.
    if (target < 0 && produced.load()) {
      target = last_written();
      continue;
    }
    const std::optional<json> read = client.TryRead(std::chrono::milliseconds(50));
    if (!read) {
      if (std::chrono::steady_clock::now() - quiet_since > std::chrono::seconds(30)) break;
      continue;
    }
    quiet_since = std::chrono::steady_clock::now();
    const json& m = *read;
    const auto book = books.find(m.value("stream", ""));
    if (book == books.end() || m["data"]["e"] != "depthUpdate") {
      ADD_FAILURE() << "not a depth update: " << m;
      break;
    }
    ++updates[book->first];
    book->second.OnUpdate(m["data"], port(), symbol_);
  }
  producer.join();
  ASSERT_TRUE(done()) << "no depth update for 30 s";
  const SymbolId id = *producer_->engine().FindSymbol(symbol_);
  std::map<std::int64_t, std::int64_t, std::greater<>> engine_bids;
  std::map<std::int64_t, std::int64_t> engine_asks;
  for (const DepthLevel& l : producer_->engine().Depth(id, Side::kBuy, SIZE_MAX))
    engine_bids[l.price] = l.quantity;
  for (const DepthLevel& l : producer_->engine().Depth(id, Side::kSell, SIZE_MAX))
    engine_asks[l.price] = l.quantity;
  EXPECT_GT(engine_bids.size() + engine_asks.size(), 50u);
  for (const auto& [stream, book] : books) {
    EXPECT_EQ(book.resyncs, 0u) << stream;
    EXPECT_EQ(book.bids, engine_bids) << stream;
    EXPECT_EQ(book.asks, engine_asks) << stream;
  }
  // At most one update per interval (100 ms, 1000 ms) since the subscription.
  const auto span = std::chrono::steady_clock::now() - subscribed;
  for (const auto& [stream, count] : updates) {
    const auto interval = std::chrono::milliseconds(stream == fast ? 100 : 1000);
    EXPECT_LE(count, static_cast<std::size_t>(span / interval) + 1) << stream;
  }
  EXPECT_GT(books[fast].applied, 5u);
  EXPECT_GT(books[fast].applied, books[slow].applied);
}

// A client that subscribes, takes its snapshot (as ccxt does: SUBSCRIBE,
// its reply, GET /api/v3/depth) and then sees the book move gets every
// update after that snapshot: the first with u > lastUpdateId has
// pu <= lastUpdateId. The feed once rendered each update with the streams
// followed as it knew them before its blocking XREAD. Redis ends a BLOCK
// late (at its next wake-up: another client's command, or its 100 ms
// cron), so that XREAD often returned after the update was due, with
// entries written after the subscription and the snapshot: the update
// went to no one, the next one's pu was past the snapshot, and ccxt raised
// its checksum error (ccxt_public.test.mjs, about 1 run in 5). Here the
// book moves just after an update is due, the snapshot taken before.
TEST_F(MdWsTest, AClientSubscribingThenTakingItsSnapshotGetsEveryUpdateAfterIt) {
  Start(30'000, /*write_history=*/false);
  const std::string fast = Lower() + "@depth@100ms";
  // The feed's 100 ms, seen on a stream of its own: the best levels go out
  // at every one, moved or not.
  WsClient pacer(port(), "/ws/" + Lower() + "@depth5@100ms");
  std::vector<json> skipped;
  pacer.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}}, &skipped);
  std::size_t at = 0;  // the next command of the flow
  auto move_the_book = [&] {
    ASSERT_LT(at + 5, flow_.commands.size());
    Produce(std::span(flow_.commands).subspan(at, 5), 5);
    at += 5;
  };
  // Before the fix about 2 in 3 broke.
  constexpr int kTrials = 15;
  int broken = 0;
  std::string first_broken;
  for (int trial = 0; trial < kTrials && !HasFatalFailure(); ++trial) {
    // Just after the feed published: the newest partial book.
    while (pacer.TryRead(std::chrono::milliseconds(1))) {
    }
    pacer.Read();
    const auto published = std::chrono::steady_clock::now();
    // A new connection, the stream's only follower (the last one closed).
    WsClient client(port(), "/ws");
    ASSERT_EQ(client.Call({{"method", "SUBSCRIBE"}, {"params", {fast}}, {"id", 1}})["result"],
              nullptr);
    LocalBook book;
    book.Snapshot(port(), symbol_);
    // The book moves once the next update is due.
    std::this_thread::sleep_until(published + std::chrono::milliseconds(110));
    move_the_book();
    for (;;) {
      const std::optional<json> m = client.TryRead(std::chrono::milliseconds(500));
      if (!m) {  // those orders did not change the book
        move_the_book();
        continue;
      }
      ASSERT_EQ((*m)["e"], "depthUpdate") << *m;
      if ((*m)["u"].get<std::int64_t>() <= book.snapshot) continue;
      if ((*m)["pu"].get<std::int64_t>() > book.snapshot && broken++ == 0) {
        first_broken = "trial " + std::to_string(trial) + ": lastUpdateId " +
                       std::to_string(book.snapshot) + ", then U " + (*m)["U"].dump() + " u " +
                       (*m)["u"].dump() + " pu " + (*m)["pu"].dump();
      }
      break;
    }
  }
  EXPECT_EQ(broken, 0) << "of " << kTrials << " subscriptions; the first: " << first_broken;
}

TEST_F(MdWsTest, AClientThatDoesNotReadIsDroppedAndOthersGetEverything) {
  WsOptions ws;
  ws.max_pending_bytes = 64 << 10;
  ws.socket_send_buffer = 16 << 10;
  Start(20'000, /*write_history=*/false, ws);
  // The sleeper's receive buffer is made small so that the server's queue,
  // not the kernel, has to hold what it does not read.
  asio::io_context io;
  websocket::stream<tcp::socket> sleeper(io);
  sleeper.next_layer().open(tcp::v4());
  sleeper.next_layer().set_option(asio::socket_base::receive_buffer_size(4096));
  sleeper.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  sleeper.handshake("127.0.0.1", "/ws/" + Lower() + "@trade");
  WsClient reader(port(), "/ws/" + Lower() + "@trade");
  reader.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});
  const std::size_t before = producer_->trades().size();
  std::atomic<Sequence> last_trade{0};  // set once the producer is done
  std::thread producer([&] {
    Produce(flow_.commands, 20);
    last_trade = producer_->trades().back().trade_id;
  });
  std::vector<Sequence> got;  // read while the orders flow
  // Until the producer is done and its last trade is in. The last message
  // may come before the producer says which is last, so reads wait in
  // short steps, rechecking; 30 s without one fails.
  auto quiet_since = std::chrono::steady_clock::now();
  while (got.empty() || last_trade.load() == 0 || got.back() < last_trade.load()) {
    if (auto m = reader.TryRead(std::chrono::milliseconds(50))) {
      got.push_back((*m)["t"].get<Sequence>());
      quiet_since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - quiet_since > std::chrono::seconds(30)) {
      break;
    }
  }
  producer.join();
  ASSERT_FALSE(got.empty());
  ASSERT_EQ(got.back(), last_trade.load()) << "no trade for 30 s; got " << got.size();
  std::vector<Sequence> expected;
  for (std::size_t i = before; i < producer_->trades().size(); ++i)
    expected.push_back(producer_->trades()[i].trade_id);
  EXPECT_EQ(got, expected);
  ASSERT_TRUE(Eventually([&] { return server_->ws_stats().slow_dropped.load() >= 1; }))
      << "the client that never reads was not dropped";
  EXPECT_EQ(server_->ws_stats().slow_dropped.load(), 1u);
  const auto [status, metrics] = Get(port(), "/metrics");
  EXPECT_NE(metrics.find("exchange_md_ws_slow_dropped_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("exchange_md_ws_connections 1"), std::string::npos) << metrics;
}

TEST_F(MdWsTest, TheServerPingsAndClosesAClientThatNeverAnswers) {
  WsOptions ws;
  ws.ping_interval = std::chrono::milliseconds(300);
  ws.pong_timeout = std::chrono::milliseconds(300);
  Start(1'000, /*write_history=*/false, ws);
  // Beast answers pings by itself while a read is pending.
  WsClient answering(port(), "/ws/" + Lower() + "@trade");
  std::size_t pings = 0;
  answering.stream().control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings;
  });
  // A bare client that reads but never pongs.
  asio::io_context io;
  tcp::socket silent(io);
  silent.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  const std::string upgrade = "GET /ws/" + Lower() +
                              "@trade HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Key: "
                              "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  asio::write(silent, asio::buffer(upgrade));
  // Unsolicited pongs (Binance allows them) do not answer a ping: an empty
  // one and one naming a ping never sent.
  asio::write(silent,
              asio::buffer(ClientFrame(WsOpcode::kPong, "") + ClientFrame(WsOpcode::kPong, "999")));
  silent.non_blocking(true);
  std::string in;
  bool upgraded = false, ended = false;
  std::size_t silent_pings = 0;
  int close_code = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    answering.TryRead(std::chrono::milliseconds(20));  // nothing trades: only control frames
    char buffer[4096];
    boost::system::error_code ec;
    const std::size_t n = silent.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block) continue;
    if (ec) {
      ended = true;  // closed by the server
      break;
    }
    in.append(buffer, n);
    if (!upgraded) {
      const std::size_t end = in.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      ASSERT_TRUE(in.starts_with("HTTP/1.1 101")) << in;
      upgraded = true;
      in.erase(0, end + 4);
    }
    // Server frames: unmasked, control payloads under 126 bytes.
    while (in.size() >= 2 && in.size() >= 2u + static_cast<std::uint8_t>(in[1])) {
      const auto opcode = static_cast<WsOpcode>(in[0] & 0x0F);
      const std::size_t length = static_cast<std::uint8_t>(in[1]);
      if (opcode == WsOpcode::kPing) ++silent_pings;
      if (opcode == WsOpcode::kClose && length >= 2) {
        close_code = (static_cast<std::uint8_t>(in[2]) << 8) | static_cast<std::uint8_t>(in[3]);
      }
      in.erase(0, 2 + length);
    }
  }
  EXPECT_TRUE(ended) << "the client that never answered was not closed within 10 s";
  EXPECT_EQ(silent_pings, 1u);  // one ping, then closed at the next beat
  EXPECT_EQ(close_code, kCloseGoingAway);
  EXPECT_EQ(server_->ws_stats().ping_timeouts.load(), 1u);
  // The one that answered is still served, and was pinged every beat.
  EXPECT_GE(pings, 1u);
  EXPECT_EQ(answering.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 7}})["result"],
            json::array({Lower() + "@trade"}));
  const auto [status, metrics] = Get(port(), "/metrics");
  EXPECT_NE(metrics.find("exchange_md_ws_ping_timeouts_total 1"), std::string::npos) << metrics;
}

TEST_F(MdWsTest, CombinedPropertyAndTheStreamLimit) {
  WsOptions ws;
  ws.max_streams = 2;
  ws.max_messages_per_second = 0;  // more than Binance's 5 a second follow
  Start(2'000, /*write_history=*/false, ws);
  const std::string trade = Lower() + "@trade";
  WsClient client(port(), "/ws/0");
  EXPECT_EQ(client.Call({{"method", "GET_PROPERTY"}, {"params", {"combined"}}, {"id", 1}}),
            json({{"result", false}, {"id", 1}}));
  EXPECT_EQ(client.Call({{"method", "SET_PROPERTY"}, {"params", {"combined", true}}, {"id", 2}}),
            json({{"result", nullptr}, {"id", 2}}));
  EXPECT_EQ(
      client.Call({{"method", "GET_PROPERTY"}, {"params", {"combined"}}, {"id", 3}})["result"],
      true);
  EXPECT_EQ(
      client.Call({{"method", "GET_PROPERTY"}, {"params", {"nosuch"}}, {"id", 4}})["error"]["code"],
      0);
  // At most max_streams (Binance: 1,024) streams a connection.
  const json too_many = client.Call({{"method", "SUBSCRIBE"},
                                     {"params", {trade, Lower() + "@depth", Lower() + "@kline_1m"}},
                                     {"id", 5}});
  EXPECT_EQ(too_many["error"]["code"], 2) << too_many;
  EXPECT_EQ(client.Call({{"method", "SUBSCRIBE"}, {"params", {trade}}, {"id", 6}})["result"],
            nullptr);
  // combined set on a /ws connection: the trades come wrapped.
  const std::size_t before = producer_->trades().size();
  Produce(std::span(flow_.commands).subspan(0, 500), 50);
  ASSERT_GT(producer_->trades().size(), before);
  const json m = client.Read();
  ASSERT_EQ(m["stream"], trade) << m;
  EXPECT_EQ(m["data"]["t"].get<Sequence>(), producer_->trades()[before].trade_id);
}

TEST_F(MdWsTest, TheSixthMessageWithinASecondClosesTheConnection) {
  Start(0, /*write_history=*/false);
  const std::string trade = Lower() + "@trade";
  WsClient client(port(), "/ws/" + trade);
  // Binance's limit: 5 messages (pings, pongs, requests) a second; the 6th
  // within one second closes the connection (1008).
  WsClient chatty(port(), "/ws");
  for (int i = 0; i < 6; ++i)
    chatty.Send({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 100 + i}});
  std::size_t answered = 0;
  beast::error_code closed;
  try {
    for (;;) {
      const json reply = chatty.Read();
      EXPECT_EQ(reply["id"], 100 + static_cast<int>(answered)) << reply;
      ++answered;
    }
  } catch (const beast::system_error& e) {
    closed = e.code();
  }
  EXPECT_EQ(answered, 5u);
  EXPECT_TRUE(closed) << "not closed";
  EXPECT_EQ(chatty.stream().reason().code, kClosePolicy);
  EXPECT_EQ(server_->ws_stats().rate_limited.load(), 1u);
  const auto [status, metrics] = Get(port(), "/metrics");
  EXPECT_NE(metrics.find("exchange_md_ws_rate_limited_total 1"), std::string::npos) << metrics;
  // The other connection is untouched.
  EXPECT_EQ(client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 7}})["result"], json({trade}));
}

TEST_F(MdWsTest, AConnectionIsClosedAtTheEndOfItsLifetime) {
  WsOptions ws;
  ws.max_lifetime = std::chrono::milliseconds(500);
  Start(0, /*write_history=*/false, ws);
  const auto opened = std::chrono::steady_clock::now();
  WsClient client(port(), "/ws/" + Lower() + "@trade");
  EXPECT_EQ(client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}})["result"],
            json({Lower() + "@trade"}));
  beast::error_code closed;
  try {
    client.Read();
  } catch (const beast::system_error& e) {
    closed = e.code();
  }
  EXPECT_GE(std::chrono::steady_clock::now() - opened, std::chrono::milliseconds(500));
  EXPECT_TRUE(closed) << "not closed";
  EXPECT_EQ(client.stream().reason().code, kCloseGoingAway);
  EXPECT_EQ(server_->ws_stats().lifetime_closed.load(), 1u);
}

// The engine's trades (from `from` on) as Binance aggregates them: taker
// order (account, client id) and price the same as the trade before.
std::vector<TradeAggregate> ExpectedAggregates(const std::vector<persistence::TradeRow>& trades,
                                               std::size_t from) {
  std::vector<TradeAggregate> out;
  for (std::size_t i = from; i < trades.size(); ++i) {
    const auto& t = trades[i];
    const bool joins = i > from && t.taker_account == trades[i - 1].taker_account &&
                       t.taker_order_id == trades[i - 1].taker_order_id &&
                       t.price == trades[i - 1].price;
    if (joins) {
      out.back().last = t.trade_id;
      out.back().quantity += t.quantity;
    } else {
      out.push_back({t.trade_id, t.trade_id, t.trade_id, t.price, t.quantity, t.time, t.aggressor});
    }
  }
  return out;
}

TEST_F(MdWsTest, AggTradeStreamAggregatesEachTakerOrdersFillsAtOnePrice) {
  Start(3000, /*write_history=*/false);
  WsClient client(port(), "/ws/" + Lower() + "@aggTrade");
  client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});
  const std::size_t before = producer_->trades().size();
  Produce(flow_.commands, 50);
  const std::vector<TradeAggregate> expected = ExpectedAggregates(producer_->trades(), before);
  std::size_t merged = 0;
  for (const TradeAggregate& a : expected)
    merged += a.first != a.last ? 1 : 0;
  ASSERT_GT(merged, 10u) << "the flow should have takers filled by several orders at one price";
  ASSERT_LT(expected.size(), producer_->trades().size() - before);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const json m = client.Read();
    ASSERT_EQ(m["e"], "aggTrade") << m;
    const TradeAggregate& a = expected[i];
    ASSERT_EQ(m["a"].get<Sequence>(), a.id) << "aggregate " << i;
    EXPECT_EQ(m["f"].get<Sequence>(), a.first);
    EXPECT_EQ(m["l"].get<Sequence>(), a.last);
    EXPECT_EQ(m["s"], symbol_);
    EXPECT_EQ(ParseFixed(m["p"], kPriceDecimals), a.price);
    EXPECT_EQ(ParseFixed(m["q"], kQuantityDecimals), a.quantity);
    EXPECT_EQ(m["T"].get<Timestamp>(), a.time / 1'000'000);
    EXPECT_EQ(m["m"].get<bool>(), a.taker_side == Side::kSell);
    EXPECT_EQ(m["M"], true);
  }
}

TEST_F(MdWsTest, PartialBooksAndBookTickerEndEqualToTheEngine) {
  Start(20'000, /*write_history=*/false);
  const std::string top5 = Lower() + "@depth5@100ms", top20 = Lower() + "@depth20",
                    ticker = Lower() + "@bookTicker";
  WsClient client(port(), "/stream?streams=" + top5 + "/" + top20 + "/" + ticker);
  client.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 1}});
  Produce(flow_.commands, 100);
  redis::RedisClient redis(redis::ParseRedisUrl(redis_url_));
  const auto newest = redis.Command(
      {"XREVRANGE", bookstate::KeyOf(symbol_, bookstate::ViewKey::kDepth), "+", "-", "COUNT", "1"});
  const auto fields = newest.element(0).element(1);
  std::int64_t target = -1;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields.element(i).str() == "last")
      target = std::stoll(std::string(fields.element(i + 1).str()));
  }
  ASSERT_GT(target, 0);
  // Until both partial books have shown the last change.
  std::map<std::string, json> last;
  std::size_t tickers = 0;
  std::int64_t ticker_u = -1;
  while (!last.contains(top5) || !last.contains(top20) || last[top5]["lastUpdateId"] != target ||
         last[top20]["lastUpdateId"] != target) {
    const json m = client.Read();
    const std::string stream = m["stream"];
    const json& data = m["data"];
    if (stream == ticker) {
      ++tickers;
      EXPECT_GT(data["u"].get<std::int64_t>(), ticker_u) << data;
      ticker_u = data["u"].get<std::int64_t>();
      EXPECT_EQ(data["s"], symbol_);
      EXPECT_LT(ParseFixed(data["b"], kPriceDecimals), ParseFixed(data["a"], kPriceDecimals));
    } else {
      ASSERT_TRUE(stream == top5 || stream == top20) << m;
      EXPECT_LE(data["bids"].size(), stream == top5 ? 5u : 20u);
      EXPECT_LE(data["lastUpdateId"].get<std::int64_t>(), target);
    }
    last[stream] = data;
  }
  const SymbolId id = *producer_->engine().FindSymbol(symbol_);
  auto levels = [](const std::vector<DepthLevel>& depth) {
    json out = json::array();
    for (const DepthLevel& l : depth)
      out.push_back(
          {FixedPoint(l.price, kPriceDecimals), FixedPoint(l.quantity, kQuantityDecimals)});
    return out;
  };
  for (const auto& [stream, n] : {std::pair{top5, 5u}, std::pair{top20, 20u}}) {
    EXPECT_EQ(last[stream]["bids"], levels(producer_->engine().Depth(id, Side::kBuy, n))) << stream;
    EXPECT_EQ(last[stream]["asks"], levels(producer_->engine().Depth(id, Side::kSell, n)))
        << stream;
  }
  // The last book ticker came before the partial book of the same change.
  EXPECT_GT(tickers, 10u);
  const DepthLevel bid = producer_->engine().Depth(id, Side::kBuy, 1).at(0);
  const DepthLevel ask = producer_->engine().Depth(id, Side::kSell, 1).at(0);
  const json& t = last[ticker];
  EXPECT_EQ(ParseFixed(t["b"], kPriceDecimals), bid.price);
  EXPECT_EQ(ParseFixed(t["B"], kQuantityDecimals), bid.quantity);
  EXPECT_EQ(ParseFixed(t["a"], kPriceDecimals), ask.price);
  EXPECT_EQ(ParseFixed(t["A"], kQuantityDecimals), ask.quantity);
}

TEST_F(MdWsTest, TheBinanceFormOfASymbolIsAnAliasNamedAsTheClientNamedIt) {
  Start(2000, /*write_history=*/false);
  const std::string alias = BinanceSymbol(symbol_);  // WS1234_567 -> WS1234567
  ASSERT_NE(alias, symbol_);
  const std::string alias_trade = LowerCase(alias) + "@trade", trade = Lower() + "@trade";
  WsClient client(port(), "/stream?streams=" + alias_trade + "/" + trade);
  EXPECT_EQ(client.Call({{"method", "SUBSCRIBE"},
                         {"params", {LowerCase(alias) + "@depth@100ms"}},
                         {"id", 1}})["result"],
            nullptr);
  const std::size_t before = producer_->trades().size();
  Produce(std::span(flow_.commands).subspan(0, 1000), 50);
  const std::size_t count = producer_->trades().size() - before;
  ASSERT_GT(count, 10u);
  std::map<std::string, std::vector<Sequence>> got;
  bool alias_depth = false;
  while (got[alias_trade].size() < count || got[trade].size() < count || !alias_depth) {
    const json m = client.Read();
    const std::string stream = m["stream"];
    if (stream == LowerCase(alias) + "@depth@100ms") {
      EXPECT_EQ(m["data"]["s"], alias);
      alias_depth = true;
      continue;
    }
    ASSERT_TRUE(stream == alias_trade || stream == trade) << m;
    EXPECT_EQ(m["data"]["s"], stream == trade ? symbol_ : alias) << m;
    got[stream].push_back(m["data"]["t"].get<Sequence>());
  }
  std::vector<Sequence> expected;
  for (std::size_t i = before; i < producer_->trades().size(); ++i)
    expected.push_back(producer_->trades()[i].trade_id);
  EXPECT_EQ(got[alias_trade], expected);
  EXPECT_EQ(got[trade], expected);
  // The alias is also a path stream, and listed as subscribed.
  WsClient raw(port(), "/ws/" + alias_trade);
  EXPECT_EQ(raw.Call({{"method", "LIST_SUBSCRIPTIONS"}, {"id", 2}})["result"], json({alias_trade}));
}

TEST_F(MdWsTest, AnAmbiguousBinanceFormIsNoAlias) {
  // WS1234_567 and WS1234-567 are both WS1234567 in Binance's form.
  std::string twin = symbol_;
  twin[twin.find('_')] = '-';
  other_symbols_ = {twin};
  WsOptions ws;
  ws.max_messages_per_second = 0;
  Start(0, /*write_history=*/false, ws);
  ASSERT_TRUE(Eventually([&] { return server_->registry().Resolve(LowerCase(twin)).has_value(); }));
  WsClient client(port(), "/ws");
  const std::string form = LowerCase(BinanceSymbol(symbol_));
  const json refused =
      client.Call({{"method", "SUBSCRIBE"}, {"params", {form + "@trade"}}, {"id", 1}});
  EXPECT_EQ(refused["error"]["code"], 2) << refused;
  EXPECT_NE(refused["error"]["msg"].get<std::string>().find("unknown symbol"), std::string::npos);
  EXPECT_EQ(client.Call({{"method", "SUBSCRIBE"},
                         {"params", {Lower() + "@trade", LowerCase(twin) + "@trade"}},
                         {"id", 2}})["result"],
            nullptr);
}

// The statistics of `trades` as the ticker streams write them.
struct TradeSums {
  std::size_t count = 0;
  Sequence first = 0, last = 0;
  Price open = 0, high = 0, low = 0, close = 0;
  Quantity volume = 0;
  __int128 quote = 0;
};
TradeSums SumTrades(const std::vector<persistence::TradeRow>& trades) {
  TradeSums s;
  for (const persistence::TradeRow& t : trades) {
    if (s.count++ == 0) {
      s.first = t.trade_id;
      s.open = s.high = s.low = t.price;
    }
    s.last = t.trade_id;
    s.close = t.price;
    s.high = std::max(s.high, t.price);
    s.low = std::min(s.low, t.price);
    s.volume += t.quantity;
    s.quote += static_cast<__int128>(t.price) * t.quantity;
  }
  return s;
}

// The REST body of `target` once `ready(body)` holds (the history the REST
// tickers read is committed, and its notification seen, a moment after the
// producer returns).
json RestOnce(std::uint16_t port, const std::string& target,
              const std::function<bool(const json&)>& ready) {
  json body;
  EXPECT_TRUE(Eventually([&] {
    const auto [status, text] = Get(port, target);
    if (status != 200) return false;
    body = json::parse(text);
    return ready(body);
  })) << target
      << ": " << body;
  return body;
}

TEST_F(MdWsTest, TickerStreamsAgreeWithTheTradesAndTheRestTickers) {
  other_symbols_ = {"Q" + symbol_};  // never trades
  WsOptions ws;
  ws.max_messages_per_second = 0;
  Start(3000, /*write_history=*/true, ws);
  const std::string alias = BinanceSymbol(symbol_), lower_alias = LowerCase(alias);
  const std::string mini = Lower() + "@miniTicker", full = Lower() + "@ticker",
                    alias_full = lower_alias + "@ticker", hour = Lower() + "@ticker_1h",
                    four = lower_alias + "@ticker_4h", day = Lower() + "@ticker_1d",
                    avg = lower_alias + "@avgPrice", every_mini = "!miniTicker@arr",
                    every_full = "!ticker@arr", every_day = "!ticker_1d@arr";
  const std::vector<std::string> streams{mini, full, alias_full, hour,       four,
                                         day,  avg,  every_mini, every_full, every_day};
  std::string path = "/stream?streams=";
  for (const std::string& stream : streams)
    path += stream + (stream == streams.back() ? "" : "/");
  WsClient client(port(), path);
  std::map<std::string, json> last;  // by stream, the newest message
  std::map<std::string, std::size_t> counts;
  auto read = [&] {
    const json m = client.Read();
    ASSERT_TRUE(m.contains("stream")) << m;
    last[m["stream"]] = m["data"];
    ++counts[m["stream"]];
  };
  // The first follower of each stream gets the current state at once,
  // every symbol's in the arrays (the quiet one's too).
  while (last.size() < streams.size())
    read();
  for (const std::string& e : {every_mini, every_full, every_day}) {
    std::set<std::string> symbols;
    for (const json& t : last[e])
      symbols.insert(t["s"].get<std::string>());
    EXPECT_EQ(symbols, std::set<std::string>({symbol_, other_symbols_[0]})) << e;
  }

  const std::int64_t started_ms = NowNs() / 1'000'000;
  Produce(flow_.commands, 50);
  const auto& trades = producer_->trades();
  ASSERT_GT(trades.size(), 100u);
  const TradeSums sums = SumTrades(trades);
  const Timestamp last_ms = trades.back().time / 1'000'000;
  const SymbolId id = *producer_->engine().FindSymbol(symbol_);
  const DepthLevel bid = producer_->engine().Depth(id, Side::kBuy, 1).at(0);
  const DepthLevel ask = producer_->engine().Depth(id, Side::kSell, 1).at(0);
  const auto p = [](Price v) { return FixedPoint(v, kPriceDecimals); };
  const auto q = [](Quantity v) { return FixedPoint(v, kQuantityDecimals); };
  const auto up_to_date = [&](const std::string& stream) {
    if (!last.contains(stream)) return false;
    const json& d = last[stream];
    if (stream == avg) return d["T"] == last_ms;
    if (d.is_array()) {
      for (const json& t : d) {
        if (t["s"] == symbol_) return t["c"] == p(sums.close) && t["v"] == q(sums.volume);
      }
      return false;
    }
    if (stream == mini) return d["v"] == q(sums.volume);
    if (d["L"] != sums.last) return false;
    return !d.contains("b") || (d["b"] == p(bid.price) && d["a"] == p(ask.price) &&
                                d["B"] == q(bid.quantity) && d["A"] == q(ask.quantity));
  };
  // Until every stream shows the last trade (and @ticker the last book).
  // Arrays after the first carry the traded symbol only (the other never
  // changed).
  for (const std::string& e : {every_mini, every_full, every_day})
    last.erase(e);
  while (!std::all_of(streams.begin(), streams.end(), up_to_date)) {
    read();
    for (const std::string& e : {every_mini, every_full, every_day}) {
      if (!last.contains(e)) continue;
      for (const json& t : last[e])
        ASSERT_EQ(t["s"], symbol_) << e << ": " << last[e];
    }
  }

  // Every field against the trades the engine made and the engine's book.
  for (const std::string& stream : {mini, full, alias_full, hour, four, day}) {
    const json& d = last[stream];
    const bool aliased = stream.starts_with(lower_alias + "@");
    EXPECT_EQ(d["s"], aliased ? alias : symbol_) << stream;
    EXPECT_GE(d["E"].get<std::int64_t>(), started_ms) << "event time: when it was sent";
    EXPECT_LE(d["E"].get<std::int64_t>(), NowNs() / 1'000'000);
    EXPECT_EQ(d["o"], p(sums.open)) << stream;
    EXPECT_EQ(d["h"], p(sums.high)) << stream;
    EXPECT_EQ(d["l"], p(sums.low)) << stream;
    EXPECT_EQ(d["c"], p(sums.close)) << stream;
    EXPECT_EQ(d["v"], q(sums.volume)) << stream;
    EXPECT_EQ(d["q"], FixedPoint(sums.quote, kPriceDecimals + kQuantityDecimals)) << stream;
    if (stream == mini) {
      EXPECT_EQ(d["e"], "24hrMiniTicker");
      EXPECT_EQ(d.size(), 9u) << d;
      continue;
    }
    EXPECT_EQ(d["F"], sums.first) << stream;
    EXPECT_EQ(d["L"], sums.last) << stream;
    EXPECT_EQ(d["n"], sums.count) << stream;
    EXPECT_EQ(d["w"], DecimalRatio(sums.quote, sums.volume, kPriceDecimals, kPriceDecimals));
    EXPECT_EQ(d["p"], p(sums.close - sums.open)) << stream;
    const std::int64_t open = d["O"], close = d["C"];
    EXPECT_EQ(close, d["E"].get<std::int64_t>()) << stream;
    if (stream == full || stream == alias_full) {
      EXPECT_EQ(d["e"], "24hrTicker");
      EXPECT_EQ(d.size(), 23u) << d;
      EXPECT_EQ(close - open, 86'400'000) << stream;
      EXPECT_EQ(d["x"], p(0)) << "no trade before the day";
      EXPECT_EQ(d["Q"], q(trades.back().quantity));
      EXPECT_EQ(d["B"], q(bid.quantity));
      EXPECT_EQ(d["A"], q(ask.quantity));
      continue;
    }
    const std::string window = stream.substr(stream.size() - 2);
    const std::int64_t length = window == "1h"   ? 3'600'000
                                : window == "4h" ? 14'400'000
                                                 : 86'400'000;
    EXPECT_EQ(d["e"], window + "Ticker");
    EXPECT_EQ(d.size(), 17u) << d;
    EXPECT_EQ(open % 60'000, 0) << "a window opens at a minute's start";
    EXPECT_GE(close - open, length);
    EXPECT_LT(close - open, length + 60'000);
  }
  EXPECT_EQ(last[full].size(), last[alias_full].size());
  for (const auto& [key, value] : last[full].items()) {
    if (key != "s" && key != "E" && key != "O" && key != "C") {
      EXPECT_EQ(value, last[alias_full][key]) << key;
    }
  }
  // The arrays carry the same objects as the symbol's own streams.
  const auto without_times = [](json d) {
    for (const char* key : {"E", "O", "C"})
      d.erase(key);
    return d;
  };
  EXPECT_EQ(without_times(last[every_mini][0]), without_times(last[mini]));
  EXPECT_EQ(without_times(last[every_full][0]), without_times(last[full]));
  EXPECT_EQ(without_times(last[every_day][0]), without_times(last[day]));

  // The REST tickers of the same trades say the same, under either name.
  const auto has_last = [&](const json& b) { return b["lastId"] == sums.last; };
  const json rest = RestOnce(port(), "/api/v3/ticker/24hr?symbol=" + alias, has_last);
  const json& t = last[alias_full];
  const std::pair<const char*, const char*> fields[] = {{"symbol", "s"},
                                                        {"priceChange", "p"},
                                                        {"priceChangePercent", "P"},
                                                        {"weightedAvgPrice", "w"},
                                                        {"prevClosePrice", "x"},
                                                        {"lastPrice", "c"},
                                                        {"lastQty", "Q"},
                                                        {"bidPrice", "b"},
                                                        {"bidQty", "B"},
                                                        {"askPrice", "a"},
                                                        {"askQty", "A"},
                                                        {"openPrice", "o"},
                                                        {"highPrice", "h"},
                                                        {"lowPrice", "l"},
                                                        {"volume", "v"},
                                                        {"quoteVolume", "q"},
                                                        {"firstId", "F"},
                                                        {"lastId", "L"},
                                                        {"count", "n"}};
  for (const auto& [rest_name, ws_name] : fields)
    EXPECT_EQ(rest[rest_name], t[ws_name]) << rest_name;
  for (const auto& [stream, window] :
       {std::pair{hour, "1h"}, std::pair{four, "4h"}, std::pair{day, "1d"}}) {
    const json r =
        RestOnce(port(), "/api/v3/ticker?symbol=" + symbol_ + "&windowSize=" + window, has_last);
    const json& d = last[stream];
    for (const auto& [rest_name, ws_name] : fields) {
      if (d.contains(ws_name) && std::string_view(ws_name) != "s") {
        EXPECT_EQ(r[rest_name], d[ws_name]) << window << " " << rest_name;
      }
    }
  }
  const json rest_avg = RestOnce(port(), "/api/v3/avgPrice?symbol=" + symbol_,
                                 [&](const json& b) { return b["closeTime"] == last_ms; });
  EXPECT_EQ(last[avg]["e"], "avgPrice");
  EXPECT_EQ(last[avg]["s"], alias);
  EXPECT_EQ(last[avg]["i"], "5m");
  EXPECT_EQ(last[avg]["w"], rest_avg["price"]);
  EXPECT_EQ(last[avg]["w"], DecimalRatio(sums.quote, sums.volume, kPriceDecimals, kPriceDecimals));

  // Nothing changes now: no stream sends anything (Binance sends a ticker
  // only when it changed).
  const std::optional<json> quiet = client.TryRead(std::chrono::milliseconds(2500));
  EXPECT_FALSE(quiet.has_value()) << *quiet;
}

}  // namespace
}  // namespace exchange::md
