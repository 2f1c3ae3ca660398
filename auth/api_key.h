// ApiKey: one API key of an account as the trading front ends check it: who
// it acts for, what it may do, from where, and whether it was revoked. Keys
// and secrets are 64 letters and digits, as Binance's. Every key may read;
// `can_trade` lets it place and cancel orders. `ip_allow` empty: any
// address; else the request's peer must be in one of the networks.
//
// Plain values and functions; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types.h"

namespace exchange::auth {

// An IPv4 or IPv6 network: an address and a prefix length. IPv4 is held as
// an IPv4-mapped IPv6 address, so one comparison serves both.
struct IpNetwork {
  std::array<std::uint8_t, 16> address{};
  int prefix = 128;  // bits of `address` that must match

  std::string ToString() const;
  bool operator==(const IpNetwork&) const = default;
};

struct ApiKey {
  std::string key;
  AccountId account = 0;
  bool can_trade = false;
  std::vector<IpNetwork> ip_allow;  // empty: any address
  std::string label;
  std::int64_t created_ms = 0;  // Unix milliseconds
  bool revoked = false;
};

inline constexpr std::size_t kApiKeyLength = 64;

// A new random key or secret: 64 letters and digits (libsodium's RNG).
std::string NewApiKeyText();
// True when `text` has the form of a key: 64 letters and digits.
bool LooksLikeApiKey(std::string_view text);

// "127.0.0.1,10.0.0.0/8,::1" → networks; nullopt and `error` set when an
// entry is not an address or network. "" → none (any address).
std::optional<std::vector<IpNetwork>> ParseIpAllowList(std::string_view text, std::string& error);
// The list written back as ParseIpAllowList reads it.
std::string IpAllowListText(const std::vector<IpNetwork>& networks);
// True when `peer` (an IPv4 or IPv6 address as text) is allowed by `list`.
bool IpAllowed(const std::vector<IpNetwork>& list, std::string_view peer);

}  // namespace exchange::auth
