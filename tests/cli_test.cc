// Tests of exchange-cli's library (tools/cli/): the Prometheus text parser and
// the status summary (also against a fake /metrics server), the batching of
// an order-flow CSV into per-symbol wire messages, the single-order flags,
// decode of good and malformed messages, the tail's bindings and sequence
// filter, the text and JSON of `book` and `order`, and, against a real
// RabbitMQ (scripts/services.sh), `send` of config/sample_orders.csv and
// `tail` of the events exchange, and against a real Redis, `book` and `order`
// of a view written by the book-state writer; `report`'s flags (its reports
// against PostgreSQL are in tests/history_reports_test.cc).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "amqp/amqp_client.h"
#include "amqp/topology.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/view_keys.h"
#include "orderflow/order_flow_csv.h"
#include "tests/service_env.h"
#include "tools/cli/balance.h"
#include "tools/cli/book.h"
#include "tools/cli/cli_error.h"
#include "tools/cli/command_batcher.h"
#include "tools/cli/decode.h"
#include "tools/cli/ledger_report.h"
#include "tools/cli/order_input.h"
#include "tools/cli/prometheus_text.h"
#include "tools/cli/report.h"
#include "tools/cli/send.h"
#include "tools/cli/status.h"
#include "tools/cli/tail.h"
#include "wire/describe.h"
#include "wire/wire_format.h"

