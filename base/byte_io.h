// ByteWriter and ByteReader: explicit little-endian encoding of integers into
// a byte string and back, with bounds checks on read. Used by the engine's
// state snapshots and by the wire and journal formats.
//
// Plain helpers; any thread, one object per thread.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace exchange {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(std::uint16_t v) { Put(v, 2); }
  void U32(std::uint32_t v) { Put(v, 4); }
  void U64(std::uint64_t v) { Put(v, 8); }
  void I64(std::int64_t v) { Put(static_cast<std::uint64_t>(v), 8); }
  void Bytes(std::string_view s) { out_.append(s); }
  // A string of at most 255 bytes, length first.
  void ShortString(std::string_view s) {
    U8(static_cast<std::uint8_t>(s.size()));
    out_.append(s.substr(0, 255));
  }
  std::size_t size() const { return out_.size(); }

 private:
  void Put(std::uint64_t v, int bytes) {
    char buf[8];
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(buf, &v, 8);
    } else {
      for (int i = 0; i < 8; ++i)
        buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    out_.append(buf, static_cast<std::size_t>(bytes));
  }
  std::string& out_;
};

// Reads never go past the end: a read that would sets failed() and returns 0.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  std::uint8_t U8() { return static_cast<std::uint8_t>(Get(1)); }
  std::uint16_t U16() { return static_cast<std::uint16_t>(Get(2)); }
  std::uint32_t U32() { return static_cast<std::uint32_t>(Get(4)); }
  std::uint64_t U64() { return Get(8); }
  std::int64_t I64() { return static_cast<std::int64_t>(Get(8)); }
  std::string_view Bytes(std::size_t n) {
    if (!Has(n)) return {};
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view ShortString() { return Bytes(U8()); }

  bool failed() const { return failed_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  bool Has(std::size_t n) {
    if (failed_ || in_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  std::uint64_t Get(int bytes) {
    if (!Has(static_cast<std::size_t>(bytes))) return 0;
    std::uint64_t v = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, in_.data() + pos_, static_cast<std::size_t>(bytes));
    } else {
      for (int i = 0; i < bytes; ++i) {
        v |= std::uint64_t{static_cast<unsigned char>(in_[pos_ + static_cast<std::size_t>(i)])}
             << (8 * i);
      }
    }
    pos_ += static_cast<std::size_t>(bytes);
    return v;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace exchange
