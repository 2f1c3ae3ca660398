// exchange-md against real Redis and PostgreSQL (scripts/services.sh): an
// engine runs a benchmark order flow; its trades and candles go to
// PostgreSQL through HistoryWriter and CandleAggregator (in a schema of the
// test's own), its book to Redis through BookStateWriter and its live
// candles to Redis as the history sink writes them. The server runs in
// process on an ephemeral port (and once as the exchange-md executable);
// every endpoint is checked over HTTP for its shape, each parameter's edge
// cases, and agreement with what PostgreSQL and Redis hold. Then the
// backends go away: 503, and recovery once PostgreSQL is reachable again.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/binance_symbol.h"
#include "base/request_weights.h"
#include "bookstate/book_state_reader.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/live_candle.h"
#include "bookstate/view_keys.h"
#include "candles/candle_aggregator.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "md/api/agg_trades.h"
#include "md/api/json_writer.h"
#include "md/history/candle_series.h"
#include "md/history/history_source.h"
#include "md/history/symbol_index.h"
#include "md/http/gzip_encoder.h"
#include "md/http/http_server.h"
#include "md/http/query_params.h"
#include "md/http/request_metrics.h"
#include "md/md_config.h"
#include "orderflow/benchmark_mix.h"
#include "persistence/copy_text.h"
#include "persistence/history_reports.h"
#include "persistence/history_writer.h"
#include "persistence/migration.h"
#include "testing/md_process.h"
#include "tests/gunzip.h"
#include "tests/service_env.h"