namespace exchange::cli {
namespace {

using namespace std::chrono_literals;

std::string SourcePath(const std::string& relative) {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / relative).string();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ------------------------------------------------------------ Prometheus text

TEST(CliPrometheusText, ParsesNamesLabelsValuesAndSkipsComments) {
  const std::string text =
      "# HELP exchange_engine_up 1 when the engine runs\n"
      "# TYPE exchange_engine_up gauge\n"
      "exchange_engine_up 1\n"
      "\n"
      "   # an indented comment\n"
      "exchange_engine_sequence 12345 1700000000000\n"
      "exchange_engine_sink_lag{sink=\"redis\"} 7\n"
      "exchange_engine_commands_total{result=\"accepted\",shard=\"main\",} 3.5e3\r\n"
      "  exchange_engine_sink_sequence { sink = \"candles\" , kind=\"a b,c\" }   -42  \n"
      "esc{path=\"C:\\\\x\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\"} 0.25\n"
      "h_bucket{le=\"+Inf\"} +Inf\n"
      "neg -Inf\n"
      "nan NaN\n"
      "colon:name 1";  // no final newline
  const ParsedMetrics p = ParsePrometheusText(text);
  EXPECT_TRUE(p.errors.empty()) << p.errors.front().line << ": " << p.errors.front().reason;
  ASSERT_EQ(p.samples.size(), 10u);

  EXPECT_EQ(p.samples[0].name, "exchange_engine_up");
  EXPECT_TRUE(p.samples[0].labels.empty());
  EXPECT_EQ(p.samples[0].value, 1);
  EXPECT_EQ(p.samples[0].Key(), "exchange_engine_up");

  EXPECT_EQ(p.samples[1].value, 12345);  // the timestamp is not the value

  EXPECT_EQ(p.samples[2].Label("sink"), "redis");
  EXPECT_EQ(p.samples[2].Key(), "exchange_engine_sink_lag{sink=\"redis\"}");

  EXPECT_EQ(p.samples[3].value, 3500);
  EXPECT_EQ(p.samples[3].Key(),
            "exchange_engine_commands_total{result=\"accepted\",shard=\"main\"}");

  const MetricSample& spaced = p.samples[4];
  ASSERT_EQ(spaced.labels.size(), 2u);
  EXPECT_EQ(spaced.Label("sink"), "candles");
  EXPECT_EQ(spaced.Label("kind"), "a b,c");
  EXPECT_EQ(spaced.value, -42);

  const MetricSample& esc = p.samples[5];
  EXPECT_EQ(esc.Label("path"), "C:\\x");
  EXPECT_EQ(esc.Label("quote"), "say \"hi\"");
  EXPECT_EQ(esc.Label("nl"), "a\nb");
  EXPECT_EQ(esc.Key(), "esc{path=\"C:\\\\x\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\"}");
  EXPECT_EQ(esc.value, 0.25);

  EXPECT_TRUE(std::isinf(p.samples[6].value) && p.samples[6].value > 0);
  EXPECT_EQ(p.samples[6].Label("le"), "+Inf");
  EXPECT_EQ(p.samples[6].value_text, "+Inf");
  EXPECT_TRUE(std::isinf(p.samples[7].value) && p.samples[7].value < 0);
  EXPECT_TRUE(std::isnan(p.samples[8].value));
  EXPECT_EQ(p.samples[9].name, "colon:name");
}

TEST(CliPrometheusText, ReportsMalformedLinesWithTheirNumbersAndKeepsTheRest) {
  const std::string text =
      "good_one 1\n"                   // 1
      "no_value\n"                     // 2
      "bad{label=unquoted} 1\n"        // 3
      "bad{label=\"unterminated} 1\n"  // 4
      "bad{label=\"x\" 1\n"            // 5
      "bad_value abc\n"                // 6
      "bad_time 1 12.5\n"              // 7
      "too many 1 2 3\n"               // 8
      "9starts_with_digit 1\n"         // 9
      "bad{1abel=\"x\"} 1\n"           // 10
      "bad{l=\"\\q\"} 1\n"             // 11
      "glued{l=\"x\"}1\n"              // 12
      "good_two{l=\"x\"} 2\n"          // 13
      "huge 1e999\n";                  // 14
  const ParsedMetrics p = ParsePrometheusText(text);
  ASSERT_EQ(p.samples.size(), 2u);
  EXPECT_EQ(p.samples[0].name, "good_one");
  EXPECT_EQ(p.samples[1].Key(), "good_two{l=\"x\"}");
  std::map<std::size_t, std::string> errors;
  for (const MetricsLineError& e : p.errors)
    errors[e.line] = e.reason;
  const std::vector<std::size_t> expected = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14};
  ASSERT_EQ(errors.size(), expected.size());
  for (std::size_t line : expected)
    EXPECT_TRUE(errors.count(line)) << "line " << line << " not reported";
  EXPECT_EQ(errors[2], "missing value");
  EXPECT_TRUE(Contains(errors[3], "double quotes")) << errors[3];
  EXPECT_TRUE(Contains(errors[4], "unterminated")) << errors[4];
  EXPECT_TRUE(Contains(errors[6], "'abc' is not a number")) << errors[6];
  EXPECT_TRUE(Contains(errors[7], "timestamp")) << errors[7];
  EXPECT_TRUE(Contains(errors[11], "escape")) << errors[11];
}

TEST(CliPrometheusText, FormatsValues) {
  const ParsedMetrics p = ParsePrometheusText("a 12345\nb 1.5\nc +Inf\nd 1e3\ne -0\n");
  ASSERT_EQ(p.samples.size(), 5u);
  EXPECT_EQ(FormatMetricValue(p.samples[0]), "12345");
  EXPECT_EQ(FormatMetricValue(p.samples[1]), "1.5");
  EXPECT_EQ(FormatMetricValue(p.samples[2]), "+Inf");
  EXPECT_EQ(FormatMetricValue(p.samples[3]), "1000");
  EXPECT_EQ(FormatMetricValue(p.samples[4]), "0");
}

// ------------------------------------------------------------ status

const char* const kMetrics =
    "# HELP exchange_engine_up up\n"
    "# TYPE exchange_engine_up gauge\n"
    "exchange_engine_up 1\n"
    "exchange_engine_sequence 500\n"
    "exchange_engine_journal_index 480\n"
    "exchange_engine_published_up_to 490\n"
    "exchange_engine_sink_sequence{sink=\"redis\"} 470\n"
    "exchange_engine_sink_lag{sink=\"redis\"} 30\n"
    "exchange_engine_commands_total{result=\"accepted\"} 400\n"
    "exchange_engine_commands_total{result=\"duplicate\"} 2\n"
    "exchange_engine_amqp_connected{connection=\"ingest\"} 1\n"
    "exchange_engine_journal_fsync_seconds_bucket{le=\"+Inf\"} 9\n"
    "process_open_fds 12\n";

TEST(CliStatus, TextSummaryShowsEngineMetricsAndOthersOnlyUnderAll) {
  const auto samples = ParsePrometheusText(kMetrics).samples;
  const std::string text = FormatStatusText("127.0.0.1:9464", samples, false);
  EXPECT_TRUE(Contains(text, "engine service at 127.0.0.1:9464: UP")) << text;
  EXPECT_TRUE(Contains(text, "engine sequence")) << text;
  EXPECT_TRUE(Contains(text, "journal index")) << text;
  EXPECT_TRUE(Contains(text, "sink lag sink=redis")) << text;
  EXPECT_TRUE(Contains(text, "commands result=duplicate")) << text;
  EXPECT_TRUE(Contains(text, "amqp connected connection=ingest")) << text;
  EXPECT_TRUE(Contains(text, "events not yet published")) << text;
  EXPECT_TRUE(Contains(text, "exchange_engine_journal_fsync_seconds_bucket{le=\"+Inf\"}")) << text;
  EXPECT_FALSE(Contains(text, "process_open_fds")) << text;
  EXPECT_TRUE(Contains(FormatStatusText("h:1", samples, true), "process_open_fds"));

  const auto down = ParsePrometheusText("exchange_engine_up 0\n").samples;
  EXPECT_TRUE(Contains(FormatStatusText("h:1", down, false), "DOWN"))
      << FormatStatusText("h:1", down, false);
  EXPECT_TRUE(Contains(FormatStatusText("h:1", {}, false), "UNKNOWN"));
}

TEST(CliStatus, JsonKeysKeepLabels) {
  const auto samples = ParsePrometheusText(kMetrics).samples;
  const nlohmann::ordered_json j = StatusJson(samples, false);
  EXPECT_TRUE(j.at("exchange_engine_up").is_number_integer());
  EXPECT_EQ(j.at("exchange_engine_up"), 1);
  EXPECT_EQ(StatusJson(ParsePrometheusText("exchange_engine_x 0.5\n").samples, false)
                .at("exchange_engine_x"),
            0.5);
  EXPECT_EQ(j.at("exchange_engine_sink_lag{sink=\"redis\"}"), 30);
  EXPECT_EQ(j.at("exchange_engine_commands_total{result=\"accepted\"}"), 400);
  EXPECT_FALSE(j.contains("process_open_fds"));
  EXPECT_TRUE(StatusJson(samples, true).contains("process_open_fds"));
  const auto inf = ParsePrometheusText("exchange_engine_x +Inf\n").samples;
  EXPECT_EQ(StatusJson(inf, false).at("exchange_engine_x"), "+Inf");
}

TEST(CliStatus, ParsesEndpoints) {
  EXPECT_EQ(ParseEndpoint("127.0.0.1:9464").host, "127.0.0.1");
  EXPECT_EQ(ParseEndpoint("127.0.0.1:9464").port, "9464");
  EXPECT_EQ(ParseEndpoint("http://engine:80/").host, "engine");
  EXPECT_EQ(ParseEndpoint("[::1]:9464").host, "::1");
  EXPECT_THROW(ParseEndpoint("localhost"), CliError);
  EXPECT_THROW(ParseEndpoint("localhost:"), CliError);
  EXPECT_THROW(ParseEndpoint("localhost:http"), CliError);
  EXPECT_THROW(ParseEndpoint("localhost:70000"), CliError);
}

// Serves `response` to every connection on 127.0.0.1 (any free port) until destroyed.
class FakeHttpServer {
 public:
  explicit FakeHttpServer(std::string response) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeHttpServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    while (true) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string got;
      char buffer[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buffer, sizeof buffer);
        if (n <= 0) break;
        got.append(buffer, static_cast<std::size_t>(n));
      }
      const ssize_t written = ::write(c, response_.data(), response_.size());
      (void)written;
      ::close(c);
    }
  }

  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string HttpOk(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST(CliStatus, FetchesMetricsOverHttp) {
  FakeHttpServer server(HttpOk(std::string(kMetrics) + "broken{ 1\n"));
  StatusOptions o;
  o.metrics = "127.0.0.1:" + std::to_string(server.port());
  std::ostringstream out, err;
  EXPECT_EQ(RunStatus(o, out, err), 0) << err.str();
  EXPECT_TRUE(Contains(out.str(), ": UP")) << out.str();
  EXPECT_TRUE(Contains(out.str(), "sink sequence sink=redis")) << out.str();
  EXPECT_TRUE(Contains(err.str(), "malformed metrics line 14")) << err.str();

  o.json = true;
  std::ostringstream json, err2;
  EXPECT_EQ(RunStatus(o, json, err2), 0);
  const auto j = nlohmann::json::parse(json.str());
  EXPECT_EQ(j.at("exchange_engine_sequence"), 500);
}

TEST(CliStatus, ReportsHttpErrorsAndDownAsFailure) {
  FakeHttpServer not_found("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  StatusOptions o;
  o.metrics = "127.0.0.1:" + std::to_string(not_found.port());
  std::ostringstream out, err;
  EXPECT_EQ(RunStatus(o, out, err), kExitFailure);
  EXPECT_TRUE(Contains(err.str(), "answered HTTP 404")) << err.str();

  FakeHttpServer down(HttpOk("exchange_engine_up 0\n"));
  o.metrics = "127.0.0.1:" + std::to_string(down.port());
  std::ostringstream out2, err2;
  EXPECT_EQ(RunStatus(o, out2, err2), kExitFailure);
  EXPECT_TRUE(Contains(out2.str(), "DOWN")) << out2.str();
}

TEST(CliStatus, SaysWhenTheServiceIsNotReachable) {
  int port = 0;
  {
    FakeHttpServer closed_soon("");
    port = closed_soon.port();
  }  // nothing listens there any more
  StatusOptions o;
  o.metrics = "127.0.0.1:" + std::to_string(port);
  o.timeout = 2000ms;
  std::ostringstream out, err;
  EXPECT_EQ(RunStatus(o, out, err), kExitFailure);
  EXPECT_TRUE(Contains(err.str(), "engine service not reachable at 127.0.0.1:" +
                                      std::to_string(port) + ": connect:"))
      << err.str();
  EXPECT_TRUE(out.str().empty());
}

// ------------------------------------------------------------ batching

std::vector<NamedCommand> ReadCsv(const std::string& text) {
  std::istringstream in(text);
  std::vector<NamedCommand> out;
  ReadNamedOrderFlow(in, "test.csv", [&](NamedCommand&& c) { out.push_back(std::move(c)); });
  return out;
}

std::vector<OutgoingMessage> Batch(const std::vector<NamedCommand>& commands,
                                   std::uint64_t producer, std::uint64_t first, std::size_t batch) {
  CommandBatcher batcher(producer, first, batch);
  std::vector<OutgoingMessage> out;
  for (const NamedCommand& c : commands)
    batcher.Add(c.symbol, c.command, out);
  batcher.Flush(out);
  return out;
}

// The record as it should arrive: the wire leaves SymbolIds out, so compare JSON.
std::string Expected(const NamedCommand& c, std::uint64_t sequence) {
  wire::CommandRecord r;
  r.producer_sequence = sequence;
  r.symbol = SymbolName(c.symbol);
  r.command = c.command;
  return wire::ToJson(r).dump();
}

const std::string kHeader = std::string(kOrderFlowHeader) + "\n";

const std::string kInterleaved = kHeader +
                                 "N,1,1,1,BTC-USD,B,LIMIT,GTC,100,1,,,\n"
                                 "N,2,1,2,BTC-USD,B,LIMIT,GTC,100,1,,,\n"
                                 "N,3,1,3,BTC-USD,B,LIMIT,GTC,100,1,,,\n"
                                 "N,4,2,1,ETH-USD,S,LIMIT,GTC,200,1,,,\n"
                                 "# a comment\n"
                                 "\n"
                                 "C,5,1,1,BTC-USD,,,,,,,,\n"
                                 "M,6,1,,,,,,,,,,\n"
                                 "M,7,2,,ETH-USD,,,,,,,,\n"
                                 "M,0,3,,,,,,,,,,\n"
                                 "H,8,,,ETH-USD,,,,,,,,\n";

TEST(CliCommandBatcher, GroupsConsecutiveCommandsOfOneSymbolInOrder) {
  const auto commands = ReadCsv(kInterleaved);
  ASSERT_EQ(commands.size(), 9u);
  EXPECT_EQ(commands[5].symbol, "");  // M all symbols
  const auto messages = Batch(commands, 77, 1000, 2);

  // BTC[1,2] BTC[3] ETH[4] BTC[C] _all[M] ETH[M] _all[M] ETH[H]
  const std::vector<std::pair<std::string, std::size_t>> shape = {
      {"BTC-USD", 2}, {"BTC-USD", 1}, {"ETH-USD", 1}, {"BTC-USD", 1},
      {"_all", 1},    {"ETH-USD", 1}, {"_all", 1},    {"ETH-USD", 1}};
  ASSERT_EQ(messages.size(), shape.size());
  std::size_t index = 0;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    const OutgoingMessage& message = messages[m];
    EXPECT_EQ(message.routing_key, shape[m].first) << "message " << m;
    EXPECT_EQ(message.batch.records.size(), shape[m].second) << "message " << m;
    EXPECT_EQ(message.batch.producer_id, 77u);
    for (const wire::CommandRecord& r : message.batch.records) {
      // Input order, consecutive sequences from the first.
      EXPECT_EQ(r.producer_sequence, 1000 + index);
      EXPECT_EQ(wire::ToJson(r).dump(), Expected(commands[index], 1000 + index));
      if (message.routing_key == topology::kAllSymbolsKey) {
        EXPECT_EQ(message.batch.records.size(), 1u);
        EXPECT_TRUE(r.symbol.view().empty());
        EXPECT_TRUE(std::holds_alternative<MassCancel>(r.command.body));
      } else {
        EXPECT_EQ(r.symbol.view(), message.routing_key);
      }
      ++index;
    }
  }
  EXPECT_EQ(index, commands.size());
  // The timestamps are those of the file (0 stays 0: the engine stamps it).
  EXPECT_EQ(messages[6].batch.records[0].command.timestamp, 0);
  EXPECT_EQ(messages[7].batch.records[0].command.timestamp, 8);
}

TEST(CliCommandBatcher, MessagesEncodeAndDecodeAsBatched) {
  const auto messages = Batch(ReadCsv(kInterleaved), 5, 1, 100);
  ASSERT_EQ(messages.size(), 7u);  // BTC[3] ETH BTC _all ETH _all ETH
  EXPECT_EQ(messages[0].batch.records.size(), 3u);
  for (const OutgoingMessage& m : messages) {
    std::string bytes;
    wire::AppendCommandBatch(m.batch, bytes);
    const auto decoded = wire::DecodeCommandBatch(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error.reason;
    EXPECT_EQ(wire::ToJson(*decoded.value).dump(), wire::ToJson(m.batch).dump());
  }
}

TEST(CliCommandBatcher, SampleOrdersMakeTheExpectedMessages) {
  std::vector<NamedCommand> commands;
  ReadNamedOrderFlowFile(SourcePath("config/sample_orders.csv"),
                         [&](NamedCommand&& c) { commands.push_back(std::move(c)); });
  ASSERT_EQ(commands.size(), 21u);
  const auto messages = Batch(commands, 1, 1, 4);
  // BTC x15 → 4 4 4 3, DOGE x1, BTC x5 → 4 1.
  std::vector<std::size_t> sizes;
  for (const auto& m : messages)
    sizes.push_back(m.batch.records.size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 4, 4, 3, 1, 4, 1}));
  EXPECT_EQ(messages[4].routing_key, "DOGE-USD");
  EXPECT_EQ(messages.back().batch.records.back().producer_sequence, 21u);
}

