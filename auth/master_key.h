// MasterKey: the key that seals API secrets at rest (libsodium's secretbox,
// XSalsa20-Poly1305, a random nonce per secret). HMAC signatures need the
// secret itself, so it cannot be stored as a hash; it is stored sealed, and
// only a process that reads the key file can open it.
//
// The key file holds 64 hex digits (32 bytes) and a newline; it must be
// readable by its owner only (mode 0600 or stricter), else Load refuses.
// Each key has an id (16 hex digits of a BLAKE2b hash of the key) stored
// beside every secret it sealed, so a process with the wrong key file says
// so instead of failing to open secrets one by one. Rotation: create a new
// key file, `exchange-cli apikey reseal` (every secret re-sealed under the
// new key in one transaction), then give the services the new file.
//
// Immutable after construction; any thread.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace exchange::auth {

// A key file or a sealed secret that cannot be used; the message says why.
class AuthError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MasterKey {
 public:
  static constexpr std::size_t kBytes = 32;

  // Reads `path`. AuthError when it is missing, not 64 hex digits, or
  // readable by anyone but its owner.
  static MasterKey Load(const std::filesystem::path& path);
  // Writes a new random key to `path` (mode 0600); AuthError when the file
  // exists (a key is never overwritten) or cannot be written.
  static MasterKey Create(const std::filesystem::path& path);

  MasterKey(const MasterKey& other) = default;
  MasterKey& operator=(const MasterKey& other) = default;
  ~MasterKey();

  // 16 hex digits naming this key.
  const std::string& id() const { return id_; }
  // `plaintext` sealed: nonce, then the authenticated ciphertext.
  std::string Seal(std::string_view plaintext) const;
  // The plaintext; nullopt when `sealed` was not sealed by this key or was
  // altered.
  std::optional<std::string> Open(std::string_view sealed) const;

 private:
  explicit MasterKey(const std::array<unsigned char, kBytes>& key);

  std::array<unsigned char, kBytes> key_{};
  std::string id_;
};

}  // namespace exchange::auth