namespace exchange::md {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using tcp = asio::ip::tcp;
using candles::CandleInterval;

constexpr Timestamp kSecond = 1'000'000'000;
constexpr Timestamp kMinute = 60 * kSecond;
constexpr Timestamp kDay = 86'400 * kSecond;
constexpr Timestamp kMilli = 1'000'000;
constexpr int kPriceDecimals = 2;
constexpr int kQuantityDecimals = 3;

Timestamp NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- An HTTP client (one connection per request unless given one) ----

struct HttpResult {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  json Json() const { return json::parse(body); }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

HttpResult Exchange(tcp::socket& socket, const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::empty_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers)
    request.set(name, value);
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  if (method == "HEAD") parser.skip(true);
  http::read(socket, buffer, parser);
  HttpResult result;
  result.status = parser.get().result_int();
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  result.body = parser.get().body();
  return result;
}

HttpResult Request(std::uint16_t port, const std::string& target, const std::string& method = "GET",
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return Exchange(socket, method, target, headers);
}

using ::exchange::testing::Gunzip;

// A port nothing listens on (bound, then released).
std::uint16_t ClosedPort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// `url` (postgresql://user:pw@host:port/db or redis://...) with its
// host:port replaced.
// (No <regex>: GCC 12 warns inside it under the sanitizers, and -Werror.)
std::pair<std::size_t, std::size_t> HostPortSpan(const std::string& url) {
  const std::size_t at = url.rfind('@');
  const std::size_t begin = at == std::string::npos ? url.find("//") + 2 : at + 1;
  const std::size_t end = url.find('/', begin);
  return {begin, end == std::string::npos ? url.size() : end};
}

std::string WithPort(const std::string& url, std::uint16_t port) {
  const auto [begin, end] = HostPortSpan(url);
  std::string out = url.substr(0, begin);
  out += "127.0.0.1:";
  out += std::to_string(port);
  out += url.substr(end);
  return out;
}

// Waits up to `limit` for `condition`; false if it never held.
template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// A TCP forwarder on a fixed local port to `target`: the backend "comes
// back" when it starts listening.
class TcpForwarder {
 public:
  TcpForwarder(std::uint16_t port, tcp::endpoint target)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)), target_(target) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TcpForwarder() {
    io_.stop();
    thread_.join();
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket client) {
      if (ec) return;
      auto pair = std::make_shared<std::pair<tcp::socket, tcp::socket>>(std::move(client),
                                                                        tcp::socket(io_));
      pair->second.async_connect(target_, [pair](boost::system::error_code ec) {
        if (ec) return;
        Pump(pair, &pair->first, &pair->second);
        Pump(pair, &pair->second, &pair->first);
      });
      Accept();
    });
  }
  static void Pump(std::shared_ptr<std::pair<tcp::socket, tcp::socket>> pair, tcp::socket* from,
                   tcp::socket* to) {
    auto buffer = std::make_shared<std::array<char, 16384>>();
    from->async_read_some(asio::buffer(*buffer), [pair, from, to, buffer](
                                                     boost::system::error_code ec, std::size_t n) {
      if (ec) {
        boost::system::error_code ignored;
        to->shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      asio::async_write(*to, asio::buffer(*buffer, n),
                        [pair, from, to, buffer](boost::system::error_code ec, std::size_t) {
                          if (!ec) Pump(pair, from, to);
                        });
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::endpoint target_;
  std::thread thread_;
};

// The server in process, on an ephemeral port.
class InProcessServer {
 public:
  // `limits`: the request weight limit, counted (and enforced if asked).
  InProcessServer(const SourceOptions& source, std::size_t threads = 2,
                  const RateLimits& limits = RateLimits{})
      : metrics_(threads) {
    RequestHandler::Options options;
    options.source = source;
    options.rate_limits = limits;
    options.weights = std::make_shared<RequestWeights>(limits.request_weight_per_minute);
    HttpServer::Options server;
    server.port = 0;
    server.threads = threads;
    server_ = std::make_unique<HttpServer>(server, [&](std::size_t i) {
      return std::make_unique<RequestHandler>(options, metrics_.stats_of(i), metrics_);
    });
    server_->Start();
  }
  ~InProcessServer() { server_->Stop(); }
  std::uint16_t port() const { return server_->port(); }

 private:
  RequestMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

// The live candle as the engine's history sink writes it (candle:{S}:I).
void WriteLiveCandle(redis::RedisClient& client, const candles::Candle& c) {
  const std::vector<std::string> command = bookstate::LiveCandleCommand(c);
  const std::vector<std::string_view> argv(command.begin(), command.end());
  ASSERT_FALSE(client.Command(argv).is_error());
}

std::string Fixed(__int128 v, int decimals) {
  return persistence::FixedPoint(v, decimals);
}

// ---- The data, made once for the whole suite ----

struct Data {
  std::string redis_url, pg_url, reader_url;
  std::string schema;
  std::string symbol;                         // traded: trades, candles, a book
  std::string quiet_symbol;                   // an instrument with nothing yet
  std::vector<persistence::TradeRow> trades;  // every trade, in trade id order
  InstrumentSpec spec;                        // the traded symbol's
  Timestamp old_start = 0;                    // the first run of trades (10%), 40 days before
  Timestamp recent_start = 0;                 // the second (90%), ending shortly before now
  std::unique_ptr<InProcessServer> server;
};

Data* data = nullptr;

class MdServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = std::make_unique<Data>();
    d->redis_url = testing::ServiceUrl("EXCHANGE_REDIS_URL");
    d->pg_url = testing::ServiceUrl("EXCHANGE_PG_URL");
    d->reader_url = testing::ServiceUrl("EXCHANGE_PG_READER_URL");
    if (d->redis_url.empty() || d->pg_url.empty() || d->reader_url.empty()) {
      data = d.release();  // each test skips in SetUp
      return;
    }
    std::random_device rd;
    const std::string tag = std::to_string(::getpid() % 100000) + "_" + std::to_string(rd() % 1000);
    d->schema = "md_test_" + tag;
    d->symbol = "MD" + tag;
    d->quiet_symbol = "MQ" + tag;
    data = d.release();  // from here on TearDownTestSuite cleans up, whatever fails
    try {
      Produce(*data);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "producing the test data: " << e.what();
      return;
    }
    SourceOptions source;
    source.redis_url = data->redis_url;
    source.pg_url = data->reader_url;
    source.pg_schema = data->schema;
    data->server = std::make_unique<InProcessServer>(source);
  }

  static void TearDownTestSuite() {
    if (data == nullptr) return;
    data->server.reset();
    if (data->schema.empty()) {  // services not configured: nothing was made
      delete data;
      data = nullptr;
      return;
    }
    redis::RedisClient client(redis::ParseRedisUrl(data->redis_url));
    bookstate::BookStateWriter::DeleteView(client, data->symbol);
    for (CandleInterval interval : candles::AllIntervals())
      client.Command(
          {"DEL", bookstate::CandleKeyOf(data->symbol, candles::IntervalName(interval))});
    pqxx::connection c(data->pg_url);
    pqxx::work w(c);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(data->schema) + " CASCADE");
    w.commit();
    delete data;
    data = nullptr;
  }

  void SetUp() override {
    std::string url;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", url);
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", url);
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_READER_URL", url);
    ASSERT_NE(data, nullptr);
    ASSERT_NE(data->server, nullptr);
  }

  // An engine runs the benchmark mix; trades and candles to PostgreSQL,
  // the book and live candles to Redis, batch by batch.
  static void Produce(Data& d) {
    const Timestamp now = NowNs();
    d.recent_start = candles::BucketStart(now - 3 * 3600 * kSecond, CandleInterval::k1h);
    d.old_start = d.recent_start - 40 * kDay;
    BenchmarkMixOptions mix;
    mix.seed = 7;
    mix.commands = 20'000;
    mix.resting_orders = 400;
    mix.gtc_percent = 15;
    mix.ioc_percent = 25;  // trades, about one command in four
    mix.cancel_percent = 5;
    const BenchmarkFlow flow = GenerateBenchmarkMix(mix);
    std::vector<Command> commands = flow.prefill;
    commands.insert(commands.end(), flow.commands.begin(), flow.commands.end());
    // 10% 40 days ago, then the rest one every 250 ms from recent_start.
    const std::size_t old_count = commands.size() / 10;
    for (std::size_t i = 0; i < commands.size(); ++i) {
      const Timestamp step = static_cast<Timestamp>(i) * 250 * kMilli;
      commands[i].timestamp =
          i < old_count ? d.old_start + step
                        : d.recent_start + step - static_cast<Timestamp>(old_count) * 250 * kMilli;
    }

    InstrumentSpec spec = flow.instrument;
    spec.symbol = SymbolName(d.symbol);
    d.spec = spec;
    Engine engine;
    engine.Process(Command{d.old_start - kSecond, AddInstrument{spec}});
    bookstate::BookViews views = bookstate::SeedBookViews(engine);
    bookstate::BookStateWriter book_writer(bookstate::BookStateWriter::Options{});
    redis::RedisClient redis(redis::ParseRedisUrl(d.redis_url));
    ASSERT_EQ(book_writer.WriteAll(redis, views), "");

    persistence::HistoryWriter history(
        persistence::HistoryWriter::Options{d.pg_url, d.schema, "md-test", 2}, d.old_start);
    persistence::InstrumentRow traded{d.symbol, kPriceDecimals, kQuantityDecimals, 1, 1};
    traded.min_quantity = spec.min_quantity;
    traded.max_quantity = spec.max_quantity;
    // The quiet one's limits are not multiples of its lot: exchangeInfo
    // shows the lots an order may have (min rounded up, max down).
    persistence::InstrumentRow quiet{d.quiet_symbol, 4, 0, 5, 10};
    quiet.min_quantity = 25;
    quiet.max_quantity = 1'000'005;
    quiet.base_asset = "QBASE";
    quiet.quote_asset = "QQUOTE";
    quiet.default_stp = StpMode::kCancelIncoming;
    history.SaveInstruments({traded, quiet});
    candles::CandleAggregator aggregator;
    DepthCollector collector;
    std::vector<wire::EventRecord> records;
    std::vector<DepthChange> depth;
    for (std::size_t at = 0; at < commands.size(); at += 200) {
      persistence::HistoryBatch batch;
      records.clear();
      depth.clear();
      for (std::size_t i = at; i < std::min(commands.size(), at + 200); ++i) {
        collector.BeforeCommand(engine, commands[i]);
        const auto events = engine.Process(commands[i]);
        collector.AfterEvents(events);
        for (const Event& e : events) {
          records.push_back(wire::EventRecord{spec.symbol, e});
          batch.up_to = e.sequence;
          if (e.type != EventType::kTrade) continue;
          const persistence::TradeRow row = persistence::TradeRowOf(spec.symbol, e);
          batch.trades.push_back(row);
          d.trades.push_back(row);
          aggregator.Add({row.symbol, row.trade_id, row.time, row.price, row.quantity});
        }
      }
      collector.Finish(engine, &depth);
      views.ApplyBatch(records, depth);
      ASSERT_EQ(book_writer.WriteChanges(redis, views), "");
      batch.candles = aggregator.TakeChanges();
      ASSERT_TRUE(history.Write(batch).empty());
      for (CandleInterval interval : candles::AllIntervals()) {
        if (const auto live = aggregator.Live(d.symbol, interval)) WriteLiveCandle(redis, *live);
      }
    }
    ASSERT_GT(d.trades.size(), 2000u);
    std::set<Price> prices;
    for (const auto& t : d.trades)
      prices.insert(t.price);
    ASSERT_GE(prices.size(), 5u);  // candles with distinct open, high, low and close
  }

  // The candles table's rows of (symbol, interval), oldest first.
  static std::vector<candles::Candle> StoredCandles(CandleInterval interval) {
    pqxx::connection c(data->reader_url);
    pqxx::work w(c);
    w.exec0("SET LOCAL search_path TO " + w.quote_name(data->schema));
    const pqxx::result rows = w.exec_params(
        "SELECT (extract(epoch FROM open_time) * 1000000)::bigint,"
        " (extract(epoch FROM close_time) * 1000000)::bigint, open, high, low, close, volume,"
        " quote_volume::text, trade_count, first_trade_id, last_trade_id FROM candles"
        " WHERE symbol = $1 AND interval = $2 ORDER BY open_time",
        data->symbol, std::string(candles::IntervalName(interval)));
    std::vector<candles::Candle> out;
    for (const auto& r : rows) {
      candles::Candle k;
      k.symbol = SymbolName(data->symbol);
      k.interval = interval;
      k.open_time = r[0].as<std::int64_t>() * 1000;
      k.close_time = r[1].as<std::int64_t>() * 1000;
      k.open = r[2].as<std::int64_t>();
      k.high = r[3].as<std::int64_t>();
      k.low = r[4].as<std::int64_t>();
      k.close = r[5].as<std::int64_t>();
      k.volume = r[6].as<std::int64_t>();
      k.quote_volume = r[7].as<std::int64_t>();
      k.trade_count = r[8].as<std::uint64_t>();
      k.first_trade_id = r[9].as<std::uint64_t>();
      k.last_trade_id = r[10].as<std::uint64_t>();
      out.push_back(k);
    }
    return out;
  }

  static HttpResult Get(const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Request(data->server->port(), target, "GET", headers);
  }

  static std::string Sym() { return data->symbol; }
};

// The Binance kline the server should give for a stored candle.
json ExpectedKline(const candles::Candle& c) {
  return json::array(
      {c.open_time / kMilli, Fixed(c.open, kPriceDecimals), Fixed(c.high, kPriceDecimals),
       Fixed(c.low, kPriceDecimals), Fixed(c.close, kPriceDecimals),
       Fixed(c.volume, kQuantityDecimals), c.close_time / kMilli - 1,
       Fixed(c.quote_volume, kPriceDecimals + kQuantityDecimals), c.trade_count, "0", "0", "0"});
}

json ExpectedKlines(const std::vector<candles::Candle>& candles) {
  json out = json::array();
  for (const auto& c : candles)
    out.push_back(ExpectedKline(c));
  return out;
}

double Number(__int128 v, int decimals) {
  return std::stod(Fixed(v, decimals));
}

// The UDF history body the server should give for `bars`.
json ExpectedHistory(const std::vector<candles::Candle>& bars) {
  json h = {{"s", "ok"}};
  for (const char* k : {"t", "o", "h", "l", "c", "v"})
    h[k] = json::array();
  for (const auto& c : bars) {
    h["t"].push_back(c.open_time / kSecond);
    h["o"].push_back(Number(c.open, kPriceDecimals));
    h["h"].push_back(Number(c.high, kPriceDecimals));
    h["l"].push_back(Number(c.low, kPriceDecimals));
    h["c"].push_back(Number(c.close, kPriceDecimals));
    h["v"].push_back(Number(c.volume, kQuantityDecimals));
  }
  return h;
}

std::string S(Timestamp ns_in_seconds) {
  return std::to_string(ns_in_seconds / kSecond);
}
std::string Ms(Timestamp ns) {
  return std::to_string(ns / kMilli);
}

// ---- UDF ----

TEST_F(MdServerTest, UdfConfigAdvertisesEveryResolution) {
  const HttpResult r = Get("/udf/config");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const json config = r.Json();
  EXPECT_EQ(config["supported_resolutions"],
            json::array({"1S", "1", "3", "5", "15", "30", "60", "120", "240", "360", "480", "720",
                         "1D", "3D", "1W", "1M"}));
  EXPECT_EQ(config["supports_search"], true);
  EXPECT_EQ(config["supports_time"], true);
  EXPECT_EQ(config["supports_group_request"], false);
}

TEST_F(MdServerTest, UdfSymbolsDescribesTheInstrument) {
  const json s = Get("/udf/symbols?symbol=" + Sym()).Json();
  EXPECT_EQ(s["name"], Sym());
  EXPECT_EQ(s["ticker"], Sym());
  EXPECT_EQ(s["pricescale"], 100);
  EXPECT_EQ(s["minmov"], 1);
  EXPECT_EQ(s["volume_precision"], kQuantityDecimals);
  EXPECT_EQ(s["has_seconds"], true);
  EXPECT_EQ(s["timezone"], "Etc/UTC");
  EXPECT_EQ(s["session"], "24x7");
  // With an exchange prefix, as the charting library may ask.
  EXPECT_EQ(Get("/udf/symbols?symbol=exchange-core:" + Sym()).Json()["name"], Sym());
  const json quiet = Get("/udf/symbols?symbol=" + data->quiet_symbol).Json();
  EXPECT_EQ(quiet["pricescale"], 10000);
  EXPECT_EQ(quiet["minmov"], 5);

  const HttpResult unknown = Get("/udf/symbols?symbol=NOPE" + Sym());
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(unknown.Json()["s"], "error");
  EXPECT_NE(unknown.Json()["errmsg"].get<std::string>().find("NOPE"), std::string::npos);
  const HttpResult missing = Get("/udf/symbols");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_EQ(missing.Json()["s"], "error");
}

TEST_F(MdServerTest, UdfSearchFindsBySubstringAndHonoursLimit) {
  std::string lower = Sym().substr(0, 4);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const json found = Get("/udf/search?query=" + lower + "&limit=10").Json();
  ASSERT_EQ(found.size(), 1u) << found;
  EXPECT_EQ(found[0]["symbol"], Sym());
  EXPECT_EQ(found[0]["exchange"], "exchange-core");
  EXPECT_EQ(Get("/udf/search?query=M").Json().size(), 2u);  // both of the schema's
  EXPECT_EQ(Get("/udf/search?query=M&limit=1").Json().size(), 1u);
  EXPECT_EQ(Get("/udf/search?query=zzzz").Json(), json::array());
  EXPECT_EQ(Get("/udf/search?query=M&limit=0").status, 400u);
  EXPECT_EQ(Get("/udf/search?query=M&limit=1001").status, 400u);
  EXPECT_EQ(Get("/udf/search?query=M&limit=ten").Json()["s"], "error");
}

TEST_F(MdServerTest, UdfTimeIsTheServersClockInSeconds) {
  const HttpResult r = Get("/udf/time");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  const std::int64_t t = std::stoll(r.body);
  EXPECT_NEAR(static_cast<double>(t), static_cast<double>(NowNs() / kSecond), 5.0);
}

TEST_F(MdServerTest, UdfHistoryEqualsTheCandlesTable) {
  const std::pair<const char*, CandleInterval> cases[] = {
      {"1S", CandleInterval::k1s}, {"1", CandleInterval::k1m},  {"5", CandleInterval::k5m},
      {"60", CandleInterval::k1h}, {"1D", CandleInterval::k1d}, {"D", CandleInterval::k1d},
      {"1W", CandleInterval::k1w}, {"1M", CandleInterval::k1M}};
  for (const auto& [resolution, interval] : cases) {
    std::vector<candles::Candle> stored = StoredCandles(interval);
    ASSERT_FALSE(stored.empty()) << resolution;
    // Everything: from before the first to after the last.
    const Timestamp from = stored.front().open_time - kDay * 40;
    const Timestamp to = stored.back().close_time + kDay;
    const HttpResult r = Get("/udf/history?symbol=" + Sym() + "&resolution=" + resolution +
                             "&from=" + S(from) + "&to=" + S(to));
    ASSERT_EQ(r.status, 200u) << resolution << ": " << r.body;
    if (stored.size() > static_cast<std::size_t>(UdfEndpoints::kMaxBars)) {
      stored.erase(stored.begin(), stored.end() - UdfEndpoints::kMaxBars);
    }
    EXPECT_EQ(r.Json(), ExpectedHistory(stored)) << resolution;
  }
}

TEST_F(MdServerTest, UdfHistoryToIsExclusiveAndFromInclusive) {
  const std::vector<candles::Candle> stored = StoredCandles(CandleInterval::k1m);
  ASSERT_GT(stored.size(), 10u);
  const candles::Candle& bar = stored[5];
  const std::string base = "/udf/history?symbol=" + Sym() + "&resolution=1";
  // [bar, next bar): just the bar.
  EXPECT_EQ(Get(base + "&from=" + S(bar.open_time) + "&to=" + S(stored[6].open_time)).Json(),
            ExpectedHistory({bar}));
  // to = the bar's open: it is not included.
  EXPECT_EQ(Get(base + "&from=" + S(stored[3].open_time) + "&to=" + S(bar.open_time)).Json(),
            ExpectedHistory({stored[3], stored[4]}));
  // from = to: nothing; the bar before from is the next to ask for.
  const json empty = Get(base + "&from=" + S(bar.open_time) + "&to=" + S(bar.open_time)).Json();
  EXPECT_EQ(empty, (json{{"s", "no_data"}, {"nextTime", stored[4].open_time / kSecond}}));
}

TEST_F(MdServerTest, UdfHistoryCountbackTakesTheNewestBarsBeforeToEvenBeforeFrom) {
  const std::vector<candles::Candle> stored = StoredCandles(CandleInterval::k1m);
  ASSERT_GT(stored.size(), 20u);
  const Timestamp to = stored[20].open_time;
  const std::string base = "/udf/history?symbol=" + Sym() + "&resolution=1&to=" + S(to);
  // from just before to would hold one bar; countback=5 asks for five.
  const std::vector<candles::Candle> five(stored.begin() + 15, stored.begin() + 20);
  EXPECT_EQ(Get(base + "&from=" + S(stored[19].open_time) + "&countback=5").Json(),
            ExpectedHistory(five));
  EXPECT_EQ(Get(base + "&countback=5").Json(), ExpectedHistory(five));  // from may be absent
  EXPECT_EQ(Get(base + "&countback=1").Json(), ExpectedHistory({stored[19]}));
  // More than there are: all of them.
  const std::vector<candles::Candle> all(stored.begin(), stored.begin() + 20);
  EXPECT_EQ(Get(base + "&countback=10000").Json(), ExpectedHistory(all));
  // Nothing before to at all: no_data without nextTime.
  EXPECT_EQ(Get("/udf/history?symbol=" + Sym() +
                "&resolution=1&countback=3&to=" + S(stored.front().open_time))
                .Json(),
            json({{"s", "no_data"}}));
  // A `to` far in the future (past 2262, beyond nanoseconds in 64 bits).
  const std::string far = "/udf/history?symbol=" + Sym() + "&resolution=1&countback=2&to=";
  EXPECT_EQ(Get(far + "9999999999").Json(), ExpectedHistory({stored.end() - 2, stored.end()}));
  EXPECT_EQ(Get(far + "253402300799").Json(), ExpectedHistory({stored.end() - 2, stored.end()}));
  EXPECT_EQ(Get(far + "253402300800").status, 400u);
  EXPECT_EQ(Get(base + "&countback=0").status, 400u);
  EXPECT_EQ(Get(base + "&countback=10001").status, 400u);
}

TEST_F(MdServerTest, UdfHistoryNoDataCarriesNextTime) {
  const std::vector<candles::Candle> stored = StoredCandles(CandleInterval::k1m);
  // The gap between the old run and the recent one.
  const auto gap = std::adjacent_find(
      stored.begin(), stored.end(),
      [](const auto& a, const auto& b) { return b.open_time - a.open_time > 30 * kDay; });
  ASSERT_NE(gap, stored.end());
  const std::string base = "/udf/history?symbol=" + Sym() + "&resolution=1";
  const json inside =
      Get(base + "&from=" + S(gap->close_time + kDay) + "&to=" + S(gap->close_time + 2 * kDay))
          .Json();
  EXPECT_EQ(inside, (json{{"s", "no_data"}, {"nextTime", gap->open_time / kSecond}}));
  // Before anything: no nextTime.
  const json before = Get(base + "&from=" + S(stored.front().open_time - 2 * kDay) +
                          "&to=" + S(stored.front().open_time))
                          .Json();
  EXPECT_EQ(before, (json{{"s", "no_data"}}));
  // A symbol with no candles at all.
  EXPECT_EQ(
      Get("/udf/history?symbol=" + data->quiet_symbol + "&resolution=1&from=0&to=" + S(NowNs()))
          .Json(),
      (json{{"s", "no_data"}}));
}

TEST_F(MdServerTest, UdfHistoryRefusesBadRequestsUdfStyle) {
  const std::string base = "/udf/history?symbol=" + Sym();
  const std::pair<std::string, std::string> cases[] = {
      {base + "&resolution=1&from=200&to=100", "after"},
      {base + "&resolution=7&from=100&to=200", "resolution"},
      {base + "&resolution=1m&from=100&to=200", "resolution"},
      {"/udf/history?symbol=NOPE&resolution=1&from=100&to=200", "NOPE"},
      {base + "&resolution=1&from=100", "'to'"},
      {base + "&resolution=1&to=100", "'from'"},
      {"/udf/history?resolution=1&from=100&to=200", "'symbol'"},
      {base + "&from=100&to=200", "'resolution'"},
      {base + "&resolution=1&from=abc&to=200", "'from'"},
      {base + "&resolution=1&from=-5&to=200", "'from'"},
      {base + "&resolution=1&from=%zz&to=200", "percent"},
  };
  for (const auto& [target, says] : cases) {
    const HttpResult r = Get(target);
    EXPECT_EQ(r.status, 400u) << target << ": " << r.body;
    const json body = r.Json();
    EXPECT_EQ(body["s"], "error") << target;
    EXPECT_NE(body["errmsg"].get<std::string>().find(says), std::string::npos)
        << target << ": " << body;
  }
}

// ---- Binance ----

TEST_F(MdServerTest, KlinesEqualTheCandlesTable) {
  for (CandleInterval interval :
       {CandleInterval::k1s, CandleInterval::k1m, CandleInterval::k1h, CandleInterval::k1M}) {
    const std::vector<candles::Candle> stored = StoredCandles(interval);
    const std::string name(candles::IntervalName(interval));
    const HttpResult r =
        Get("/api/v3/klines?symbol=" + Sym() + "&interval=" + name + "&limit=1000");
    ASSERT_EQ(r.status, 200u) << r.body;
    const std::size_t n = std::min<std::size_t>(stored.size(), 1000);
    EXPECT_EQ(r.Json(),
              ExpectedKlines({stored.end() - static_cast<std::ptrdiff_t>(n), stored.end()}))
        << name;
  }
}

TEST_F(MdServerTest, KlinesHonourLimitStartAndEndTime) {
  const std::vector<candles::Candle> stored = StoredCandles(CandleInterval::k1s);
  ASSERT_GT(stored.size(), 1200u);
  const std::string base = "/api/v3/klines?symbol=" + Sym() + "&interval=1s";
  const auto slice = [&](std::size_t first, std::size_t last) {
    return ExpectedKlines({stored.begin() + static_cast<std::ptrdiff_t>(first),
                           stored.begin() + static_cast<std::ptrdiff_t>(last)});
  };
  const std::size_t n = stored.size();
  // Default limit 500: the newest.
  EXPECT_EQ(Get(base).Json(), slice(n - 500, n));
  EXPECT_EQ(Get(base + "&limit=1").Json(), slice(n - 1, n));
  // startTime: the oldest from there, inclusive.
  EXPECT_EQ(Get(base + "&startTime=" + Ms(stored[100].open_time) + "&limit=3").Json(),
            slice(100, 103));
  EXPECT_EQ(Get(base + "&startTime=" + Ms(stored[100].open_time + kMilli) + "&limit=3").Json(),
            slice(101, 104));
  // endTime: inclusive of a kline opening at it.
  EXPECT_EQ(Get(base + "&endTime=" + Ms(stored[100].open_time) + "&limit=3").Json(),
            slice(98, 101));
  EXPECT_EQ(Get(base + "&endTime=" + Ms(stored[100].open_time - kMilli) + "&limit=3").Json(),
            slice(97, 100));
  // Both: the oldest of the window, at most limit.
  EXPECT_EQ(Get(base + "&startTime=" + Ms(stored[10].open_time) +
                "&endTime=" + Ms(stored[14].open_time) + "&limit=1000")
                .Json(),
            slice(10, 15));
  EXPECT_EQ(
      Get(base + "&startTime=" + Ms(stored[10].open_time) + "&endTime=" + Ms(stored[10].open_time))
          .Json(),
      slice(10, 11));
  // Close time: the open of the next bucket less 1 ms.
  const json one = Get(base + "&limit=1").Json()[0];
  EXPECT_EQ(one[6].get<std::int64_t>(), one[0].get<std::int64_t>() + 999);
  EXPECT_EQ(one.size(), 12u);
  // endTime far in the future: the newest.
  EXPECT_EQ(Get(base + "&endTime=253402300799999&limit=2").Json(), slice(n - 2, n));
  EXPECT_EQ(Get(base + "&startTime=0&endTime=253402300799999&limit=2").Json(), slice(0, 2));
  // A window with nothing: [].
  EXPECT_EQ(Get(base + "&startTime=0&endTime=1000").Json(), json::array());
}

TEST_F(MdServerTest, KlinesRefuseBadRequestsBinanceStyle) {
  const std::string base = "/api/v3/klines?symbol=" + Sym();
  const std::tuple<std::string, int> cases[] = {
      {base + "&interval=1m&startTime=2000&endTime=1000", -1023},
      {base + "&interval=1x", -1120},
      {base + "&interval=1", -1120},
      {base, -1102},
      {"/api/v3/klines?interval=1m", -1102},
      {"/api/v3/klines?symbol=NOPE&interval=1m", -1121},
      {base + "&interval=1m&limit=0", -1130},
      {base + "&interval=1m&limit=1001", -1130},
      {base + "&interval=1m&limit=abc", -1100},
      {base + "&interval=1m&startTime=-1", -1130},
      {base + "&interval=1m&startTime=99999999999999999999", -1130},
  };
  for (const auto& [target, code] : cases) {
    const HttpResult r = Get(target);
    EXPECT_EQ(r.status, 400u) << target << ": " << r.body;
    EXPECT_EQ(r.Json()["code"], code) << target << ": " << r.body;
    EXPECT_FALSE(r.Json()["msg"].get<std::string>().empty());
  }
}

TEST_F(MdServerTest, KlinesTakeTheLiveCandleFromRedisWhenItIsNewer) {
  redis::RedisClient client(redis::ParseRedisUrl(data->redis_url));
  const std::vector<candles::Candle> stored = StoredCandles(CandleInterval::k1m);
  const candles::Candle last = stored.back();
  // The sink has written a newer state of the open candle to Redis than
  // PostgreSQL has committed: its bucket shows Redis's.
  candles::Candle fresher = last;
  fresher.close = last.close + 7;
  fresher.high = std::max(last.high, fresher.close);
  fresher.volume += 5;
  fresher.quote_volume += static_cast<__int128>(fresher.close) * 5;
  fresher.trade_count += 1;
  fresher.last_trade_id += 1'000'000;
  WriteLiveCandle(client, fresher);
  const std::string target = "/api/v3/klines?symbol=" + Sym() + "&interval=1m&limit=2";
  EXPECT_EQ(Get(target).Json(), ExpectedKlines({stored[stored.size() - 2], fresher}));
  // A live candle of a newer bucket, not in PostgreSQL yet: appended.
  candles::Candle next = fresher;
  next.open_time = last.close_time;
  next.close_time = last.close_time + kMinute;
  WriteLiveCandle(client, next);
  EXPECT_EQ(Get(target).Json(), ExpectedKlines({last, next}));
  // An older live candle (PostgreSQL ahead): PostgreSQL's.
  candles::Candle older = last;
  older.last_trade_id -= 1;
  older.close += 3;
  WriteLiveCandle(client, older);
  EXPECT_EQ(Get(target).Json(), ExpectedKlines({stored[stored.size() - 2], last}));
  WriteLiveCandle(client, last);
}

TEST_F(MdServerTest, DepthEqualsTheRedisView) {
  redis::RedisClient client(redis::ParseRedisUrl(data->redis_url));
  bookstate::BookStateReader reader(client);
  const auto expected = [](const bookstate::BookSnapshot& book) {
    json out = {{"lastUpdateId", book.sequence}, {"bids", json::array()}, {"asks", json::array()}};
    for (const auto& l : book.bids)
      out["bids"].push_back(
          {Fixed(l.price, kPriceDecimals), Fixed(l.value.quantity, kQuantityDecimals)});
    for (const auto& l : book.asks)
      out["asks"].push_back(
          {Fixed(l.price, kPriceDecimals), Fixed(l.value.quantity, kQuantityDecimals)});
    return out;
  };
  const std::string base = "/api/v3/depth?symbol=" + Sym();
  const bookstate::BookSnapshot hundred = reader.ReadBook(Sym(), 100);
  ASSERT_EQ(hundred.bids.size(), 100u);  // the book is deeper than the default
  EXPECT_EQ(Get(base).Json(), expected(hundred));
  EXPECT_EQ(Get(base + "&limit=5").Json(), expected(reader.ReadBook(Sym(), 5)));
  EXPECT_EQ(Get(base + "&limit=1").Json(), expected(reader.ReadBook(Sym(), 1)));
  const bookstate::BookSnapshot all = reader.ReadBook(Sym(), 0);
  EXPECT_EQ(Get(base + "&limit=5000").Json(), expected(all));
  EXPECT_GT(all.sequence, 0u);
  // An instrument with no book yet: empty.
  EXPECT_EQ(Get("/api/v3/depth?symbol=" + data->quiet_symbol).Json(),
            (json{{"lastUpdateId", 0}, {"bids", json::array()}, {"asks", json::array()}}));
  EXPECT_EQ(Get(base + "&limit=0").Json()["code"], -1130);
  EXPECT_EQ(Get(base + "&limit=5001").Json()["code"], -1130);
  EXPECT_EQ(Get("/api/v3/depth?symbol=NOPE").Json()["code"], -1121);
  EXPECT_EQ(Get("/api/v3/depth").status, 400u);
}

TEST_F(MdServerTest, TradesAreTheNewestOfTheTableOldestFirst) {
  std::vector<persistence::TradeRow> trades = data->trades;
  std::stable_sort(trades.begin(), trades.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.time / 1000, a.trade_id) < std::make_pair(b.time / 1000, b.trade_id);
  });
  const auto expected = [&](std::size_t n) {
    json out = json::array();
    for (std::size_t i = trades.size() - n; i < trades.size(); ++i) {
      const persistence::TradeRow& t = trades[i];
      out.push_back({{"id", t.trade_id},
                     {"price", Fixed(t.price, kPriceDecimals)},
                     {"qty", Fixed(t.quantity, kQuantityDecimals)},
                     {"quoteQty", Fixed(static_cast<__int128>(t.price) * t.quantity,
                                        kPriceDecimals + kQuantityDecimals)},
                     {"time", t.time / kMilli},
                     {"isBuyerMaker", t.aggressor == Side::kSell},
                     {"isBestMatch", true}});
    }
    return out;
  };
  const std::string base = "/api/v3/trades?symbol=" + Sym();
  EXPECT_EQ(Get(base).Json(), expected(500));
  EXPECT_EQ(Get(base + "&limit=1").Json(), expected(1));
  EXPECT_EQ(Get(base + "&limit=1000").Json(), expected(1000));
  EXPECT_EQ(Get(base + "&limit=0").Json()["code"], -1130);
  EXPECT_EQ(Get(base + "&limit=1001").Json()["code"], -1130);
  EXPECT_EQ(Get("/api/v3/trades?symbol=" + data->quiet_symbol).Json(), json::array());
  EXPECT_EQ(Get("/api/v3/trades?symbol=NOPE").Json()["code"], -1121);
}