TEST(CliCommandBatcher, RefusesSymbolsTheWireCannotCarry) {
  CommandBatcher batcher(1, 1, 10);
  std::vector<OutgoingMessage> out;
  Command order{0, NewOrder{}};
  EXPECT_THROW(batcher.Add("", order, out), CliError);  // only a mass cancel may be empty
  EXPECT_THROW(batcher.Add("WAY-TOO-LONG-SYMBOL", order, out), CliError);
  EXPECT_THROW(batcher.Add("BTC\xC3\xA9", order, out), CliError);
  EXPECT_EQ(batcher.next_sequence(), 1u);  // nothing was numbered
  batcher.Add("BTC-USD", order, out);
  EXPECT_EQ(batcher.next_sequence(), 2u);
  EXPECT_TRUE(WireSymbolProblem("BTC-USD").empty());
  EXPECT_TRUE(Contains(WireSymbolProblem("A B"), "0x20"));
}

// ------------------------------------------------------------ order input

std::string CsvError(const std::string& text) {
  try {
    ReadCsv(text);
  } catch (const CliError& e) {
    EXPECT_EQ(e.exit_code(), kExitBadInput);
    return e.what();
  }
  return "no error";
}

TEST(CliOrderInput, CsvErrorsNameTheLine) {
  EXPECT_EQ(CsvError("action,wrong\n"),
            "test.csv:1: expected the header '" + std::string(kOrderFlowHeader) + "'");
  EXPECT_EQ(CsvError(""), "test.csv:0: empty file: no header");
  EXPECT_EQ(
      CsvError(kHeader + "N,1,1,1,BTC-USD,B,LIMIT,GTC,100,1,,,\n\nN,1,1,1,BTC-USD,X,,,,1,,,\n"),
      "test.csv:4: side 'X' is unknown");
  EXPECT_EQ(CsvError(kHeader + "Z,1,1,1,BTC-USD,B,LIMIT,GTC,100,1,,,\n"),
            "test.csv:2: action 'Z' is not one of N C R M H U D W");
  EXPECT_EQ(CsvError(kHeader + "N,1,1\n"), "test.csv:2: expected 13 fields, found 3");
  EXPECT_TRUE(Contains(CsvError(kHeader + "N,1,1,1,BTC USD,B,LIMIT,GTC,100,1,,,\n"),
                       "test.csv:2: symbol 'BTC USD' holds byte 0x20"));
  EXPECT_TRUE(
      Contains(CsvError(kHeader + "N,1,1,1,,B,LIMIT,GTC,100,1,,,\n"), "test.csv:2: symbol"));
  try {
    ReadNamedOrderFlowFile("/nonexistent/orders.csv", [](NamedCommand&&) {});
    FAIL() << "opened a missing file";
  } catch (const CliError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/orders.csv: cannot open the order-flow CSV");
  }
}

std::string SingleError(const SingleOrderFlags& f) {
  try {
    BuildSingleCommand(f);
  } catch (const CliError& e) {
    return e.what();
  }
  return "no error";
}

