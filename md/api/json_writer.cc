#include "md/api/json_writer.h"

#include <stdexcept>

namespace exchange::md {

void AppendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
}

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  if (has_element_[depth_ - 1]) out_.push_back(',');
  has_element_[depth_ - 1] = true;
}

JsonWriter& JsonWriter::Open(char bracket) {
  Separate();
  if (depth_ == has_element_.size()) throw std::logic_error("JsonWriter: nested too deep");
  out_.push_back(bracket);
  has_element_[depth_++] = false;
  return *this;
}

JsonWriter& JsonWriter::Close(char bracket) {
  if (depth_ == 0) throw std::logic_error("JsonWriter: close without open");
  --depth_;
  out_.push_back(bracket);
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view name) {
  Separate();
  out_.push_back('"');
  AppendJsonEscaped(out_, name);
  out_.append("\":");
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  Separate();
  out_.push_back('"');
  AppendJsonEscaped(out_, s);
  out_.push_back('"');
  return *this;
}

JsonWriter& JsonWriter::Number(std::string_view number) {
  Separate();
  out_.append(number);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_.append("null");
  return *this;
}

}  // namespace exchange::md
