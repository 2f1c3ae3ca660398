// HttpGet: one blocking HTTP/1.1 GET with an overall timeout (Boost.Beast),
// for `exchange-cli status` to read the engine service's /metrics.
//
// Each call has its own I/O context: any thread.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace exchange::cli {

// Why the server could not be asked or did not answer, e.g.
// "connect: Connection refused" or "no answer within 3000 ms".
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpResponse {
  int status = 0;  // e.g. 200
  std::string reason;
  std::string body;
};

// GETs http://host:port/target. Throws HttpError; any status is returned.
HttpResponse HttpGet(const std::string& host, const std::string& port, const std::string& target,
                     std::chrono::milliseconds timeout);

}  // namespace exchange::cli