TEST(CliOrderInput, SingleOrderFlags) {
  SingleOrderFlags f;
  f.symbol = "BTC-USD";
  f.side = "SELL";
  f.type = "ICEBERG";
  f.tif = "IOC";
  f.stp = "CANCEL_BOTH";
  f.price = 100;
  f.quantity = 50;
  f.display_quantity = 10;
  f.account = 3;
  f.order_id = 9;
  const NamedCommand c = BuildSingleCommand(f);
  EXPECT_EQ(c.symbol, "BTC-USD");
  const auto& o = std::get<NewOrder>(c.command.body);
  EXPECT_EQ(o.side, Side::kSell);
  EXPECT_EQ(o.type, OrderType::kIceberg);
  EXPECT_EQ(o.tif, TimeInForce::kIoc);
  EXPECT_EQ(o.stp, StpMode::kCancelBoth);
  EXPECT_EQ(o.display_quantity, 10);
  EXPECT_EQ(o.account, 3u);
  EXPECT_EQ(c.command.timestamp, 0);

  SingleOrderFlags bad = f;
  bad.side = "UP";
  EXPECT_EQ(SingleError(bad), "unknown --side 'UP' (expected one of B, S, BUY, SELL)");
  bad = f;
  bad.type = "limit";
  EXPECT_TRUE(Contains(SingleError(bad), "unknown --type 'limit'"));
  bad = f;
  bad.tif = "DAY";
  EXPECT_TRUE(Contains(SingleError(bad), "unknown --tif 'DAY'"));
  bad = f;
  bad.order_id.reset();
  EXPECT_EQ(SingleError(bad), "--order-id is required for a new order");
  bad = f;
  bad.symbol = "BAD SYMBOL";
  EXPECT_TRUE(Contains(SingleError(bad), "--symbol: symbol 'BAD SYMBOL'"));

  SingleOrderFlags cancel;
  cancel.symbol = "BTC-USD";
  cancel.account = 3;
  cancel.cancel_order_id = 9;
  EXPECT_EQ(std::get<CancelOrder>(BuildSingleCommand(cancel).command.body).order_id, 9u);
  cancel.symbol.clear();
  EXPECT_EQ(SingleError(cancel), "--symbol is required for --cancel");

  SingleOrderFlags mass;
  mass.mass_cancel = true;
  mass.account = 4;
  const NamedCommand m = BuildSingleCommand(mass);
  EXPECT_EQ(m.symbol, "");
  EXPECT_EQ(std::get<MassCancel>(m.command.body).account, 4u);
  mass.account.reset();
  EXPECT_EQ(SingleError(mass), "--account is required for --mass-cancel");
}

// ------------------------------------------------------------ decode

std::string WorkedExampleHex() {
  // wire/FORMAT.md "Worked example".
  return "58 57 01 01 2a 00 00 00 00 00 00 00 01 00 00 00"
         " 01 03 00 00 00 00 00 00 00 eb 03 00 00 00 00 00 00 07 42 54 43 2d 55 53 44"
         " 01 00 00 00 07 00 00 00 00 00 00 00 00 00 00 00"
         " 64 00 00 00 00 00 00 00 32 00 00 00 00 00 00 00"
         " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
}

TEST(CliDecode, ShowsACommandBatchAsTextAndJson) {
  const std::string bytes = ParseHex(WorkedExampleHex());
  ASSERT_EQ(bytes.size(), 89u);
  std::ostringstream out, err;
  EXPECT_EQ(DecodeMessage(bytes, false, out, err), 0);
  EXPECT_EQ(out.str(),
            "command batch: producer_id=42 records=1 bytes=89\n"
            "NEW acct=1 id=7 BTC-USD B LIMIT GTC px=100 qty=50 pseq=3 ts=1003\n");
  EXPECT_TRUE(err.str().empty());
  std::ostringstream json;
  EXPECT_EQ(DecodeMessage(bytes, true, json, err), 0);
  const auto j = nlohmann::json::parse(json.str());
  EXPECT_EQ(j.at("kind"), "commands");
  EXPECT_EQ(j.at("producer_id"), 42);
  EXPECT_EQ(j.at("records").at(0).at("producer_sequence"), 3);
}

TEST(CliDecode, ShowsAnEventBatch) {
  wire::EventBatch batch;
  wire::EventRecord r;
  r.symbol = SymbolName("ETH-USD");
  r.event.type = EventType::kTrade;
  r.event.sequence = 9;
  r.event.quantity = 5;
  batch.records = {r, r};
  batch.records[1].event.sequence = 10;
  std::string bytes;
  wire::AppendEventBatch(batch, bytes);
  std::ostringstream out, err;
  EXPECT_EQ(DecodeMessage(bytes, false, out, err), 0);
  EXPECT_TRUE(Contains(out.str(), "event batch: records=2")) << out.str();
  EXPECT_TRUE(Contains(out.str(), wire::Describe(batch.records[1]) + "\n")) << out.str();
  std::ostringstream json;
  EXPECT_EQ(DecodeMessage(bytes, true, json, err), 0);
  EXPECT_EQ(nlohmann::json::parse(json.str()).at("records").at(1).at("sequence"), 10);
}

TEST(CliDecode, MalformedMessagesGiveReasonOffsetAndExit2) {
  std::string bytes = ParseHex(WorkedExampleHex());
  bytes[16 + 30 + 7] = 7;  // the side: header 16, record offset 30+n, n = 7
  std::ostringstream out, err;
  EXPECT_EQ(DecodeMessage(bytes, false, out, err), kExitBadInput);
  EXPECT_EQ(err.str(), "decode: malformed message: bad field: side 7 (at byte offset 53)\n");
  EXPECT_TRUE(out.str().empty());

  std::ostringstream out2, err2;
  EXPECT_EQ(DecodeMessage(ParseHex(WorkedExampleHex()) + "x", false, out2, err2), kExitBadInput);
  EXPECT_EQ(err2.str(),
            "decode: malformed message: trailing bytes: 1 after the last record (at byte offset "
            "89)\n");

  std::ostringstream out3, err3;
  EXPECT_EQ(DecodeMessage("hello, world, not wire", true, out3, err3), kExitBadInput);
  EXPECT_TRUE(Contains(err3.str(), "bad magic")) << err3.str();
  EXPECT_TRUE(out3.str().empty());
}

TEST(CliDecode, HexInput) {
  EXPECT_EQ(ParseHex("0x5857 01\n02"), std::string("XW\x01\x02", 4));
  EXPECT_EQ(ParseHex(""), "");
  EXPECT_THROW(ParseHex("585"), CliError);
  EXPECT_THROW(ParseHex("58zz"), CliError);
  EXPECT_THROW(ReadWholeInput("/nonexistent/message.bin"), CliError);
}

// ------------------------------------------------------------ tail pieces

TEST(CliTail, BindingKeys) {
  TailBindings b;
  b.accounts = {7, 7};
  b.symbols = {"BTC-USD"};
  b.keys = {"#", "trade.BTC-USD"};
  EXPECT_EQ(TailBindingKeys(b),
            (std::vector<std::string>{"exec.7", "book.BTC-USD", "trade.BTC-USD", "#"}));
  b.trades_only = true;
  EXPECT_EQ(TailBindingKeys(b), (std::vector<std::string>{"exec.7", "trade.BTC-USD", "#"}));
  EXPECT_THROW(TailBindingKeys(TailBindings{}), CliError);
}

TEST(CliTail, SequenceFilterDropsWhatIsNotAboveTheHighestPerKey) {
  SequenceFilter f;
  EXPECT_TRUE(f.Accept("exec.1", 5));
  EXPECT_FALSE(f.Accept("exec.1", 5));  // redelivered
  EXPECT_FALSE(f.Accept("exec.1", 3));  // older
  EXPECT_TRUE(f.Accept("exec.2", 3));   // another binding has its own
  EXPECT_TRUE(f.Accept("exec.1", 6));
  EXPECT_FALSE(f.Accept("exec.2", 2));
}

// ------------------------------------------------------------ with RabbitMQ

std::uint64_t RandomNumber() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 20) ^ device();
}

