// QueryParams: the parameters of a request target's query string
// ("symbol=BTC-USD&limit=5"), percent-decoded, and the checks every endpoint
// makes on them. A parameter given twice counts once (the first); an empty
// value ("limit=") is as good as absent. A bad value is a RequestError (400)
// naming the parameter: missing, not an integer, or out of range.
//
// A plain value, built per request; one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exchange::md {

// "/api/v3/depth?symbol=X" → {"/api/v3/depth", "symbol=X"}.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target);

class QueryParams {
 public:
  // Throws RequestError (400) on a malformed percent escape.
  static QueryParams Parse(std::string_view query);

  // The value, or nullopt when absent or empty.
  std::optional<std::string_view> Find(std::string_view name) const;
  // The value; RequestError (400, kMissingParameter) when absent or empty.
  std::string_view Required(std::string_view name) const;
  // An integer in [min, max], or nullopt when absent. RequestError (400)
  // when it is not an integer (kIllegalChars) or out of range
  // (kInvalidParameter).
  std::optional<std::int64_t> Int(std::string_view name, std::int64_t min, std::int64_t max) const;
  std::int64_t IntOr(std::string_view name, std::int64_t fallback, std::int64_t min,
                     std::int64_t max) const {
    return Int(name, min, max).value_or(fallback);
  }
  std::int64_t RequiredInt(std::string_view name, std::int64_t min, std::int64_t max) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace exchange::md
