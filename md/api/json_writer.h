// JsonWriter: builds a JSON text into a caller's buffer, appending, with the
// commas and escaping done here: objects, arrays, strings, integers and
// numbers already in decimal text (prices as FixedPoint gives them). No
// allocation beyond the buffer's growth; nesting is at most 16 deep.
//
// Owned by whoever builds a response; one thread.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace exchange::md {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // A member's name; the value written next is its value.
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view s);
  template <typename Integer>
  JsonWriter& Int(Integer value) {
    Separate();
    char buffer[48];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out_.append(buffer, end);
    return *this;
  }
  // `number` must be a JSON number ("65432.10", "-3").
  JsonWriter& Number(std::string_view number);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // Key(name) then the value.
  JsonWriter& Member(std::string_view name, std::string_view s) { return Key(name).String(s); }

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  // A comma unless this is the first element, or the value of a key.
  void Separate();

  std::string& out_;
  std::array<bool, 16> has_element_{};  // per nesting level
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

// `s` as a JSON string body, escaped (no quotes added).
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace exchange::md