TEST(CliSendIntegration, SampleOrdersArriveExactlyAsSent) {
  std::string url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url);
  std::vector<NamedCommand> commands;
  const std::string sample = SourcePath("config/sample_orders.csv");
  ReadNamedOrderFlowFile(sample, [&](NamedCommand&& c) { commands.push_back(std::move(c)); });

  amqp::AmqpClient consumer(amqp::ParseUrl(url));
  const std::string orders(topology::kOrdersExchange);
  consumer.DeclareExchange(orders, "direct");
  const std::string queue = consumer.DeclareTemporaryQueue();
  for (const std::string key : {"BTC-USD", "DOGE-USD", "_all"})
    consumer.Bind(queue, orders, key);
  consumer.Consume(queue, 100);

  SendOptions options;
  options.producer_id = RandomProducerId();
  options.first_sequence = 100;
  options.batch = 4;
  options.confirm_window = 2;
  amqp::AmqpClient producer(amqp::ParseUrl(url));
  Sender sender(producer, options);
  const SendStats stats =
      sender.Send([&](const NamedCommandSink& each) { ReadNamedOrderFlowFile(sample, each); });
  EXPECT_EQ(stats.records, 21u);
  EXPECT_EQ(stats.messages, 7u);
  EXPECT_EQ(stats.producer_id, options.producer_id);

  std::vector<std::pair<std::string, wire::CommandRecord>> received;
  std::size_t messages = 0;
  for (int idle = 0; received.size() < commands.size() && idle < 50;) {
    std::optional<amqp::Delivery> d = consumer.Next(100ms);
    if (!d) {
      ++idle;
      continue;
    }
    consumer.Ack(d->tag, false);
    const auto batch = wire::DecodeCommandBatch(d->body);
    ASSERT_TRUE(batch.ok()) << batch.error.reason;
    if (batch.value->producer_id != options.producer_id) continue;  // someone else's
    ++messages;
    for (const wire::CommandRecord& r : batch.value->records)
      received.emplace_back(d->routing_key, r);
  }
  ASSERT_EQ(received.size(), commands.size());
  EXPECT_EQ(messages, stats.messages);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto& [key, record] = received[i];
    EXPECT_EQ(record.producer_sequence, 100 + i);
    EXPECT_EQ(wire::ToJson(record).dump(), Expected(commands[i], 100 + i)) << "record " << i;
    EXPECT_EQ(key, commands[i].symbol.empty() ? std::string(topology::kAllSymbolsKey)
                                              : commands[i].symbol);
  }
  EXPECT_FALSE(consumer.Next(200ms).has_value());
}

TEST(CliSendIntegration, UnreachableRabbitMqIsAClearError) {
  try {
    amqp::AmqpClient c(amqp::ParseUrl("amqp://u:p@127.0.0.1:1/"), std::chrono::seconds(2));
    FAIL() << "connected to port 1";
  } catch (const amqp::AmqpError& e) {
    EXPECT_TRUE(Contains(e.what(), "cannot connect to RabbitMQ at 127.0.0.1:1")) << e.what();
  }
}

wire::EventBatch OneEvent(std::uint64_t sequence, std::uint64_t marker) {
  wire::EventRecord r;
  r.symbol = SymbolName("BTC-USD");
  r.event.type = EventType::kAccepted;
  r.event.sequence = sequence;
  r.event.account = 7;
  r.event.order_id = marker;
  r.event.quantity = 5;
  wire::EventBatch batch;
  batch.records.push_back(r);
  return batch;
}

TEST(CliTailIntegration, ReturnsPublishedEventsAndDropsRedeliveredSequences) {
  std::string url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url);
  amqp::AmqpClient tail_client(amqp::ParseUrl(url));
  std::ostringstream warnings;
  EventTail tail(tail_client, {topology::ExecKey(7)}, warnings);

  amqp::AmqpClient publisher(amqp::ParseUrl(url));
  const std::string events(topology::kEventsExchange);
  publisher.DeclareExchange(events, "topic");
  publisher.EnableConfirms();
  // Far above any real engine's sequence, and an order id no one else uses.
  const std::uint64_t sequence = (1ull << 62) + RandomNumber();
  const std::uint64_t marker = RandomNumber();
  std::string first, second, garbage = "not a wire message";
  wire::AppendEventBatch(OneEvent(sequence, marker), first);
  wire::AppendEventBatch(OneEvent(sequence + 1, marker), second);
  publisher.Publish(events, "exec.7", first);
  publisher.Publish(events, "exec.7", first);  // a redelivery: same sequence
  publisher.Publish(events, "exec.7", garbage);
  publisher.Publish(events, "exec.7", second);
  ASSERT_TRUE(publisher.WaitConfirms(10s));

  std::vector<TailedEvent> ours;
  while (ours.size() < 3) {
    std::optional<TailedEvent> e = tail.Next(2s);
    if (!e) break;
    if (e->record.event.order_id == marker) ours.push_back(*e);
  }
  ASSERT_EQ(ours.size(), 2u) << "the duplicate was not dropped, or an event is missing";
  EXPECT_EQ(ours[0].routing_key, "exec.7");
  EXPECT_EQ(ours[0].record.event.sequence, sequence);
  EXPECT_EQ(ours[0].record.symbol.view(), "BTC-USD");
  EXPECT_EQ(ours[0].record.event.account, 7u);
  EXPECT_EQ(ours[1].record.event.sequence, sequence + 1);
  EXPECT_GE(tail.duplicates_dropped(), 1u);
  EXPECT_EQ(tail.undecodable(), 1u);
  EXPECT_TRUE(Contains(warnings.str(), "skipped an undecodable message under 'exec.7'"))
      << warnings.str();

  // RunTail prints one line per event, stops at --count, and after a
  // timeout without events says how many came.
  std::string third;
  wire::AppendEventBatch(OneEvent(sequence + 2, marker), third);
  publisher.Publish(events, "exec.7", third);
  publisher.Publish(events, "exec.7", third);
  ASSERT_TRUE(publisher.WaitConfirms(10s));
  std::ostringstream out, err;
  TailOptions options;
  options.json = true;
  options.count = 1;
  options.timeout = 5000ms;
  EXPECT_EQ(RunTail(tail, options, out, err), 0) << err.str();
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j.at("sequence"), sequence + 2);
  EXPECT_EQ(j.at("order_id"), marker);

  std::ostringstream out2, err2;
  options.json = false;
  options.count = 5;
  options.timeout = 300ms;
  EXPECT_EQ(RunTail(tail, options, out2, err2), kExitFailure);  // the copy was dropped
  EXPECT_TRUE(out2.str().empty()) << out2.str();
  EXPECT_TRUE(Contains(err2.str(), "0 of 5 events within 300 ms")) << err2.str();
}

// ------------------------------------------------------------ book and order

bookstate::BookSnapshot SampleBook() {
  bookstate::BookSnapshot b;
  b.symbol = "BTC-USD";
  b.sequence = 42;
  b.bids = {{100, {5, 1}}, {99, {10, 3}}};
  b.asks = {{101, {7, 2}}};
  b.best_bid = bookstate::Quote{100, 5};
  b.best_ask = bookstate::Quote{101, 7};
  b.last_trade = bookstate::LastTrade{100, 2, 1700000000000000123, 40};
  return b;
}

TEST(CliBook, TextHeaderAndDepthTable) {
  std::ostringstream out;
  PrintBook(SampleBook(), out);
  EXPECT_EQ(out.str(),
            "BTC-USD  sequence 42  halted no  best bid 5 @ 100  best ask 7 @ 101  last trade 2 @ "
            "100 (sequence 40, 2023-11-14T22:13:20.000000123Z)\n"
            "    orders     bid qty      bid px |       ask px     ask qty  orders\n"
            "         1           5         100 |          101           7       2\n"
            "         3          10          99 |                                 \n");
}

TEST(CliBook, EmptyHaltedBookWithoutTrades) {
  bookstate::BookSnapshot b;
  b.symbol = "ETH-USD";
  b.sequence = 7;
  b.halted = true;
  EXPECT_EQ(FormatBookHeader(b), "ETH-USD  sequence 7  halted yes  best bid none  best ask none");
  std::ostringstream out;
  PrintBook(b, out);
  EXPECT_TRUE(Contains(out.str(), "\n  (empty)\n")) << out.str();

  const nlohmann::ordered_json j = BookJson(b);
  EXPECT_EQ(j.at("halted"), true);
  EXPECT_TRUE(j.at("bids").is_array() && j.at("bids").empty());
  EXPECT_TRUE(j.at("asks").is_array() && j.at("asks").empty());
  EXPECT_TRUE(j.at("best_bid").is_null());
  EXPECT_TRUE(j.at("best_ask").is_null());
  EXPECT_TRUE(j.at("last_trade").is_null());
}

