// RequestHandler: turns one HTTP request into its response, for one serving
// thread: routing by path (endpoint.h) to the UDF and Binance endpoints and
// /metrics, then any other path to the chart page's files (static_site.h:
// `/` is index.html; ETag and If-None-Match, gzip made once); errors as
// JSON with their status (json_errors.h: 4xx for the client's mistakes, 503
// while a backend is unreachable, 500 for a fault of ours); CORS
// (Access-Control-Allow-Origin: *, OPTIONS preflight); gzip when the client
// accepts it; and the request's metrics.
//
// Transport-free: the HTTP session hands it the few request fields it
// needs and writes back what it returns, so it is tested without sockets.
//
// One per serving thread, with that thread's MarketDataSource (own Redis
// and PostgreSQL connections) and RequestStats; one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "md/api/binance_endpoints.h"
#include "md/api/ticker_endpoints.h"
#include "md/api/trade_endpoints.h"
#include "md/api/udf_endpoints.h"
#include "md/data/market_data_source.h"
#include "md/http/gzip_encoder.h"
#include "md/http/request_metrics.h"
#include "base/request_weights.h"
#include "md/http/static_site.h"

namespace exchange::md {

struct HttpRequest {
  std::string_view method;  // "GET", "OPTIONS", ...
  std::string_view target;  // path and query
  std::string_view accept_encoding;
  std::string_view access_control_request_headers;  // a preflight's
  std::string_view if_none_match;                   // a file's ETag the client has
  std::string_view client;                          // the peer's address (request weights)
};

struct HttpResponse {
  unsigned status = 200;
  std::vector<std::pair<std::string_view, std::string>> headers;  // Content-Length aside
  std::string body;
};

class RequestHandler {
 public:
  struct Options {
    SourceOptions source;
    std::size_t gzip_min_bytes = 256;
    // The chart page's files, shared by every thread's handler; nullptr:
    // no page (every path but the APIs' is a 404).
    std::shared_ptr<const StaticSite> site;
    // exchangeInfo's rateLimits; the request weight enforced when asked.
    RateLimits rate_limits;
    // Every thread's count of each client's request weight, shared;
    // nullptr: not counted (no X-MBX-USED-WEIGHT-1M header).
    std::shared_ptr<RequestWeights> weights;
  };
  // `stats`: this thread's; `metrics`: every thread's, for /metrics.
  RequestHandler(const Options& options, RequestStats& stats, const RequestMetrics& metrics);

  HttpResponse Handle(const HttpRequest& request);
  // Housekeeping between requests, every second (HttpServer's timer).
  void Tick() noexcept { source_.Tick(); }

 private:
  // The endpoint's reply; throws what it throws.
  Reply Dispatch(Endpoint endpoint, const QueryParams& params);
  // `endpoint`'s error body in its API's style.
  static std::string ErrorBody(Endpoint endpoint, int code, std::string_view message);
  HttpResponse Preflight(const HttpRequest& request);
  // Adds the request's weight to its client's minute and the
  // X-MBX-USED-WEIGHT-1M header; RequestError 429 (-1003, with
  // Retry-After) past the limit when it is enforced.
  void ChargeWeight(Endpoint endpoint, const QueryParams& params, std::string_view client,
                    HttpResponse& response);
  // A file of the site: 200, or 304 when the client has its ETag.
  void ServeFile(const HttpRequest& request, const StaticSite::File& file, HttpResponse& response);
  void Compress(HttpResponse& response);

  Options options_;
  RequestStats& stats_;
  const RequestMetrics& metrics_;
  MarketDataSource source_;
  UdfEndpoints udf_;
  BinanceEndpoints binance_;
  TradeEndpoints trades_;
  TickerEndpoints tickers_;
  GzipEncoder gzip_;
  std::string compressed_;  // scratch, capacity kept
};

}  // namespace exchange::md
