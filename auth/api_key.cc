#include "auth/api_key.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace exchange::auth {

namespace {

// `text` as an IPv6 address (IPv4 mapped into ::ffff:0:0/96); also says
// whether it was IPv4.
std::optional<std::array<std::uint8_t, 16>> ParseAddress(std::string_view text, bool* v4) {
  const std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    if (v4) *v4 = true;
    return out;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    if (v4) *v4 = false;
    return out;
  }
  return std::nullopt;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsMapped4(const std::array<std::uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

}  // namespace

std::string IpNetwork::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (IsMapped4(address) && prefix >= 96) {
    inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
    std::string out = text;
    if (prefix != 128) out.append("/").append(std::to_string(prefix - 96));
    return out;
  }
  inet_ntop(AF_INET6, address.data(), text, sizeof text);
  std::string out = text;
  if (prefix != 128) out.append("/").append(std::to_string(prefix));
  return out;
}

std::string NewApiKeyText() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not initialise");
  std::string out(kApiKeyLength, 'A');
  for (char& c : out)
    c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

bool LooksLikeApiKey(std::string_view text) {
  if (text.size() != kApiKeyLength) return false;
  for (char c : text)
    if (!IsAlnum(c)) return false;
  return true;
}

std::optional<std::vector<IpNetwork>> ParseIpAllowList(std::string_view text, std::string& error) {
  std::vector<IpNetwork> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ')
      entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ')
      entry.remove_suffix(1);
    if (entry.empty()) continue;
    const std::size_t slash = entry.find('/');
    bool v4 = false;
    const auto address = ParseAddress(entry.substr(0, slash), &v4);
    if (!address) {
      error = std::string("'").append(entry).append("' is not an IPv4 or IPv6 address or network");
      return std::nullopt;
    }
    IpNetwork network{*address, 128};
    if (slash != std::string_view::npos) {
      const std::string bits(entry.substr(slash + 1));
      const int max = v4 ? 32 : 128;
      char* end = nullptr;
      const long n = std::strtol(bits.c_str(), &end, 10);
      if (bits.empty() || *end != '\0' || n < 0 || n > max) {
        error = std::string("'").append(entry).append("': the prefix length must be 0-");
        error += std::to_string(max);
        return std::nullopt;
      }
      network.prefix = static_cast<int>(n) + (v4 ? 96 : 0);
    }
    out.push_back(network);
  }
  return out;
}

std::string IpAllowListText(const std::vector<IpNetwork>& networks) {
  std::string out;
  for (const IpNetwork& n : networks) {
    if (!out.empty()) out += ',';
    out += n.ToString();
  }
  return out;
}

bool IpAllowed(const std::vector<IpNetwork>& list, std::string_view peer) {
  if (list.empty()) return true;
  const auto address = ParseAddress(peer, nullptr);
  if (!address) return false;
  for (const IpNetwork& n : list) {
    int bits = n.prefix;
    bool match = true;
    for (int i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
      match = ((*address)[i] & mask) == (n.address[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

}  // namespace exchange::auth