TEST(CliBook, Json) {
  const nlohmann::ordered_json j = BookJson(SampleBook());
  EXPECT_EQ(j.dump(),
            "{\"symbol\":\"BTC-USD\",\"sequence\":42,\"halted\":false,"
            "\"bids\":[[100,5,1],[99,10,3]],\"asks\":[[101,7,2]],"
            "\"best_bid\":{\"price\":100,\"quantity\":5},"
            "\"best_ask\":{\"price\":101,\"quantity\":7},"
            "\"last_trade\":{\"price\":100,\"quantity\":2,\"time\":1700000000000000123,"
            "\"sequence\":40}}");
}

TEST(CliBook, Timestamps) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatTimestamp(1003), "1970-01-01T00:00:00.000001003Z");
  EXPECT_EQ(FormatTimestamp(1700000000123456789), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(FormatTimestamp(-5), "-5 ns");
}

bookstate::OpenOrder SampleOrder() {
  bookstate::OpenOrder o;
  o.account = 9;
  o.order_id = 77;
  o.exchange_id = 5001;
  o.side = Side::kSell;
  o.type = OrderType::kStopLimit;
  o.status = bookstate::OrderStatus::kPartiallyFilled;
  o.price = 105;
  o.stop_price = 104;
  o.quantity = 10;
  o.leaves = 6;
  o.filled = 4;
  o.sequence = 31;
  return o;
}

TEST(CliOrder, LineAndJson) {
  EXPECT_EQ(FormatOrder("BTC-USD", SampleOrder()),
            "BTC-USD 9:77 status=partially_filled side=S type=STOP_LIMIT price=105 "
            "stop_price=104 quantity=10 leaves=6 filled=4 exchange_id=5001 sequence=31");
  EXPECT_EQ(OrderJson("BTC-USD", SampleOrder()).dump(),
            "{\"symbol\":\"BTC-USD\",\"account\":9,\"order_id\":77,\"status\":\"partially_filled\","
            "\"side\":\"S\",\"type\":\"STOP_LIMIT\",\"price\":105,\"stop_price\":104,"
            "\"quantity\":10,\"leaves\":6,\"filled\":4,\"exchange_id\":5001,\"sequence\":31}");
}

int ConnectExitCode(const std::string& url, std::string* message) {
  try {
    ConnectRedis(url);
  } catch (const CliError& e) {
    *message = e.what();
    return e.exit_code();
  }
  return 0;
}

TEST(CliBook, RedisUrlErrors) {
  std::string message;
  EXPECT_EQ(ConnectExitCode("", &message), kExitBadInput);
  EXPECT_TRUE(Contains(message, "pass --redis-url or set EXCHANGE_REDIS_URL")) << message;
  EXPECT_EQ(ConnectExitCode("redis://u:secret@h:port", &message), kExitBadInput);
  EXPECT_TRUE(Contains(message, "--redis-url: ")) << message;
  EXPECT_FALSE(Contains(message, "secret")) << message;
  EXPECT_EQ(ConnectExitCode("redis://127.0.0.1:1", &message), kExitFailure);
  EXPECT_TRUE(Contains(message, "127.0.0.1:1")) << message;
}

// ------------------------------------------------------------ report

constexpr Timestamp kNanosPerDay = 86'400'000'000'000;
constexpr Timestamp k2026_11_28 = 20'785 * kNanosPerDay;

// The exit code and message of a CliError thrown by `f` (0 when none).
template <class F>
int ExitCodeOf(F f, std::string* message) {
  message->clear();
  try {
    f();
  } catch (const CliError& e) {
    *message = e.what();
    return e.exit_code();
  }
  return 0;
}

