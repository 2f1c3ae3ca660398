#include "gateway/binance/api_error.h"

#include <nlohmann/json.hpp>

namespace exchange::binance {

std::string ErrorBody(const ApiError& e) {
  return nlohmann::json{{"code", e.code}, {"msg", e.msg}}.dump();
}

ApiResponse ErrorResponse(const ApiError& e) {
  return {e.status, ErrorBody(e), {}};
}

}  // namespace exchange::binance