TEST_F(MdServerTest, Ticker24hSumsTheLastDaysTrades) {
  const Timestamp now = NowNs();
  const Timestamp since = candles::BucketStart(now - kDay, CandleInterval::k1m);
  std::vector<persistence::TradeRow> day;
  for (const auto& t : data->trades)
    if (t.time >= since) day.push_back(t);
  ASSERT_FALSE(day.empty());
  Quantity volume = 0;
  __int128 quote = 0;
  Price high = day.front().price, low = day.front().price;
  for (const auto& t : day) {
    volume += t.quantity;
    quote += static_cast<__int128>(t.price) * t.quantity;
    high = std::max(high, t.price);
    low = std::min(low, t.price);
  }
  const HttpResult r = Get("/api/v3/ticker/24hr?symbol=" + Sym());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json t = r.Json();
  const persistence::TradeRow& last = data->trades.back();
  EXPECT_EQ(t["symbol"], Sym());
  EXPECT_EQ(t["count"], day.size());
  EXPECT_EQ(t["firstId"], day.front().trade_id);
  EXPECT_EQ(t["lastId"], last.trade_id);
  EXPECT_EQ(t["openPrice"], Fixed(day.front().price, kPriceDecimals));
  EXPECT_EQ(t["highPrice"], Fixed(high, kPriceDecimals));
  EXPECT_EQ(t["lowPrice"], Fixed(low, kPriceDecimals));
  EXPECT_EQ(t["lastPrice"], Fixed(last.price, kPriceDecimals));
  EXPECT_EQ(t["lastQty"], Fixed(last.quantity, kQuantityDecimals));
  EXPECT_EQ(t["volume"], Fixed(volume, kQuantityDecimals));
  EXPECT_EQ(t["quoteVolume"], Fixed(quote, kPriceDecimals + kQuantityDecimals));
  EXPECT_EQ(t["priceChange"], Fixed(last.price - day.front().price, kPriceDecimals));
  EXPECT_EQ(t["weightedAvgPrice"],
            persistence::DecimalRatio(quote, volume, kPriceDecimals, kPriceDecimals));
  // The old run's last trade closed before the window.
  const auto before = std::find_if(data->trades.rbegin(), data->trades.rend(),
                                   [&](const auto& x) { return x.time < since; });
  ASSERT_NE(before, data->trades.rend());
  EXPECT_EQ(t["prevClosePrice"], Fixed(before->price, kPriceDecimals));
  redis::RedisClient client(redis::ParseRedisUrl(data->redis_url));
  const auto book = bookstate::BookStateReader(client).ReadBook(Sym(), 1);
  ASSERT_TRUE(book.best_bid && book.best_ask);
  EXPECT_EQ(t["bidPrice"], Fixed(book.best_bid->price, kPriceDecimals));
  EXPECT_EQ(t["askQty"], Fixed(book.best_ask->quantity, kQuantityDecimals));
  EXPECT_NEAR(t["closeTime"].get<double>(), static_cast<double>(now / kMilli), 5000.0);
  EXPECT_EQ(t["closeTime"].get<std::int64_t>() - t["openTime"].get<std::int64_t>(), kDay / kMilli);

  // Every symbol: an array; the quiet one has nothing.
  const json all = Get("/api/v3/ticker/24hr").Json();
  ASSERT_EQ(all.size(), 2u);
  const json& quiet = all[0]["symbol"] == data->quiet_symbol ? all[0] : all[1];
  EXPECT_EQ(quiet["count"], 0);
  EXPECT_EQ(quiet["firstId"], -1);
  EXPECT_EQ(Get("/api/v3/ticker/24hr?symbol=NOPE").Json()["code"], -1121);

  // symbols=["A","B"] (URL-encoded as clients send it): those, in that order.
  const std::string list = "%5B%22" + data->quiet_symbol + "%22,%22" + Sym() + "%22%5D";
  const json some = Get("/api/v3/ticker/24hr?symbols=" + list).Json();
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0]["symbol"], data->quiet_symbol);
  EXPECT_EQ(some[1]["symbol"], Sym());
  EXPECT_EQ(some[1]["count"], t["count"]);
  const json just = Get("/api/v3/ticker/24hr?symbols=%5B%22" + Sym() + "%22%5D").Json();
  ASSERT_TRUE(just.is_array());
  EXPECT_EQ(just.size(), 1u);
  for (const std::string& bad : {std::string("%5B%5D"), std::string("AAPL"), std::string("%5B1%5D"),
                                 std::string("%5B%22NOPE%22")}) {
    const HttpResult r = Get("/api/v3/ticker/24hr?symbols=" + bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.Json()["code"], -1130) << bad << " " << r.body;
  }
  const HttpResult unknown = Get("/api/v3/ticker/24hr?symbols=%5B%22NOPE%22%5D");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(unknown.Json()["code"], -1121);
  const HttpResult both = Get("/api/v3/ticker/24hr?symbol=" + Sym() + "&symbols=" + list);
  EXPECT_EQ(both.status, 400u);
  EXPECT_EQ(both.Json()["code"], -1128);
}

