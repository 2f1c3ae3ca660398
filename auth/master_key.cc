#include "auth/master_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/hex_digit.h"

namespace exchange::auth {

namespace {

void InitSodium() {
  if (sodium_init() < 0) throw AuthError("libsodium could not initialise");
}

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

MasterKey::MasterKey(const std::array<unsigned char, kBytes>& key) : key_(key) {
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, key_.data(), key_.size(), nullptr, 0);
  id_ = Hex(hash, sizeof hash);
}

MasterKey::~MasterKey() {
  sodium_memzero(key_.data(), key_.size());
}

MasterKey MasterKey::Load(const std::filesystem::path& path) {
  InitSodium();
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    throw AuthError("master key file " + path.string() +
                    " not found (create one with `exchange-cli apikey create-master-key`)");
  }
  if ((st.st_mode & 077) != 0) {
    throw AuthError("master key file " + path.string() +
                    " is readable or writable by others than its owner: chmod 600 it");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string hex = text.str();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
    hex.pop_back();
  std::array<unsigned char, kBytes> key{};
  bool ok = hex.size() == 2 * kBytes;
  for (std::size_t i = 0; ok && i < kBytes; ++i) {
    const int hi = HexDigitValue(hex[2 * i]);
    const int lo = HexDigitValue(hex[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    key[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  sodium_memzero(hex.data(), hex.size());
  if (!ok) throw AuthError("master key file " + path.string() + " does not hold 64 hex digits");
  MasterKey master(key);
  sodium_memzero(key.data(), key.size());
  return master;
}

MasterKey MasterKey::Create(const std::filesystem::path& path) {
  InitSodium();
  std::array<unsigned char, kBytes> key{};
  randombytes_buf(key.data(), key.size());
  std::string text = Hex(key.data(), key.size()) + "\n";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw AuthError("cannot create master key file " + path.string() + ": " +
                    (errno == EEXIST ? "it exists (a key is never overwritten)" : strerror(errno)));
  }
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  close(fd);
  sodium_memzero(text.data(), text.size());
  if (!written) throw AuthError("cannot write master key file " + path.string());
  MasterKey master(key);
  sodium_memzero(key.data(), key.size());
  return master;
}

std::string MasterKey::Seal(std::string_view plaintext) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  return out;
}

std::optional<std::string> MasterKey::Open(std::string_view sealed) const {
  constexpr std::size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(out.data()), nonce + crypto_secretbox_NONCEBYTES,
          sealed.size() - crypto_secretbox_NONCEBYTES, nonce, key_.data()) != 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace exchange::auth
