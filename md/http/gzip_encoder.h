// GzipEncoder: compresses response bodies to gzip (RFC 1952) with zlib,
// reusing one deflate state (deflateReset) so a response costs no
// allocation inside zlib. Level 1: the fastest; JSON of prices compresses
// well even so.
//
// Owned by one serving thread's RequestHandler; one thread.
#pragma once

#include <string>
#include <string_view>

struct z_stream_s;

namespace exchange::md {

class GzipEncoder {
 public:
  GzipEncoder();
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // `in` compressed into `out` (replaced). Throws std::runtime_error if zlib
  // fails (it does not, short of memory).
  void Compress(std::string_view in, std::string& out);

 private:
  z_stream_s* stream_;
};

// Whether an Accept-Encoding header value admits gzip: a "gzip" (or "*")
// coding whose q is not 0.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace exchange::md