TEST_F(MdServerTest, ExchangeInfoListsTheInstruments) {
  const json info = Get("/api/v3/exchangeInfo").Json();
  EXPECT_EQ(info["timezone"], "UTC");
  ASSERT_EQ(info["symbols"].size(), 2u);
  const json one = Get("/api/v3/exchangeInfo?symbol=" + data->quiet_symbol).Json();
  ASSERT_EQ(one["symbols"].size(), 1u);
  const json& s = one["symbols"][0];
  EXPECT_EQ(s["symbol"], data->quiet_symbol);
  EXPECT_EQ(s["status"], "TRADING");
  EXPECT_EQ(s["quotePrecision"], 4);
  EXPECT_EQ(s["baseAssetPrecision"], 0);
  EXPECT_EQ(s["filters"][0]["filterType"], "PRICE_FILTER");
  EXPECT_EQ(s["filters"][0]["tickSize"], "0.0005");
  EXPECT_EQ(s["filters"][1]["filterType"], "LOT_SIZE");
  EXPECT_EQ(s["filters"][1]["stepSize"], "10");
  EXPECT_EQ(Get("/api/v3/exchangeInfo?symbol=NOPE").Json()["code"], -1121);
  const json listed =
      Get("/api/v3/exchangeInfo?symbols=%5B%22" + data->quiet_symbol + "%22%5D").Json();
  ASSERT_EQ(listed["symbols"].size(), 1u);
  EXPECT_EQ(listed["symbols"][0], s);
}

// ---- Binance compatibility (issue 20) ----

TEST_F(MdServerTest, PingAndTimeAnswerAsBinance) {
  const HttpResult ping = Get("/api/v3/ping");
  EXPECT_EQ(ping.status, 200u);
  EXPECT_EQ(ping.body, "{}");
  const Timestamp before = NowNs() / kMilli;
  const json time = Get("/api/v3/time").Json();
  const Timestamp after = NowNs() / kMilli;
  ASSERT_EQ(time.size(), 1u);
  EXPECT_EQ(Get("/sapi/v1/system/status").Json(), (json{{"status", 0}, {"msg", "normal"}}));
  EXPECT_EQ(Get("/sapi/v1/nothing").status, 404u);
  EXPECT_GE(time["serverTime"].get<std::int64_t>(), before);
  EXPECT_LE(time["serverTime"].get<std::int64_t>(), after);
}