TEST(CliReport, TimesAreUtcDatesOrDateTimesWithAZ) {
  EXPECT_EQ(ParseReportTime("1970-01-01", "--from"), 0);
  EXPECT_EQ(ParseReportTime("2026-11-28", "--from"), k2026_11_28);
  EXPECT_EQ(ParseReportTime("2026-11-28T00:00:00Z", "--from"), k2026_11_28);
  EXPECT_EQ(ParseReportTime("2026-11-28T12:34:56Z", "--from"),
            k2026_11_28 + ((12 * 60 + 34) * 60 + 56) * 1'000'000'000LL);
  EXPECT_EQ(ParseReportTime("2026-11-28T00:00:01.5Z", "--to"), k2026_11_28 + 1'500'000'000);
  EXPECT_EQ(ParseReportTime("2026-11-28T00:00:00.000001Z", "--to"), k2026_11_28 + 1'000);
  EXPECT_EQ(ParseReportTime("2026-11-28T00:00:00.123456789Z", "--to"), k2026_11_28 + 123'456'789);
  EXPECT_EQ(ParseReportTime("2024-02-29T23:59:59Z", "--to"),
            ParseReportTime("2024-03-01", "--to") - 1'000'000'000);  // a leap day
  EXPECT_EQ(ParseReportTime("2261-12-31", "--to"), 106'650 * kNanosPerDay);

  // What FormatReportTime prints reads back.
  for (Timestamp t : {Timestamp{0}, k2026_11_28, k2026_11_28 + 86'399'999'999'000}) {
    EXPECT_EQ(ParseReportTime(FormatReportTime(t), "--from"), t) << FormatReportTime(t);
  }
  EXPECT_EQ(FormatReportTime(k2026_11_28 + 1'500'000'999), "2026-11-28T00:00:01.500000Z");

  for (const char* bad : {"",
                          "2026",
                          "2026-11",
                          "2026-11-28T",
                          "2026-11-28T12:00:00",
                          "2026-11-28 12:00:00Z",
                          "2026-11-28T12:00Z",
                          "2026-11-28T12:00:00.Z",
                          "2026-11-28T12:00:00.1234567890Z",
                          "2026-11-28T12:00:00+00:00",
                          "2026-11-28T12:00:00z",
                          "2026/11/28",
                          "28-11-2026",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-02-29",
                          "2026-11-31",
                          "2026-11-28T24:00:00Z",
                          "2026-11-28T12:60:00Z",
                          "2026-11-28T12:00:60Z",
                          "1969-12-31",
                          "2262-01-01",
                          "2026-11-28x",
                          " 2026-11-28",
                          "+026-11-28",
                          "2026-11-28T1:00:00Z"}) {
    std::string message;
    EXPECT_EQ(ExitCodeOf([&] { ParseReportTime(bad, "--from"); }, &message), kExitBadInput)
        << "'" << bad << "'";
    EXPECT_TRUE(Contains(message, std::string("--from: '") + bad + "'")) << message;
  }
  std::string message;
  ExitCodeOf([&] { ParseReportTime("2026-11-28T12:00:00", "--to"); }, &message);
  EXPECT_TRUE(Contains(message, "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff]Z")) << message;
  ExitCodeOf([&] { ParseReportTime("2026-02-30", "--to"); }, &message);
  EXPECT_TRUE(Contains(message, "is not a date")) << message;
}

TEST(CliReport, RequestsFromFlags) {
  using persistence::Report;
  ReportFlags f;
  f.symbol = "BTC-USD";
  f.from = "2026-11-28";
  f.to = "2026-11-29T06:00:00Z";
  persistence::ReportRequest r = ReportRequestOf(Report::kVwap, f);
  EXPECT_EQ(r.report, Report::kVwap);
  EXPECT_EQ(r.symbol, "BTC-USD");
  EXPECT_EQ(r.from, k2026_11_28);
  EXPECT_EQ(r.to, k2026_11_28 + kNanosPerDay + 6 * 3'600'000'000'000LL);

  f.interval = "1M";
  EXPECT_EQ(ReportRequestOf(Report::kCandles, f).interval, candles::CandleInterval::k1M);
  f.account = "4294967295";
  f.limit = "7";
  r = ReportRequestOf(Report::kAccountTrades, f);
  EXPECT_EQ(r.account, 4'294'967'295u);
  EXPECT_EQ(r.limit, 7);
  f.symbol.clear();
  EXPECT_EQ(ReportRequestOf(Report::kTopAccounts, f).symbol, "");  // all symbols

  // (The good flags copied, not literals assigned in the loop: GCC 12's
  // -Wrestrict misfires on those.)
  ReportFlags good;
  good.symbol = "BTC-USD";
  good.account = "7";
  good.interval = "1h";
  good.from = "2026-11-28";
  good.to = "2026-11-29";
  struct Bad {
    Report report;
    std::string ReportFlags::*field;
    std::string value;
    std::string says;
  };
  const std::vector<Bad> bad = {
      {Report::kVwap, &ReportFlags::symbol, "", "--symbol is required"},
      {Report::kDailyOhlc, &ReportFlags::symbol, "", "--symbol is required"},
      {Report::kCandles, &ReportFlags::symbol, "", "--symbol is required"},
      {Report::kVwap, &ReportFlags::from, "", "--from is required"},
      {Report::kVwap, &ReportFlags::to, "", "--to is required"},
      {Report::kVwap, &ReportFlags::to, "2026-11-28", "must be before --to"},
      {Report::kVwap, &ReportFlags::from, "2026-11-30", "must be before --to"},
      {Report::kVwap, &ReportFlags::to, "tomorrow", "--to: 'tomorrow'"},
      {Report::kCandles, &ReportFlags::interval, "", "--interval is required"},
      {Report::kCandles, &ReportFlags::interval, "2d", "--interval: '2d' is not one"},
      {Report::kCandles, &ReportFlags::interval, "1mo", "--interval: '1mo'"},
      {Report::kAccountTrades, &ReportFlags::account, "", "--account is required"},
      {Report::kAccountTrades, &ReportFlags::account, "-1", "--account: '-1'"},
      {Report::kAccountTrades, &ReportFlags::account, "4294967296", "--account"},
      {Report::kAccountTrades, &ReportFlags::account, "12x", "--account: '12x'"},
      {Report::kAccountTrades, &ReportFlags::limit, "0", "--limit: '0'"},
      {Report::kTopAccounts, &ReportFlags::limit, "-5", "--limit: '-5'"},
      {Report::kTopAccounts, &ReportFlags::limit, "ten", "--limit: 'ten'"},
  };
  for (const Bad& b : bad) {
    ReportFlags flags = good;
    flags.*b.field = b.value;
    std::string message;
    EXPECT_EQ(ExitCodeOf([&] { ReportRequestOf(b.report, flags); }, &message), kExitBadInput)
        << b.says;
    EXPECT_TRUE(Contains(message, b.says)) << message;
  }
}

TEST(CliReport, PostgresUrlFromTheFlagOrTheReaderVariable) {
  ReportFlags f;
  f.pg_url = "postgresql://u@h/db";
  EXPECT_EQ(ReportPgUrl(f), "postgresql://u@h/db");
  f.pg_url.clear();
  const char* saved = std::getenv("EXCHANGE_PG_READER_URL");
  const std::string restore = saved ? saved : "";
  ::setenv("EXCHANGE_PG_READER_URL", "postgresql://reader@h/db", 1);
  EXPECT_EQ(ReportPgUrl(f), "postgresql://reader@h/db");
  ::unsetenv("EXCHANGE_PG_READER_URL");
  std::string message;
  EXPECT_EQ(ExitCodeOf([&] { ReportPgUrl(f); }, &message), kExitBadInput);
  EXPECT_TRUE(Contains(message, "pass --pg-url or set EXCHANGE_PG_READER_URL")) << message;
  if (saved) ::setenv("EXCHANGE_PG_READER_URL", restore.c_str(), 1);

  // A server that is not there: exit 1, after the flags were found good.
  f.pg_url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  f.symbol = "BTC-USD";
  f.from = "2026-11-28";
  f.to = "2026-11-29";
  std::ostringstream out;
  EXPECT_EQ(ExitCodeOf([&] { RunReport(persistence::Report::kVwap, f, out); }, &message),
            kExitFailure);
  EXPECT_TRUE(Contains(message, "cannot connect")) << message;
  f.to = "2026-11-28";  // bad flags are found before connecting
  EXPECT_EQ(ExitCodeOf([&] { RunReport(persistence::Report::kVwap, f, out); }, &message),
            kExitBadInput);
}

TEST(CliReport, TablesAreAligned) {
  std::ostringstream out;
  PrintTable({{"time", false}, {"price"}, {"qty"}},
             {{"2026-11-28T00:00:00.000000Z", "65432.10", "1.5"}, {"x", "1.00", "123456.000"}},
             out);
  EXPECT_EQ(out.str(),
            "  time                            price         qty\n"
            "  2026-11-28T00:00:00.000000Z  65432.10         1.5\n"
            "  x                                1.00  123456.000\n");
}

// ------------------------------------------------------------ with Redis

// Writes a view of two symbols of its own (one coherent, one crossed) and
// deletes their keys at the end.
class CliBookIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", url_);
    client_.emplace(redis::ParseRedisUrl(url_));
    const std::string pid = std::to_string(::getpid());
    symbol_ = "CT" + pid;
    crossed_ = "CX" + pid;
    account_ = static_cast<AccountId>(3'000'000'000u + RandomNumber() % 1'000'000'000u);

    bookstate::BookViews views;
    bookstate::BookView& v = views.View(symbol_);
    Event trade;
    trade.type = EventType::kTrade;
    trade.sequence = 6;
    trade.timestamp = 1700000000000000123;
    trade.price = 101;
    trade.quantity = 2;
    v.ApplyEvent(trade);
    v.SetLevel(Side::kBuy, 100, {5, 1});
    v.SetLevel(Side::kBuy, 99, {10, 3});
    v.SetLevel(Side::kSell, 102, {3, 1});
    v.SetLevel(Side::kSell, 103, {8, 2});
    order_ = SampleOrder();
    order_.account = account_;
    v.SetOrder(order_);
    v.SetSequence(7);
    v.EndBatch();

    bookstate::BookView& x = views.View(crossed_);
    x.SetLevel(Side::kBuy, 105, {1, 1});
    x.SetLevel(Side::kSell, 101, {1, 1});
    x.SetSequence(3);
    x.EndBatch();

    written_ = true;
    bookstate::BookStateWriter writer({});
    ASSERT_EQ(writer.WriteAll(*client_, views), "");
  }

  void TearDown() override {
    if (!written_) return;
    redis::RedisClient c(redis::ParseRedisUrl(url_));  // *client_ may be broken
    for (const std::string& s : {symbol_, crossed_})
      bookstate::BookStateWriter::DeleteView(c, s);
  }

  int Book(const BookOptions& o, std::string* out, std::string* err) {
    std::ostringstream o_out, o_err;
    const int code = RunBook(*client_, o, o_out, o_err);
    *out = o_out.str();
    *err = o_err.str();
    return code;
  }

  int Order(const OrderOptions& o, std::string* out, std::string* err) {
    std::ostringstream o_out, o_err;
    const int code = RunOrder(*client_, o, o_out, o_err);
    *out = o_out.str();
    *err = o_err.str();
    return code;
  }

  std::string url_;
  std::optional<redis::RedisClient> client_;
  std::string symbol_, crossed_;
  AccountId account_ = 0;
  bookstate::OpenOrder order_;
  bool written_ = false;
};

TEST_F(CliBookIntegration, BookAsTextAndJson) {
  std::string out, err;
  BookOptions o;
  o.symbol = symbol_;
  ASSERT_EQ(Book(o, &out, &err), 0) << err;
  EXPECT_TRUE(err.empty()) << err;
  EXPECT_EQ(out,
            symbol_ +
                "  sequence 7  halted no  best bid 5 @ 100  best ask 3 @ 102  last trade 2 @ 101 "
                "(sequence 6, 2023-11-14T22:13:20.000000123Z)\n"
                "    orders     bid qty      bid px |       ask px     ask qty  orders\n"
                "         1           5         100 |          102           3       1\n"
                "         3          10          99 |          103           8       2\n");

  o.levels = 1;
  o.json = true;
  ASSERT_EQ(Book(o, &out, &err), 0) << err;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("symbol"), symbol_);
  EXPECT_EQ(j.at("sequence"), 7);
  EXPECT_EQ(j.at("halted"), false);
  EXPECT_EQ(j.at("bids").dump(), "[[100,5,1]]");
  EXPECT_EQ(j.at("asks").dump(), "[[102,3,1]]");
  EXPECT_EQ(j.at("best_bid").at("price"), 100);
  EXPECT_EQ(j.at("best_ask").at("quantity"), 3);
  EXPECT_EQ(j.at("last_trade").at("price"), 101);
  EXPECT_EQ(j.at("last_trade").at("time"), 1700000000000000123);
  EXPECT_EQ(j.at("last_trade").at("sequence"), 6);
}

TEST_F(CliBookIntegration, IncoherentBookIsPrintedThenFails) {
  std::string out, err;
  BookOptions o;
  o.symbol = crossed_;
  EXPECT_EQ(Book(o, &out, &err), kExitFailure);
  EXPECT_TRUE(Contains(out, crossed_ + "  sequence 3")) << out;
  EXPECT_TRUE(Contains(out, "105 |          101")) << out;
  EXPECT_EQ(err, "incoherent view: crossed: best bid 105 >= best ask 101\n");
}

TEST_F(CliBookIntegration, SymbolWithoutAViewIsNotFound) {
  BookOptions o;
  o.symbol = "CN" + std::to_string(::getpid());
  std::string out, err;
  try {
    Book(o, &out, &err);
    FAIL() << "no error for a symbol without a view";
  } catch (const CliError& e) {
    EXPECT_EQ(e.exit_code(), kExitNotFound);
    EXPECT_TRUE(Contains(e.what(), "no book view for symbol " + o.symbol)) << e.what();
  }
  EXPECT_TRUE(out.empty()) << out;
}

TEST_F(CliBookIntegration, OrderInItsSymbolOrFoundInAny) {
  const std::string line = FormatOrder(symbol_, order_) + "\n";
  std::string out, err;
  OrderOptions o;
  o.account = account_;
  o.order_id = order_.order_id;
  o.symbol = symbol_;
  ASSERT_EQ(Order(o, &out, &err), 0) << err;
  EXPECT_EQ(out, line);
  EXPECT_TRUE(Contains(out, "status=partially_filled side=S type=STOP_LIMIT price=105")) << out;

  o.symbol.clear();  // FindOrder: every symbol
  ASSERT_EQ(Order(o, &out, &err), 0) << err;
  EXPECT_EQ(out, line);

  o.json = true;
  ASSERT_EQ(Order(o, &out, &err), 0) << err;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("symbol"), symbol_);
  EXPECT_EQ(j.at("account"), account_);
  EXPECT_EQ(j.at("order_id"), order_.order_id);
  EXPECT_EQ(j.at("leaves"), 6);
  EXPECT_EQ(j.at("exchange_id"), 5001);
}

TEST_F(CliBookIntegration, OrderThatIsNotOpen) {
  const std::string expected = "order " + std::to_string(account_) + ":" +
                               std::to_string(order_.order_id + 1) +
                               " is not open (filled, cancelled or unknown)\n";
  std::string out, err;
  OrderOptions o;
  o.account = account_;
  o.order_id = order_.order_id + 1;
  EXPECT_EQ(Order(o, &out, &err), kExitNotFound);
  EXPECT_EQ(err, expected);
  EXPECT_TRUE(out.empty()) << out;

  o.symbol = symbol_;
  EXPECT_EQ(Order(o, &out, &err), kExitNotFound);
  EXPECT_EQ(err, expected);

  o.order_id = order_.order_id;  // open, but in another symbol
  o.symbol = crossed_;
  EXPECT_EQ(Order(o, &out, &err), kExitNotFound);

  o.symbol = "CN" + std::to_string(::getpid());
  EXPECT_EQ(Order(o, &out, &err), kExitNotFound);
  EXPECT_TRUE(Contains(err, "no book view for symbol " + o.symbol)) << err;
}

// ------------------------------------------------------------ cash risk

TEST(CliLedger, ReconciliationSaysOkOnlyWhenEveryAssetAndAccountAddsUp) {
  persistence::Reconciliation r;
  persistence::AssetReconciliation usd;
  usd.asset = "USD";
  usd.decimals = 2;
  usd.deposited = 100'000;
  usd.withdrawn = 2'500;
  usd.balances = 97'500;
  usd.fees = 130;
  r.assets.push_back(usd);
  std::ostringstream text;
  EXPECT_EQ(PrintReconciliation(r, false, text), 0);
  EXPECT_NE(text.str().find("1000.00"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("every asset balances"), std::string::npos) << text.str();

  r.assets[0].balances = 97'499;  // a cent went missing
  std::ostringstream missing;
  EXPECT_EQ(PrintReconciliation(r, true, missing), kExitFailure);
  EXPECT_NE(missing.str().find("\"ok\":false"), std::string::npos) << missing.str();

  r.assets[0].balances = 97'500;
  persistence::LedgerMismatch m;
  m.shard = "main";
  m.account = 7;
  m.asset = "USD";
  m.available_sum = 10;
  m.available = 11;
  r.mismatches.push_back(m);
  std::ostringstream mismatch;
  EXPECT_EQ(PrintReconciliation(r, false, mismatch), kExitFailure);
  EXPECT_NE(mismatch.str().find("MISMATCH shard main account 7 USD"), std::string::npos)
      << mismatch.str();
}

TEST(CliBalance, AmountsPrintInTheAssetsDecimalsPerShardWithTotals) {
  const BalanceRows rows = {{{"BTC", "east"}, {150'000'000, 2'500, 41}},
                            {{"BTC", "west"}, {50'000'000, 0, 12}},
                            {{"XYZ", "east"}, {7, 0, 9}}};
  const std::map<std::string, int> decimals = {{"BTC", 8}};
  const auto json = BalancesJson(7, rows, decimals);
  EXPECT_EQ(json["balances"][0]["shard"], "east");
  EXPECT_EQ(json["balances"][0]["available"], "1.50000000");
  EXPECT_EQ(json["balances"][0]["held"], "0.00002500");
  EXPECT_EQ(json["balances"][0]["total"], "1.50002500");
  EXPECT_EQ(json["balances"][2]["available"], "7");  // unknown decimals: raw units
  ASSERT_EQ(json["totals"].size(), 2u);
  EXPECT_EQ(json["totals"][0]["asset"], "BTC");
  EXPECT_EQ(json["totals"][0]["total"], "2.00002500");  // over both shards
  std::ostringstream text;
  PrintBalances(7, rows, decimals, text);
  EXPECT_NE(text.str().find("1.50002500"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("2.00002500"), std::string::npos) << text.str();  // the "*" row
  EXPECT_EQ(text.str().find("*", text.str().find("XYZ")), std::string::npos)
      << "one shard, no sum row\n"
      << text.str();
}

TEST(CliCommandBatcher, TransfersGoToTheirShardsKeyNamedByAsset) {
  CommandBatcher batcher(1, 1, 10, "east");
  std::vector<OutgoingMessage> out;
  batcher.Add("USD", Command{0, Deposit{7, kUnknownAsset, 100, 1}}, out);
  batcher.Add("BTC-USD", Command{0, NewOrder{}}, out);
  batcher.Flush(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].routing_key, "_shard.east");
  EXPECT_EQ(out[0].batch.records[0].symbol.view(), "USD");
  EXPECT_EQ(out[1].routing_key, "BTC-USD");
}

}  // namespace
}  // namespace exchange::cli
