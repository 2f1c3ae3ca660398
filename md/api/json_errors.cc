#include "md/api/json_errors.h"

#include "md/api/json_writer.h"

namespace exchange::md {

std::string BinanceErrorBody(int code, std::string_view message) {
  std::string body;
  JsonWriter json(body);
  json.BeginObject().Key("code").Int(code).Member("msg", message).EndObject();
  return body;
}

std::string UdfErrorBody(std::string_view message) {
  std::string body;
  JsonWriter json(body);
  json.BeginObject().Member("s", "error").Member("errmsg", message).EndObject();
  return body;
}

}  // namespace exchange::md