// Every symbol parameter also takes the instrument's Binance form (its name
// without separators, upper case); the answer names it as asked.
TEST_F(MdServerTest, BinanceFormOfASymbolIsServedAndEchoed) {
  const std::string alias = BinanceSymbol(Sym());
  const std::string quiet_alias = BinanceSymbol(data->quiet_symbol);
  ASSERT_NE(alias, Sym());  // "MD<pid>_<n>": the '_' goes
  EXPECT_EQ(Get("/api/v3/klines?symbol=" + alias + "&interval=1h&limit=1000").body,
            Get("/api/v3/klines?symbol=" + Sym() + "&interval=1h&limit=1000").body);
  EXPECT_EQ(Get("/api/v3/trades?symbol=" + alias + "&limit=20").body,
            Get("/api/v3/trades?symbol=" + Sym() + "&limit=20").body);
  const HttpResult depth = Get("/api/v3/depth?symbol=" + alias + "&limit=5");
  ASSERT_EQ(depth.status, 200u) << depth.body;
  EXPECT_EQ(depth.Json()["bids"], Get("/api/v3/depth?symbol=" + Sym() + "&limit=5").Json()["bids"]);
  EXPECT_EQ(Get("/api/v3/ticker/24hr?symbol=" + alias).Json()["symbol"], alias);
  EXPECT_EQ(Get("/api/v3/ticker/24hr?symbol=" + Sym()).Json()["symbol"], Sym());
  EXPECT_EQ(Get("/udf/symbols?symbol=" + alias).status, 200u);

  // symbols=[...]: each as named; one instrument twice is -1151.
  const json info =
      Get("/api/v3/exchangeInfo?symbols=%5B%22" + quiet_alias + "%22,%22" + Sym() + "%22%5D")
          .Json();
  ASSERT_EQ(info["symbols"].size(), 2u);
  EXPECT_EQ(info["symbols"][0]["symbol"], quiet_alias);
  EXPECT_EQ(info["symbols"][1]["symbol"], Sym());
  const HttpResult twice =
      Get("/api/v3/ticker/24hr?symbols=%5B%22" + alias + "%22,%22" + Sym() + "%22%5D");
  EXPECT_EQ(twice.status, 400u);
  EXPECT_EQ(twice.Json()["code"], -1151) << twice.body;
  // Without a symbol every instrument once, under its own name.
  std::set<std::string> names;
  const json all = Get("/api/v3/exchangeInfo").Json();
  for (const json& s : all["symbols"])
    names.insert(s["symbol"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{Sym(), data->quiet_symbol}));
  // Case and separators matter: only the exact Binance form is an alias.
  std::string lower = alias;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Get("/api/v3/depth?symbol=" + lower).Json()["code"], -1121);
}

TEST_F(MdServerTest, ExchangeInfoCarriesTheInstrumentsLimitsAndBinancesFields) {
  const HttpResult r = Get("/api/v3/exchangeInfo");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json info = r.Json();
  EXPECT_NEAR(info["serverTime"].get<double>(), static_cast<double>(NowNs() / kMilli), 5000.0);
  EXPECT_EQ(info["exchangeFilters"], json::array());
  const json limits = info["rateLimits"];
  ASSERT_EQ(limits.size(), 4u);
  EXPECT_EQ(limits[0], json::parse(R"({"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE",
                                       "intervalNum":1,"limit":6000})"));
  EXPECT_EQ(limits[1]["rateLimitType"], "ORDERS");
  EXPECT_EQ(limits[1]["intervalNum"], 10);
  EXPECT_EQ(limits[2]["interval"], "DAY");
  EXPECT_EQ(limits[3]["rateLimitType"], "RAW_REQUESTS");

  std::map<std::string, json> by_name;
  for (const json& s : info["symbols"])
    by_name[s["symbol"]] = s;
  const json& quiet = by_name.at(data->quiet_symbol);
  EXPECT_EQ(quiet["baseAsset"], "QBASE");
  EXPECT_EQ(quiet["quoteAsset"], "QQUOTE");
  EXPECT_EQ(quiet["isSpotTradingAllowed"], true);
  EXPECT_EQ(quiet["permissionSets"], json::parse(R"([["SPOT"]])"));
  EXPECT_EQ(quiet["defaultSelfTradePreventionMode"], "EXPIRE_TAKER");
  EXPECT_EQ(quiet["allowedSelfTradePreventionModes"].size(), 3u);
  std::map<std::string, json> filters;
  for (const json& f : quiet["filters"])
    filters[f["filterType"]] = f;
  ASSERT_EQ(filters.size(), 4u);
  EXPECT_EQ(filters["PRICE_FILTER"]["minPrice"], "0.0005");
  EXPECT_EQ(filters["PRICE_FILTER"]["tickSize"], "0.0005");
  EXPECT_EQ(filters["PRICE_FILTER"]["maxPrice"], "0.0000");
  // min 25 and max 1,000,005 in lots of 10: 30 to 1,000,000.
  for (const char* type : {"LOT_SIZE", "MARKET_LOT_SIZE"}) {
    EXPECT_EQ(filters[type]["minQty"], "30") << type;
    EXPECT_EQ(filters[type]["maxQty"], "1000000") << type;
    EXPECT_EQ(filters[type]["stepSize"], "10") << type;
  }
  EXPECT_EQ(filters["NOTIONAL"]["minNotional"], "0.0000");

  // The traded one: the engine's own limits of its instrument spec, and a
  // name without assets split at its separator.
  const json& traded = by_name.at(Sym());
  const std::string base = Sym().substr(0, Sym().find('_'));
  EXPECT_EQ(traded["baseAsset"], base);
  EXPECT_EQ(traded["defaultSelfTradePreventionMode"], "EXPIRE_MAKER");
  const InstrumentSpec& spec = data->spec;
  EXPECT_EQ(traded["filters"][1]["maxQty"], Fixed(spec.max_quantity, kQuantityDecimals));
  EXPECT_EQ(traded["filters"][1]["minQty"], Fixed(spec.min_quantity, kQuantityDecimals));
}

// An instruments row written before migration 0004 (NULL limits and
// assets) still loads, with the engine's defaults.
TEST_F(MdServerTest, InstrumentRowsWithoutLimitsLoadWithTheEnginesDefaults) {
  const std::string schema = data->schema + "_old";
  {
    pqxx::connection c(data->pg_url);
    persistence::ApplyMigrations(c, persistence::kEmbeddedMigrations, schema);
    pqxx::work w(c);
    w.exec0("INSERT INTO " + w.quote_name(schema) +
            ".instruments (symbol, price_decimals, quantity_decimals, tick_size, lot_size) "
            "VALUES ('OLD-ROW', 2, 3, 1, 5)");
    w.commit();
  }
  HistorySource history(data->reader_url, schema, std::chrono::milliseconds(250));
  const auto rows = history.Instruments();
  {
    pqxx::connection c(data->pg_url);
    pqxx::work w(c);
    w.exec0("DROP SCHEMA " + w.quote_name(schema) + " CASCADE");
    w.commit();
  }
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].lot_size, 5);
  EXPECT_EQ(rows[0].min_quantity, 1);
  EXPECT_EQ(rows[0].max_quantity, InstrumentSpec{}.max_quantity);
  EXPECT_EQ(rows[0].base_asset, "");
  EXPECT_EQ(rows[0].default_stp, StpMode::kCancelResting);
}

// The aggregates of every stored trade, computed here from the rows the
// test wrote: consecutive trades of one taker order at one price and time.
std::vector<json> ExpectedAggTrades() {
  std::vector<json> out;
  const persistence::TradeRow* previous = nullptr;
  for (const persistence::TradeRow& t : data->trades) {
    const Timestamp micros = t.time / 1000;  // stored precision
    if (previous != nullptr && previous->taker_account == t.taker_account &&
        previous->taker_order_id == t.taker_order_id && previous->price == t.price &&
        previous->time / 1000 == micros) {
      json& a = out.back();
      a["l"] = t.trade_id;
      a["qty"] = a["qty"].get<std::int64_t>() + t.quantity;
      a["q"] = Fixed(a["qty"].get<std::int64_t>(), kQuantityDecimals);
    } else {
      out.push_back(json{{"a", t.trade_id},
                         {"p", Fixed(t.price, kPriceDecimals)},
                         {"qty", t.quantity},
                         {"q", Fixed(t.quantity, kQuantityDecimals)},
                         {"f", t.trade_id},
                         {"l", t.trade_id},
                         {"T", micros / 1000},
                         {"m", t.aggressor == Side::kSell},
                         {"M", true}});
    }
    previous = &t;
  }
  for (json& a : out)
    a.erase("qty");
  return out;
}

json Slice(const std::vector<json>& all, std::size_t first, std::size_t count) {
  json out = json::array();
  for (std::size_t i = first; i < std::min(all.size(), first + count); ++i)
    out.push_back(all[i]);
  return out;
}

TEST_F(MdServerTest, HistoricalTradesFromAnIdOrTheNewest) {
  const auto& trades = data->trades;
  const std::size_t k = trades.size() / 3;
  const HttpResult r = Get("/api/v3/historicalTrades?symbol=" + Sym() +
                           "&limit=7&fromId=" + std::to_string(trades[k].trade_id));
  ASSERT_EQ(r.status, 200u) << r.body;
  const json got = r.Json();
  ASSERT_EQ(got.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(got[i]["id"], trades[k + i].trade_id);
    EXPECT_EQ(got[i]["price"], Fixed(trades[k + i].price, kPriceDecimals));
    EXPECT_EQ(got[i]["qty"], Fixed(trades[k + i].quantity, kQuantityDecimals));
    EXPECT_EQ(got[i]["isBuyerMaker"], trades[k + i].aggressor == Side::kSell);
  }
  // An id between two trades: from the next one.
  const json between = Get("/api/v3/historicalTrades?symbol=" + Sym() +
                           "&limit=1&fromId=" + std::to_string(trades[k].trade_id + 1))
                           .Json();
  ASSERT_EQ(between.size(), 1u);
  EXPECT_EQ(between[0]["id"], trades[k + 1].trade_id);
  // Without fromId the newest, as /trades; the default limit is 500.
  const json newest = Get("/api/v3/historicalTrades?symbol=" + Sym()).Json();
  ASSERT_EQ(newest.size(), 500u);
  EXPECT_EQ(newest.back()["id"], trades.back().trade_id);
  EXPECT_EQ(newest, Get("/api/v3/trades?symbol=" + Sym()).Json());
  EXPECT_EQ(Get("/api/v3/historicalTrades?symbol=" + Sym() +
                "&fromId=" + std::to_string(trades.back().trade_id + 1))
                .Json(),
            json::array());
  EXPECT_EQ(Get("/api/v3/historicalTrades?symbol=" + Sym() + "&limit=1001").Json()["code"], -1130);
  EXPECT_EQ(Get("/api/v3/historicalTrades?symbol=" + Sym() + "&fromId=x").Json()["code"], -1100);
  EXPECT_EQ(Get("/api/v3/historicalTrades").Json()["code"], -1102);
}

