#include "md/http/gzip_encoder.h"

#include <zlib.h>

#include <cctype>
#include <stdexcept>

namespace exchange::md {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 16: a gzip header and trailer
constexpr int kMemoryLevel = 8;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// "q=0", "q=0.0", "q=0.000": the coding is refused.
bool IsZeroQuality(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    const std::string_view p = Trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    const std::string_view value = p.substr(2);
    return value.find_first_not_of("0.") == std::string_view::npos;
  }
  return false;
}

}  // namespace

GzipEncoder::GzipEncoder() : stream_(new z_stream{}) {
  if (deflateInit2(stream_, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, kMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    delete stream_;
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
}

GzipEncoder::~GzipEncoder() {
  deflateEnd(stream_);
  delete stream_;
}

void GzipEncoder::Compress(std::string_view in, std::string& out) {
  if (deflateReset(stream_) != Z_OK) throw std::runtime_error("zlib: deflateReset failed");
  out.resize(deflateBound(stream_, static_cast<uLong>(in.size())));
  stream_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_->avail_in = static_cast<uInt>(in.size());
  stream_->next_out = reinterpret_cast<Bytef*>(out.data());
  stream_->avail_out = static_cast<uInt>(out.size());
  if (deflate(stream_, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("zlib: deflate failed");
  out.resize(stream_->total_out);
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    const auto semicolon = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semicolon));
    const std::string_view parameters =
        semicolon == std::string_view::npos ? "" : item.substr(semicolon + 1);
    if (EqualsIgnoringCase(coding, "gzip") || coding == "*") return !IsZeroQuality(parameters);
  }
  return false;
}

}  // namespace exchange::md
