// The errors a request can end in, and their JSON bodies.
//
//   RequestError        the client's mistake (a missing or malformed
//                       parameter, an unknown symbol or interval, a window
//                       with from > to, a limit out of range, an unknown path
//                       or method): a 4xx status and a message saying what
//                       to fix. Never a 500.
//   BackendUnavailable  Redis or PostgreSQL cannot be reached: 503; the
//                       server keeps running and tries again later.
//
// Binance-style endpoints answer {"code":-1121,"msg":"..."} with Binance's
// error codes; the UDF datafeed answers {"s":"error","errmsg":"..."}.
//
// Plain values and pure functions; any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace exchange::md {

// Binance's error codes, as its clients know them.
namespace binance_code {
inline constexpr int kUnknown = -1000;           // a server failure (500)
inline constexpr int kDisconnected = -1001;      // a backend is unreachable (503)
inline constexpr int kTooManyRequests = -1003;   // request weight over the limit (429)
inline constexpr int kUnsupported = -1020;       // unknown path or method (404, 405)
inline constexpr int kStartAfterEnd = -1023;     // startTime > endTime
inline constexpr int kIllegalChars = -1100;      // not a number where one is expected
inline constexpr int kMissingParameter = -1102;  // a mandatory parameter is absent
inline constexpr int kBadInterval = -1120;
inline constexpr int kBadSymbol = -1121;
inline constexpr int kBadParameterCombination = -1128;  // e.g. symbol and symbols together
inline constexpr int kInvalidParameter = -1130;         // out of range
inline constexpr int kInvalidTickerType = -1139;        // `type` not FULL or MINI
inline constexpr int kDuplicateSymbols = -1151;         // `symbols` names one twice
}  // namespace binance_code

class RequestError : public std::runtime_error {
 public:
  RequestError(int status, int code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(code) {}
  int status() const { return status_; }
  int code() const { return code_; }  // binance_code

 private:
  int status_;
  int code_;
};

class BackendUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// {"code":code,"msg":"message"}
std::string BinanceErrorBody(int code, std::string_view message);
// {"s":"error","errmsg":"message"}
std::string UdfErrorBody(std::string_view message);

}  // namespace exchange::md