TEST_F(MdServerTest, AggTradesAggregateATakersFillsAtOnePrice) {
  const std::vector<json> expected = ExpectedAggTrades();
  ASSERT_LT(expected.size(), data->trades.size());  // some aggregates of several trades
  const auto agg = [&](const std::string& query) {
    const HttpResult r = Get("/api/v3/aggTrades?symbol=" + Sym() + query);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    return r.status == 200 ? r.Json() : json();
  };
  // No parameters: the newest 500.
  EXPECT_EQ(agg(""), Slice(expected, expected.size() - 500, 500));
  EXPECT_EQ(agg("&limit=3"), Slice(expected, expected.size() - 3, 3));
  // fromId: aggregates from that id on.
  const std::size_t k = expected.size() / 2;
  EXPECT_EQ(agg("&limit=40&fromId=" + expected[k]["a"].dump()), Slice(expected, k, 40));
  // An id inside an aggregate: from the next aggregate.
  std::size_t multi = 0;
  while (multi < expected.size() && expected[multi]["f"] == expected[multi]["l"])
    ++multi;
  ASSERT_LT(multi + 1, expected.size());
  const Sequence inside = expected[multi]["f"].get<Sequence>() + 1;
  EXPECT_EQ(agg("&limit=5&fromId=" + std::to_string(inside)), Slice(expected, multi + 1, 5));
  // startTime: the oldest from then; endTime alone: the newest up to then;
  // both: the oldest of the window. Inclusive.
  const std::size_t s = expected.size() / 4;
  const std::int64_t start = expected[s]["T"];
  std::size_t first = s;
  while (first > 0 && expected[first - 1]["T"] == start)
    --first;
  EXPECT_EQ(agg("&limit=30&startTime=" + std::to_string(start)), Slice(expected, first, 30));
  std::size_t last = s;
  while (last + 1 < expected.size() && expected[last + 1]["T"] == start)
    ++last;
  EXPECT_EQ(agg("&limit=30&endTime=" + std::to_string(start)), Slice(expected, last + 1 - 30, 30));
  const json window =
      agg("&startTime=" + std::to_string(start) + "&endTime=" + std::to_string(start + 20000));
  std::size_t end = first;
  while (end < expected.size() && expected[end]["T"].get<std::int64_t>() <= start + 20000)
    ++end;
  ASSERT_GT(end - first, 2u);
  EXPECT_EQ(window, Slice(expected, first, end - first));

  const auto code = [&](const std::string& query) {
    return Get("/api/v3/aggTrades?symbol=" + Sym() + query).Json()["code"];
  };
  EXPECT_EQ(code("&fromId=1&startTime=1"), -1128);
  EXPECT_EQ(code("&startTime=2000&endTime=1000"), -1023);
  EXPECT_EQ(code("&limit=0"), -1130);
  EXPECT_EQ(code("&startTime=abc"), -1100);
  EXPECT_EQ(Get("/api/v3/aggTrades?symbol=NOPE").Json()["code"], -1121);
}

// The statistics of the trades from `open_ms` on, as the tickers give them.
json ExpectedStats(std::int64_t open_ms) {
  json s = {{"count", 0}, {"firstId", -1}, {"lastId", -1}};
  Quantity volume = 0;
  __int128 quote = 0;
  Price open = 0, high = 0, low = 0, last = 0;
  std::size_t count = 0;
  for (const persistence::TradeRow& t : data->trades) {
    if (t.time / kMilli < open_ms) continue;
    if (count++ == 0) {
      open = high = low = t.price;
      s["firstId"] = t.trade_id;
    }
    high = std::max(high, t.price);
    low = std::min(low, t.price);
    last = t.price;
    volume += t.quantity;
    quote += static_cast<__int128>(t.price) * t.quantity;
    s["lastId"] = t.trade_id;
  }
  s["count"] = count;
  s["openPrice"] = Fixed(open, kPriceDecimals);
  s["highPrice"] = Fixed(high, kPriceDecimals);
  s["lowPrice"] = Fixed(low, kPriceDecimals);
  s["lastPrice"] = Fixed(last, kPriceDecimals);
  s["volume"] = Fixed(volume, kQuantityDecimals);
  s["quoteVolume"] = Fixed(quote, kPriceDecimals + kQuantityDecimals);
  s["priceChange"] = Fixed(count > 0 ? last - open : 0, kPriceDecimals);
  s["weightedAvgPrice"] =
      volume > 0 ? persistence::DecimalRatio(quote, volume, kPriceDecimals, kPriceDecimals)
                 : Fixed(0, kPriceDecimals);
  return s;
}

// Each field of `expected` is `got`'s.
void ExpectFields(const json& got, const json& expected, const std::string& what) {
  for (const auto& [key, value] : expected.items())
    EXPECT_EQ(got[key], value) << what << ": " << key;
}

TEST_F(MdServerTest, RollingWindowTickerCountsTheTradesFromItsOpenMinute) {
  for (const std::string size : {"3h", "2h", "7d", "59m"}) {
    const HttpResult r = Get("/api/v3/ticker?symbol=" + Sym() + "&windowSize=" + size);
    ASSERT_EQ(r.status, 200u) << r.body;
    const json t = r.Json();
    const std::int64_t open = t["openTime"], close = t["closeTime"];
    EXPECT_EQ(open % 60'000, 0) << size;  // a minute's start
    const std::int64_t ms = size == "7d"    ? 7 * 86'400'000
                            : size == "59m" ? 59 * 60'000
                                            : std::stoll(size) * 3'600'000;
    EXPECT_LE(close - open - ms, 59'999) << size;
    EXPECT_GE(close - open, ms) << size;
    ExpectFields(t, ExpectedStats(open), size);
    EXPECT_EQ(t["symbol"], Sym());
    EXPECT_FALSE(t.contains("prevClosePrice"));
  }
  // Some windows have trades, and not all of them.
  const json three = Get("/api/v3/ticker?symbol=" + Sym() + "&windowSize=3h").Json();
  EXPECT_GT(three["count"].get<std::size_t>(), 0u);
  EXPECT_LT(three["count"].get<std::size_t>(), data->trades.size());
  // MINI: the same values without the change and the average.
  const json mini =
      Get("/api/v3/ticker?symbols=%5B%22" + BinanceSymbol(Sym()) + "%22%5D&windowSize=3h&type=MINI")
          .Json();
  ASSERT_EQ(mini.size(), 1u);
  EXPECT_EQ(mini[0]["symbol"], BinanceSymbol(Sym()));
  EXPECT_FALSE(mini[0].contains("priceChange"));
  EXPECT_FALSE(mini[0].contains("weightedAvgPrice"));
  json mini_expected = ExpectedStats(mini[0]["openTime"]);
  mini_expected.erase("priceChange");
  mini_expected.erase("weightedAvgPrice");
  ExpectFields(mini[0], mini_expected, "MINI");
  // The default window is a day.
  const json day = Get("/api/v3/ticker?symbol=" + Sym()).Json();
  EXPECT_GE(day["closeTime"].get<std::int64_t>() - day["openTime"].get<std::int64_t>(), 86'400'000);

  const auto code = [&](const std::string& query) {
    return Get("/api/v3/ticker?" + query).Json()["code"];
  };
  for (const std::string bad : {"60m", "24h", "8d", "0m", "1w", "1d2h", "m", "01h"})
    EXPECT_EQ(code("symbol=" + Sym() + "&windowSize=" + bad), -1130) << bad;
  EXPECT_EQ(code("symbol=" + Sym() + "&type=FULLER"), -1139);
  EXPECT_EQ(code(""), -1102);
  EXPECT_EQ(code("symbol=NOPE"), -1121);
}

TEST_F(MdServerTest, TradingDayTickerStartsAtTheZonesMidnight) {
  for (const std::string zone : {"0", "-1:30", "14", "-12:00", "05:45"}) {
    const HttpResult r = Get("/api/v3/ticker/tradingDay?symbol=" + Sym() + "&timeZone=" + zone);
    ASSERT_EQ(r.status, 200u) << zone << ": " << r.body;
    const json t = r.Json();
    const int sign = zone.front() == '-' ? -1 : 1;
    const std::string digits = zone.front() == '-' ? zone.substr(1) : zone;
    const auto colon = digits.find(':');
    const int minutes =
        sign * (std::stoi(digits.substr(0, colon)) * 60 +
                (colon == std::string::npos ? 0 : std::stoi(digits.substr(colon + 1))));
    const std::int64_t open = t["openTime"];
    const std::int64_t local_midnight =
        ((open + minutes * 60'000) % 86'400'000 + 86'400'000) % 86'400'000;
    EXPECT_EQ(local_midnight, 0) << zone;
    EXPECT_EQ(t["closeTime"].get<std::int64_t>(), open + 86'400'000 - 1) << zone;
    EXPECT_LE(open, NowNs() / kMilli);
    EXPECT_GT(open + 86'400'000, NowNs() / kMilli - 5000);
    ExpectFields(t, ExpectedStats(open), zone);
  }
  const json mini =
      Get("/api/v3/ticker/tradingDay?symbols=%5B%22" + Sym() + "%22%5D&type=MINI").Json();
  ASSERT_EQ(mini.size(), 1u);
  EXPECT_FALSE(mini[0].contains("priceChangePercent"));
  for (const std::string bad : {"15", "-13", "5:60", "x", "1:2:3"}) {
    const HttpResult r = Get("/api/v3/ticker/tradingDay?symbol=" + Sym() + "&timeZone=" + bad);
    EXPECT_EQ(r.Json()["code"], -1130) << bad << r.body;
  }
  EXPECT_EQ(Get("/api/v3/ticker/tradingDay").Json()["code"], -1102);
}

TEST_F(MdServerTest, Ticker24hMiniIsTheFullOnesSubset) {
  const json full = Get("/api/v3/ticker/24hr?symbol=" + Sym()).Json();
  const json mini = Get("/api/v3/ticker/24hr?symbol=" + Sym() + "&type=MINI").Json();
  const std::set<std::string> mini_keys = {"symbol",    "openPrice", "highPrice",   "lowPrice",
                                           "lastPrice", "volume",    "quoteVolume", "openTime",
                                           "closeTime", "firstId",   "lastId",      "count"};
  std::set<std::string> keys;
  for (const auto& [key, value] : mini.items())
    keys.insert(key);
  EXPECT_EQ(keys, mini_keys);
  for (const char* key :
       {"openPrice", "highPrice", "lowPrice", "lastPrice", "volume", "firstId", "lastId", "count"})
    EXPECT_EQ(mini[key], full[key]) << key;
  EXPECT_EQ(Get("/api/v3/ticker/24hr?symbol=" + Sym() + "&type=mini").Json()["code"], -1139);
}

TEST_F(MdServerTest, PriceBookTickerAndAvgPriceComeFromTheView) {
  redis::RedisClient client(redis::ParseRedisUrl(data->redis_url));
  const auto book = bookstate::BookStateReader(client).ReadBook(Sym(), 1);
  ASSERT_TRUE(book.best_bid && book.best_ask && book.last_trade);
  const persistence::TradeRow& last = data->trades.back();

  const json price = Get("/api/v3/ticker/price?symbol=" + BinanceSymbol(Sym())).Json();
  EXPECT_EQ(price,
            (json{{"symbol", BinanceSymbol(Sym())}, {"price", Fixed(last.price, kPriceDecimals)}}));
  const json prices = Get("/api/v3/ticker/price").Json();
  ASSERT_EQ(prices.size(), 2u);

  const json bt = Get("/api/v3/ticker/bookTicker?symbol=" + Sym()).Json();
  EXPECT_EQ(bt, (json{{"symbol", Sym()},
                      {"bidPrice", Fixed(book.best_bid->price, kPriceDecimals)},
                      {"bidQty", Fixed(book.best_bid->quantity, kQuantityDecimals)},
                      {"askPrice", Fixed(book.best_ask->price, kPriceDecimals)},
                      {"askQty", Fixed(book.best_ask->quantity, kQuantityDecimals)}}));
  const json bts = Get("/api/v3/ticker/bookTicker?symbols=%5B%22" + data->quiet_symbol + "%22,%22" +
                       Sym() + "%22%5D")
                       .Json();
  ASSERT_EQ(bts.size(), 2u);
  EXPECT_EQ(bts[0]["bidPrice"], "0.0000");  // no book yet
  EXPECT_EQ(bts[1], bt);

  // The last trade was well over 5 minutes ago: its price, and its time.
  const json avg = Get("/api/v3/avgPrice?symbol=" + Sym()).Json();
  EXPECT_EQ(avg, (json{{"mins", 5},
                       {"price", Fixed(last.price, kPriceDecimals)},
                       {"closeTime", last.time / kMilli}}));
  EXPECT_EQ(Get("/api/v3/avgPrice").Json()["code"], -1102);
}

TEST_F(MdServerTest, UiKlinesAreTheKlines) {
  const std::string query = "?symbol=" + Sym() + "&interval=1s&limit=100";
  const HttpResult ui = Get("/api/v3/uiKlines" + query);
  ASSERT_EQ(ui.status, 200u) << ui.body;
  EXPECT_EQ(ui.body, Get("/api/v3/klines" + query).body);
  EXPECT_EQ(ui.Json().size(), 100u);
  EXPECT_EQ(Get("/api/v3/uiKlines" + query + "&timeZone=0").body, ui.body);
  EXPECT_EQ(Get("/api/v3/uiKlines" + query + "&timeZone=8").Json()["code"], -1130);
}

TEST_F(MdServerTest, EveryBinanceResponseCarriesTheClientsWeightOfTheMinute) {
  const auto used = [](const HttpResult& r) {
    const std::string text = r.Header("x-mbx-used-weight-1m");
    return text.empty() ? -1 : std::stoll(text);
  };
  // Each request adds its weight, unless the minute turned in between.
  const std::vector<std::pair<std::string, std::int64_t>> weights = {
      {"/api/v3/ping", 1},
      {"/api/v3/exchangeInfo", 20},
      {"/api/v3/depth?symbol=" + Sym() + "&limit=500", 25},
      {"/api/v3/depth?symbol=" + Sym() + "&limit=5000", 250},
      {"/api/v3/aggTrades?symbol=" + Sym() + "&limit=1", 4},
      {"/api/v3/ticker/24hr", 80},
      {"/api/v3/ticker?symbols=%5B%22" + Sym() + "%22,%22" + data->quiet_symbol + "%22%5D", 8},
      {"/api/v3/ticker/price", 4},
      {"/api/v3/depth?symbol=NOPE", 5},  // refused requests cost theirs too
  };
  for (const auto& [target, weight] : weights) {
    bool seen = false;
    for (int attempt = 0; attempt < 3 && !seen; ++attempt) {
      const std::int64_t before = used(Get("/api/v3/time"));
      const HttpResult r = Get(target);
      ASSERT_GE(before, 1) << target;
      if (used(r) < before) continue;  // a new minute
      EXPECT_EQ(used(r) - before, weight) << target;
      seen = true;
    }
    EXPECT_TRUE(seen) << target;
  }
  EXPECT_EQ(Get("/udf/time").Header("x-mbx-used-weight-1m"), "");  // UDF costs nothing
}

TEST_F(MdServerTest, WeightPastTheLimitIs429WhenEnforced) {
  SourceOptions source;
  source.redis_url = data->redis_url;
  source.pg_url = data->reader_url;
  source.pg_schema = data->schema;
  RateLimits limits;
  limits.request_weight_per_minute = 30;
  limits.enforce_weight = true;
  InProcessServer server(source, 1, limits);
  bool refused = false;
  for (int attempt = 0; attempt < 3 && !refused; ++attempt) {
    const HttpResult first = Request(server.port(), "/api/v3/exchangeInfo");  // 20
    const HttpResult second = Request(server.port(), "/api/v3/exchangeInfo");
    if (second.status == 200) continue;  // the minute turned between them
    EXPECT_EQ(first.status, 200u);
    EXPECT_EQ(second.status, 429u);
    EXPECT_EQ(second.Json()["code"], -1003) << second.body;
    EXPECT_EQ(second.Header("x-mbx-used-weight-1m"), "40");
    const int retry = std::stoi(second.Header("retry-after"));
    EXPECT_GE(retry, 1);
    EXPECT_LE(retry, 60);
    // Its limit is the one exchangeInfo advertised.
    EXPECT_EQ(first.Json()["rateLimits"][0]["limit"], 30);
    // Going on past twice the limit: banned (418) for 2 minutes.
    const HttpResult third = Request(server.port(), "/api/v3/exchangeInfo");  // 60: 429
    const HttpResult fourth = Request(server.port(), "/api/v3/ping");         // 61: banned
    const HttpResult fifth = Request(server.port(), "/api/v3/ping");
    if (third.status == 200 || fourth.status == 200) continue;  // the minute turned
    EXPECT_EQ(third.status, 429u) << third.body;
    EXPECT_EQ(fourth.status, 418u) << fourth.body;
    EXPECT_EQ(fourth.Json()["code"], -1003);
    EXPECT_NE(fourth.Json()["msg"].get<std::string>().find("IP banned until"), std::string::npos);
    EXPECT_GE(std::stoi(fourth.Header("retry-after")), 119);
    EXPECT_EQ(fifth.status, 418u) << "every request while banned";
    refused = true;
  }
  EXPECT_TRUE(refused);
}

// ---- HTTP ----

TEST_F(MdServerTest, UnknownPathIs404AndOtherMethodsAre405) {
  const HttpResult missing = Get("/api/v3/nothing");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.Json()["code"], -1020);
  EXPECT_EQ(Get("/udf/nothing").Json()["s"], "error");
  EXPECT_EQ(Get("/api/v3/klines/").status, 404u);
  const HttpResult post = Request(data->server->port(), "/api/v3/depth?symbol=" + Sym(), "POST");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.Header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(post.Json()["code"], -1020);
  const HttpResult put = Request(data->server->port(), "/udf/config", "PUT");
  EXPECT_EQ(put.status, 405u);
  EXPECT_EQ(put.Json()["s"], "error");
}

TEST_F(MdServerTest, HeadAnswersTheGetsHeadersWithoutTheBody) {
  const std::string target = "/api/v3/klines?symbol=" + Sym() + "&interval=1m&limit=50";
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), data->server->port()));
  // On one keep-alive connection: a body sent after HEAD would be read as
  // the next answer and break the GET that follows.
  const HttpResult head = Exchange(socket, "HEAD", target, {});
  const HttpResult get = Exchange(socket, "GET", target, {});
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(get.status, 200u);
  EXPECT_TRUE(head.body.empty());
  ASSERT_FALSE(get.body.empty());
  EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.Header("content-type"), "application/json");
  const HttpResult unknown = Request(data->server->port(), "/api/v3/depth?symbol=NOPE", "HEAD");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_TRUE(unknown.body.empty());
}

