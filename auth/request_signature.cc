#include "auth/request_signature.h"

#include <sodium.h>

namespace exchange::auth {

std::string HmacSha256Hex(std::string_view secret, std::string_view payload) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(payload.data()),
                                payload.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, 2 * sizeof mac);
}

bool SignatureMatches(std::string_view secret, std::string_view payload,
                      std::string_view signature) {
  const std::string expected = HmacSha256Hex(secret, payload);
  if (signature.size() != expected.size()) return false;
  std::string lower(signature);
  for (char& c : lower)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return sodium_memcmp(lower.data(), expected.data(), expected.size()) == 0;
}

}  // namespace exchange::auth
