#include "md/http/request_handler.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "md/api/request_weight.h"

namespace exchange::md {
namespace {

constexpr std::string_view kAllowedMethods = "GET, HEAD, OPTIONS";
constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

bool IsUdfPath(std::string_view path) {
  return path.substr(0, 5) == "/udf/";
}

// Whether an If-None-Match header value names `etag` (or is "*"); weak
// validators (W/"...") match too, as for a GET they should.
bool MatchesETag(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t'))
      tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
      tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

RequestHandler::RequestHandler(const Options& options, RequestStats& stats,
                               const RequestMetrics& metrics)
    : options_(options),
      stats_(stats),
      metrics_(metrics),
      source_(options.source),
      udf_(source_),
      binance_(source_, options.rate_limits),
      trades_(source_),
      tickers_(source_) {}

std::string RequestHandler::ErrorBody(Endpoint endpoint, int code, std::string_view message) {
  return IsUdf(endpoint) ? UdfErrorBody(message) : BinanceErrorBody(code, message);
}

Reply RequestHandler::Dispatch(Endpoint endpoint, const QueryParams& params) {
  switch (endpoint) {
    case Endpoint::kUdfConfig: return udf_.Config();
    case Endpoint::kUdfSymbols: return udf_.Symbols(params);
    case Endpoint::kUdfSearch: return udf_.Search(params);
    case Endpoint::kUdfTime: return udf_.Time();
    case Endpoint::kUdfHistory: return udf_.History(params);
    case Endpoint::kKlines: return binance_.Klines(params);
    case Endpoint::kDepth: return binance_.Depth(params);
    case Endpoint::kTrades: return trades_.Trades(params);
    case Endpoint::kTicker24h: return tickers_.Ticker24h(params);
    case Endpoint::kExchangeInfo: return binance_.ExchangeInfo(params);
    case Endpoint::kPing: return binance_.Ping();
    case Endpoint::kTime: return binance_.Time();
    case Endpoint::kSystemStatus: return binance_.SystemStatus();
    case Endpoint::kUiKlines: return binance_.Klines(params);
    case Endpoint::kHistoricalTrades: return trades_.HistoricalTrades(params);
    case Endpoint::kAggTrades: return trades_.AggTrades(params);
    case Endpoint::kAvgPrice: return tickers_.AvgPrice(params);
    case Endpoint::kTickerTradingDay: return tickers_.TradingDay(params);
    case Endpoint::kTickerPrice: return tickers_.Price(params);
    case Endpoint::kBookTicker: return tickers_.BookTicker(params);
    case Endpoint::kTicker: return tickers_.Rolling(params);
    case Endpoint::kMetrics: return Reply{metrics_.Exposition(), kMetricsType};
    case Endpoint::kStatic:
    case Endpoint::kUnknown: break;
  }
  throw std::logic_error("RequestHandler: no handler for a file or an unknown endpoint");
}

void RequestHandler::ChargeWeight(Endpoint endpoint, const QueryParams& params,
                                  std::string_view client, HttpResponse& response) {
  if (!options_.weights) return;
  const std::int64_t weight = RequestWeight(endpoint, params);
  if (weight == 0) return;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  if (!options_.rate_limits.enforce_weight) {
    const std::int64_t used = options_.weights->Add(client, weight, now_ms);
    response.headers.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(used));
    return;
  }
  const RequestWeights::Verdict v = options_.weights->Charge(client, weight, now_ms);
  response.headers.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(v.used));
  if (v.banned_until_ms > now_ms) {
    response.headers.emplace_back("Retry-After",
                                  std::to_string((v.banned_until_ms - now_ms + 999) / 1000));
    throw RequestError(418, binance_code::kTooManyRequests, BanMessage(v.banned_until_ms));
  }
  if (v.used <= options_.weights->limit()) return;
  response.headers.emplace_back("Retry-After", std::to_string(60 - now_ms / 1000 % 60));
  throw RequestError(429, binance_code::kTooManyRequests,
                     "Too much request weight used; current limit is " +
                         std::to_string(options_.weights->limit()) +
                         " request weight per 1 MINUTE. Please use WebSocket Streams for live "
                         "updates to avoid polling the API.");
}

HttpResponse RequestHandler::Preflight(const HttpRequest& request) {
  HttpResponse response;
  response.status = 204;
  response.headers.emplace_back("Access-Control-Allow-Methods", std::string(kAllowedMethods));
  response.headers.emplace_back("Access-Control-Allow-Headers",
                                request.access_control_request_headers.empty()
                                    ? std::string("Content-Type")
                                    : std::string(request.access_control_request_headers));
  response.headers.emplace_back("Access-Control-Max-Age", "86400");
  return response;
}

void RequestHandler::ServeFile(const HttpRequest& request, const StaticSite::File& file,
                               HttpResponse& response) {
  response.headers.emplace_back("ETag", file.etag);
  // Cached, but asked again each time (a 304 when unchanged): a rebuilt
  // page is seen at once.
  response.headers.emplace_back("Cache-Control", "no-cache");
  if (!file.gzip.empty()) response.headers.emplace_back("Vary", "Accept-Encoding");
  if (MatchesETag(request.if_none_match, file.etag)) {
    response.status = 304;
    return;
  }
  response.headers.emplace_back("Content-Type", file.content_type);
  if (!file.gzip.empty() && AcceptsGzip(request.accept_encoding)) {
    response.body = file.gzip;
    response.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    response.body = file.body;
  }
}

void RequestHandler::Compress(HttpResponse& response) {
  gzip_.Compress(response.body, compressed_);
  response.body.swap(compressed_);
  response.headers.emplace_back("Content-Encoding", "gzip");
}

HttpResponse RequestHandler::Handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const auto [path, query] = SplitTarget(request.target);
  Endpoint endpoint = EndpointOf(path);
  const StaticSite::File* file = nullptr;
  if (endpoint == Endpoint::kUnknown && options_.site && !IsApiPath(path)) {
    file = options_.site->Find(path);
    if (file != nullptr) endpoint = Endpoint::kStatic;
  }
  HttpResponse response;
  std::string_view content_type = "application/json";
  bool served_file = false;  // its headers are set
  if (endpoint == Endpoint::kUnknown) {
    response.status = 404;
    std::string message = "Unknown path ";
    message += path;
    response.body = IsUdfPath(path) ? UdfErrorBody(message)
                                    : BinanceErrorBody(binance_code::kUnsupported, message);
  } else if (request.method == "OPTIONS") {
    response = Preflight(request);
  } else if (request.method != "GET" &&
             request.method != "HEAD") {  // HEAD: HttpSession drops the body
    response.status = 405;
    std::string message = "Method ";
    message += request.method;
    message += " is not allowed on ";
    message += path;
    message += "; allowed: ";
    message += kAllowedMethods;
    response.body = ErrorBody(endpoint, binance_code::kUnsupported, message);
    response.headers.emplace_back("Allow", std::string(kAllowedMethods));
  } else if (file != nullptr) {
    ServeFile(request, *file, response);
    served_file = true;
  } else {
    try {
      const QueryParams params = QueryParams::Parse(query);
      ChargeWeight(endpoint, params, request.client, response);
      Reply reply = Dispatch(endpoint, params);
      response.body = std::move(reply.body);
      content_type = reply.content_type;
    } catch (const RequestError& e) {
      response.status = static_cast<unsigned>(e.status());
      response.body = ErrorBody(endpoint, e.code(), e.what());
    } catch (const BackendUnavailable& e) {
      response.status = 503;
      response.body = ErrorBody(endpoint, binance_code::kDisconnected, e.what());
    } catch (const std::exception& e) {
      spdlog::error("md: {} failed: {}", request.target, e.what());
      response.status = 500;
      std::string message = "internal error: ";
      message += e.what();
      response.body = ErrorBody(endpoint, binance_code::kUnknown, message);
    }
  }
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  if (response.status != 204 && !served_file) {
    response.headers.emplace_back("Content-Type", std::string(content_type));
    response.headers.emplace_back("Cache-Control", "no-store");
    if (response.body.size() >= options_.gzip_min_bytes) {
      response.headers.emplace_back("Vary", "Accept-Encoding");
      if (AcceptsGzip(request.accept_encoding)) Compress(response);
    }
  }
  stats_.Record(endpoint, response.status, std::chrono::steady_clock::now() - started);
  return response;
}

}  // namespace exchange::md