TEST_F(MdServerTest, EveryResponseAllowsAnyOriginAndPreflightIsAnswered) {
  EXPECT_EQ(Get("/udf/config").Header("access-control-allow-origin"), "*");
  EXPECT_EQ(Get("/api/v3/depth?symbol=NOPE").Header("access-control-allow-origin"), "*");
  EXPECT_EQ(Get("/nothing").Header("access-control-allow-origin"), "*");
  const HttpResult preflight = Request(data->server->port(), "/api/v3/klines", "OPTIONS",
                                       {{"Origin", "http://chart.example"},
                                        {"Access-Control-Request-Method", "GET"},
                                        {"Access-Control-Request-Headers", "x-requested-with"}});
  EXPECT_EQ(preflight.status, 204u);
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(preflight.Header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(preflight.Header("access-control-allow-headers"), "x-requested-with");
  EXPECT_TRUE(preflight.body.empty());
}

TEST_F(MdServerTest, GzipBodyDecompressesToTheSameJson) {
  const std::string target = "/api/v3/klines?symbol=" + Sym() + "&interval=1s&limit=1000";
  const HttpResult plain = Get(target);
  const HttpResult zipped = Get(target, {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(zipped.status, 200u);
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(zipped.Header("content-encoding"), "gzip");
  EXPECT_EQ(zipped.Header("vary"), "Accept-Encoding");
  EXPECT_LT(zipped.body.size() * 3, plain.body.size());
  EXPECT_EQ(Gunzip(zipped.body), plain.body);
  // Refused with q=0; small bodies are sent as they are.
  EXPECT_EQ(Get(target, {{"Accept-Encoding", "gzip;q=0"}}).Header("content-encoding"), "");
  EXPECT_EQ(Get("/udf/time", {{"Accept-Encoding", "gzip"}}).Header("content-encoding"), "");
  // Errors too, when large enough: the UDF error for a long bad symbol.
  const HttpResult error =
      Get("/api/v3/depth?symbol=" + std::string(300, 'X'), {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(error.status, 400u);
  EXPECT_EQ(error.Header("content-encoding"), "gzip");
  EXPECT_EQ(json::parse(Gunzip(error.body))["code"], -1121);
}

TEST_F(MdServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), data->server->port()));
  for (int i = 0; i < 50; ++i) {
    const HttpResult r =
        Exchange(socket, "GET", i % 2 ? "/api/v3/depth?symbol=" + Sym() + "&limit=5" : "/nope", {});
    ASSERT_EQ(r.status, i % 2 ? 200u : 404u) << i;
  }
}

TEST_F(MdServerTest, MetricsCountRequestsPerEndpointAndStatus) {
  const auto value = [](const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1.0;
    return std::stod(text.substr(at + series.size() + 2));
  };
  const std::string before = Get("/metrics").body;
  for (int i = 0; i < 3; ++i)
    Get("/api/v3/depth?symbol=" + Sym() + "&limit=5");
  Get("/api/v3/depth?symbol=NOPE");
  Get("/no/such/path");
  const HttpResult r = Get("/metrics");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string depth = "exchange_md_requests_total{endpoint=\"/api/v3/depth\"}";
  EXPECT_EQ(value(r.body, depth) - value(before, depth), 4.0) << r.body;
  const std::string bad = "exchange_md_responses_total{status=\"400\"}";
  EXPECT_GE(value(r.body, bad) - value(before, bad), 1.0);
  const std::string missing = "exchange_md_responses_total{status=\"404\"}";
  EXPECT_GE(value(r.body, missing) - value(before, missing), 1.0);
  const std::string count =
      "exchange_md_request_duration_seconds_count{endpoint=\"/api/v3/depth\"}";
  EXPECT_EQ(value(r.body, count) - value(before, count), 4.0);
  EXPECT_NE(r.body.find("exchange_md_request_duration_seconds_bucket{endpoint=\"/api/v3/depth\","
                        "le=\"0.001\"}"),
            std::string::npos);
}

// ---- Backends away ----

TEST_F(MdServerTest, PostgresUnreachableIs503AndTheServerRecoversWhenItIsBack) {
  const std::uint16_t port = ClosedPort();
  SourceOptions source;
  source.redis_url = data->redis_url;
  source.pg_url = WithPort(data->reader_url, port);
  source.pg_schema = data->schema;
  source.retry = std::chrono::milliseconds(50);
  InProcessServer server(source);
  const std::string depth = "/api/v3/depth?symbol=" + Sym() + "&limit=5";
  const HttpResult down = Request(server.port(), depth);
  EXPECT_EQ(down.status, 503u) << down.body;
  EXPECT_EQ(down.Json()["code"], -1001);
  EXPECT_NE(down.Json()["msg"].get<std::string>().find("postgresql unavailable"), std::string::npos)
      << down.body;
  const HttpResult udf =
      Request(server.port(), "/udf/history?symbol=" + Sym() + "&resolution=1&from=0&to=100");
  EXPECT_EQ(udf.status, 503u);
  EXPECT_EQ(udf.Json()["s"], "error");
  EXPECT_EQ(Request(server.port(), "/udf/time").status, 200u);  // needs no backend
  EXPECT_EQ(Request(server.port(), "/udf/config").status, 200u);

  // PostgreSQL is reachable on that port again: served within the retry.
  const auto [begin, end] = HostPortSpan(data->reader_url);
  const std::string host_port = data->reader_url.substr(begin, end - begin);
  const std::size_t colon = host_port.rfind(':');
  ASSERT_NE(colon, std::string::npos) << data->reader_url;
  const std::string host = host_port.substr(0, colon);
  TcpForwarder forwarder(
      port, tcp::endpoint(asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host),
                          static_cast<std::uint16_t>(std::stoi(host_port.substr(colon + 1)))));
  EXPECT_TRUE(Eventually([&] { return Request(server.port(), depth).status == 200; }));
  EXPECT_EQ(Request(server.port(), depth).body, Get(depth).body);
}

TEST_F(MdServerTest, RedisUnreachableIs503ForTheBookButCandlesComeFromPostgres) {
  SourceOptions source;
  source.redis_url = WithPort(data->redis_url, ClosedPort());
  source.pg_url = data->reader_url;
  source.pg_schema = data->schema;
  InProcessServer server(source);
  const HttpResult depth = Request(server.port(), "/api/v3/depth?symbol=" + Sym());
  EXPECT_EQ(depth.status, 503u) << depth.body;
  EXPECT_NE(depth.Json()["msg"].get<std::string>().find("redis unavailable"), std::string::npos);
  const std::string klines = "/api/v3/klines?symbol=" + Sym() + "&interval=1m&limit=20";
  const HttpResult k = Request(server.port(), klines);
  EXPECT_EQ(k.status, 200u);
  EXPECT_EQ(k.body, Get(klines).body);  // PostgreSQL's open row is current here
  EXPECT_EQ(Request(server.port(), "/api/v3/exchangeInfo").status, 200u);
}

// ---- The executable ----

TEST_F(MdServerTest, ExecutableServesAndStopsOnSigterm) {
  testing::MdProcess md(EXCHANGE_MD_BIN, data->redis_url, data->reader_url,
                        {"--threads", "1", "--pg-schema", data->schema, "--log-level", "warn"});
  const HttpResult r = Request(md.port(), "/api/v3/exchangeInfo?symbol=" + Sym());
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.Json()["symbols"][0]["symbol"], Sym());
  EXPECT_EQ(r.Header("x-mbx-used-weight-1m"), "20");  // its first request: exchangeInfo's weight
  const int status = md.Stop();
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---- Pieces, without services ----

TEST(MdPieces, QueryParamsDecodeAndCheck) {
  const QueryParams p = QueryParams::Parse("a=1&b=x%20y+z&a=2&empty=&neg=-3");
  EXPECT_EQ(p.Find("a"), "1");
  EXPECT_EQ(p.Find("b"), "x y z");
  EXPECT_EQ(p.Find("empty"), std::nullopt);
  EXPECT_EQ(p.Int("neg", -10, 10), -3);
  EXPECT_EQ(p.IntOr("missing", 42, 0, 100), 42);
  EXPECT_THROW(p.Int("neg", 0, 10), RequestError);
  EXPECT_THROW(p.Required("empty"), RequestError);
  EXPECT_THROW(p.Int("b", 0, 10), RequestError);
  EXPECT_THROW(QueryParams::Parse("a=%4"), RequestError);
  EXPECT_EQ(SplitTarget("/x?y=1").first, "/x");
  EXPECT_EQ(SplitTarget("/x").second, "");
}

TEST(MdPieces, AcceptEncodingIsRead) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
}

