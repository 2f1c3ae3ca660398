#include "md/http/static_site.h"

#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "md/http/gzip_encoder.h"

namespace exchange::md {
namespace {

namespace fs = std::filesystem;

struct TypeOfExtension {
  std::string_view extension;
  std::string_view content_type;
  bool compressible;
};

constexpr std::array<TypeOfExtension, 14> kTypes = {{
    {".html", "text/html; charset=utf-8", true},
    {".htm", "text/html; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},
    {".css", "text/css; charset=utf-8", true},
    {".json", "application/json", true},
    {".map", "application/json", true},
    {".txt", "text/plain; charset=utf-8", true},
    {".svg", "image/svg+xml", true},
    {".png", "image/png", false},
    {".ico", "image/x-icon", false},
    {".jpg", "image/jpeg", false},
    {".webp", "image/webp", false},
    {".woff2", "font/woff2", false},
}};

const TypeOfExtension* TypeOf(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return nullptr;
  const std::string_view extension = name.substr(dot);
  for (const TypeOfExtension& t : kTypes) {
    if (t.extension == extension) return &t;
  }
  return nullptr;
}

// FNV-1a, 64 bits: an ETag needs a content hash, not a cryptographic one.
std::uint64_t Fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string ETagOf(std::string_view body) {
  std::ostringstream out;
  out << '"' << std::hex << Fnv1a(body) << '-' << body.size() << '"';
  return out.str();
}

std::string ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("static site: cannot read " + path.string());
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("static site: cannot read " + path.string());
  return body;
}

// Smaller files are sent as they are (a gzip header alone is 18 bytes).
constexpr std::size_t kMinGzipBytes = 256;

}  // namespace

std::string_view ContentTypeOf(std::string_view file_name) {
  const TypeOfExtension* type = TypeOf(file_name);
  return type ? type->content_type : "application/octet-stream";
}

StaticSite StaticSite::Load(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw std::runtime_error("static site: " + root.string() + " is not a directory" +
                             (ec ? " (" + ec.message() + ")" : std::string()));
  }
  StaticSite site;
  site.root_ = root;
  GzipEncoder gzip;
  std::size_t total = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.' || !entry.is_regular_file()) continue;
    File file;
    file.body = ReadWhole(entry.path());
    total += file.body.size();
    if (total > kMaxBytes) {
      throw std::runtime_error("static site: the files of " + root.string() + " exceed " +
                               std::to_string(kMaxBytes >> 20) + " MiB");
    }
    const TypeOfExtension* type = TypeOf(name);
    file.content_type = type ? type->content_type : "application/octet-stream";
    file.etag = ETagOf(file.body);
    if (type && type->compressible && file.body.size() >= kMinGzipBytes) {
      gzip.Compress(file.body, file.gzip);
      if (file.gzip.size() >= file.body.size()) file.gzip.clear();
    }
    site.files_.emplace(name, std::move(file));
  }
  return site;
}

std::shared_ptr<const StaticSite> StaticSite::LoadOrWarn(const std::string& root) {
  if (root.empty()) return nullptr;
  try {
    auto site = std::make_shared<const StaticSite>(Load(root));
    if (site->Find("/") == nullptr) {
      spdlog::warn("md: web root {} has no index.html: / is a 404", root);
    }
    spdlog::info("md: serving {} files of {} (the chart page at /)", site->size(), root);
    return site;
  } catch (const std::exception& e) {
    spdlog::warn("md: {}; serving the APIs without the chart page", e.what());
    return nullptr;
  }
}

const StaticSite::File* StaticSite::Find(std::string_view path) const {
  if (path.empty() || path.front() != '/') return nullptr;
  std::string_view name = path.substr(1);
  if (name.empty()) name = "index.html";
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace exchange::md