TEST(MdPieces, JsonWriterEscapesAndSeparates) {
  std::string out;
  JsonWriter json(out);
  json.BeginObject().Member("a\"b", "x\ny\x01").Key("n").Int(-5).Key("l").BeginArray();
  json.Number("1.50").Bool(true).Null().EndArray().EndObject();
  EXPECT_EQ(out, "{\"a\\\"b\":\"x\\ny\\u0001\",\"n\":-5,\"l\":[1.50,true,null]}");
  EXPECT_NO_THROW(json::parse(out));
}

TEST(MdPieces, LiveCandleJoinsTheSeriesWithinItsWindowAndLimit) {
  const auto candle = [](Timestamp open, Sequence last) {
    candles::Candle c;
    c.open_time = open;
    c.close_time = open + kMinute;
    c.trade_count = 1;
    c.last_trade_id = last;
    return c;
  };
  const std::vector<candles::Candle> stored = {candle(0, 1), candle(kMinute, 2)};
  auto merged = stored;
  MergeLiveCandle(merged, candle(2 * kMinute, 3), CandleWindow{0, 10 * kMinute, 2, true});
  EXPECT_EQ(merged, (std::vector{candle(kMinute, 2), candle(2 * kMinute, 3)}));
  merged = stored;
  MergeLiveCandle(merged, candle(2 * kMinute, 3), CandleWindow{0, 10 * kMinute, 2, false});
  EXPECT_EQ(merged, stored);
  merged = stored;
  MergeLiveCandle(merged, candle(2 * kMinute, 3), CandleWindow{0, 2 * kMinute, 5, true});
  EXPECT_EQ(merged, stored);  // to is exclusive
  merged = stored;
  MergeLiveCandle(merged, candle(kMinute, 5), CandleWindow{0, 10 * kMinute, 5, true});
  EXPECT_EQ(merged, (std::vector{candle(0, 1), candle(kMinute, 5)}));
  merged = stored;
  MergeLiveCandle(merged, std::nullopt, CandleWindow{0, 10 * kMinute, 5, true});
  EXPECT_EQ(merged, stored);
}

TEST(MdPieces, SymbolIndexServesUnambiguousBinanceFormsOnly) {
  std::vector<persistence::InstrumentRow> rows;
  for (const char* name : {"BTC-USD", "BTC_USD", "ETH-USD", "LTCUSD", "LTC/USD", "X.Y"})
    rows.push_back(persistence::InstrumentRow{name, 2, 2, 1, 1});
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.symbol < b.symbol; });
  const SymbolIndex index(rows);
  const auto name_of = [&](std::string_view n) {
    const auto* row = index.Find(n);
    return row != nullptr ? row->symbol : std::string("-");
  };
  EXPECT_EQ(name_of("ETH-USD"), "ETH-USD");
  EXPECT_EQ(name_of("ETHUSD"), "ETH-USD");
  EXPECT_EQ(name_of("XY"), "X.Y");
  EXPECT_EQ(name_of("BTC-USD"), "BTC-USD");  // own names always
  EXPECT_EQ(name_of("BTC_USD"), "BTC_USD");
  EXPECT_EQ(name_of("BTCUSD"), "-");       // two instruments have it
  EXPECT_EQ(name_of("LTCUSD"), "LTCUSD");  // an own name beats an alias
  EXPECT_EQ(name_of("LTC/USD"), "LTC/USD");
  EXPECT_EQ(name_of("ethusd"), "-");
  EXPECT_EQ(SymbolIndex().Find("ETHUSD"), nullptr);
}

TEST(MdPieces, AggregatesJoinOneTakersFillsAtOnePriceAndTime) {
  const auto trade = [](Sequence id, std::uint64_t order, Price price, Timestamp time) {
    TradeRecord t;
    t.id = id;
    t.taker_account = 7;
    t.taker_order_id = order;
    t.price = price;
    t.time = time;
    t.quantity = static_cast<Quantity>(id);
    t.aggressor = Side::kSell;
    return t;
  };
  const std::vector<TradeRecord> trades = {trade(1, 5, 100, 9), trade(3, 5, 100, 9),
                                           trade(4, 5, 99, 9),  trade(6, 6, 99, 9),
                                           trade(8, 6, 99, 10), trade(9, 6, 99, 10)};
  EXPECT_EQ(Aggregate(trades), (std::vector<AggTrade>{{1, 1, 3, 9, 100, 4, true},
                                                      {4, 4, 4, 9, 99, 4, true},
                                                      {6, 6, 6, 9, 99, 6, true},
                                                      {8, 8, 9, 10, 99, 17, true}}));
  EXPECT_TRUE(Aggregate({}).empty());
}

TEST(MdPieces, RequestWeightKeysAreRead) {
  MdConfig config;
  EXPECT_EQ(config.request_weight_per_minute, 6000u);
  EXPECT_FALSE(config.enforce_request_weight);
  ParseMdConfig("[md]\nrequest_weight_per_minute = 1200\nenforce_request_weight = true\n",
                "test.toml", &config);
  EXPECT_EQ(config.request_weight_per_minute, 1200u);
  EXPECT_TRUE(config.enforce_request_weight);
  EXPECT_NO_THROW(config.Validate());
  config.request_weight_per_minute = 0;
  EXPECT_THROW(config.Validate(), ConfigError);
}

TEST(MdPieces, RequestWeightsCountPerClientAndMinute) {
  RequestWeights weights(100, 1024);
  const std::int64_t minute = 29'000'000 * 60'000LL;
  EXPECT_EQ(weights.Add("10.0.0.1", 20, minute), 20);
  EXPECT_EQ(weights.Add("10.0.0.1", 5, minute + 59'999), 25);
  EXPECT_EQ(weights.Add("10.0.0.2", 1, minute), 1);
  EXPECT_EQ(weights.Add("10.0.0.1", 2, minute + 60'000), 2);  // a new minute
  EXPECT_EQ(weights.limit(), 100);
}

TEST(MdPieces, AClientThatDoesNotBackOffIsBannedLongerEachTime) {
  RequestWeights weights(100, 1024);
  std::int64_t now = 29'000'000 * 60'000LL;
  for (int ban = 0; ban < 3; ++ban) {
    RequestWeights::Verdict v = weights.Charge("10.0.0.1", 100, now);  // at the limit
    EXPECT_EQ(v.banned_until_ms, 0);
    v = weights.Charge("10.0.0.1", 100, now);  // 200: refused (429), not banned yet
    EXPECT_EQ(v.used, 200);
    EXPECT_EQ(v.banned_until_ms, 0);
    v = weights.Charge("10.0.0.1", 1, now);  // went on: banned
    const std::int64_t length = RequestWeights::kFirstBanMs << ban;
    EXPECT_EQ(v.banned_until_ms, now + length) << "ban " << ban;
    // While banned, nothing is counted and every request meets the ban.
    v = weights.Charge("10.0.0.1", 50, now + length - 1);
    EXPECT_EQ(v.banned_until_ms, now + length);
    EXPECT_EQ(weights.Charge("10.0.0.2", 1, now).banned_until_ms, 0) << "another client";
    now += length + 60'000;  // after the ban, in a new minute
  }
  EXPECT_FALSE(BanMessage(123).empty());
}

}  // namespace
}  // namespace exchange::md
