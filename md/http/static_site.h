// StaticSite: the files exchange-md serves besides its APIs: the chart page
// (md/web, copied with the lightweight-charts build into the build's md-web/
// directory; md.web_root). Every regular file directly in the directory
// (not its subdirectories, not dot files) is read into memory once, at
// start-up, with its content type, a strong ETag (a hash of the content)
// and, for text, its gzip encoding made once. `/` is index.html; `/<name>`
// the file <name>. The files on disk are not read again: a new page needs
// a restart.
//
// Built on the main thread before the serving threads start; immutable
// afterwards and shared (const) by every serving thread's RequestHandler.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace exchange::md {

class StaticSite {
 public:
  struct File {
    std::string body;
    std::string gzip;  // body gzip-encoded; empty when not worth it (images, tiny files)
    std::string content_type;
    std::string etag;  // "\"<64-bit hash>-<size>\"", both hex
  };

  // Reads the files of `root`. Throws std::runtime_error naming the path when
  // `root` is not a readable directory, a file cannot be read, or the files
  // add up to more than kMaxBytes.
  static StaticSite Load(const std::filesystem::path& root);

  // For exchange-md's start-up: nullptr when `root` is empty (no page), or
  // when it cannot be loaded (logged as a warning: the APIs are served
  // without the page, and `/` is a 404).
  static std::shared_ptr<const StaticSite> LoadOrWarn(const std::string& root);

  // The file a request path names ("/" → index.html), or nullptr.
  const File* Find(std::string_view path) const;

  std::size_t size() const { return files_.size(); }
  const std::filesystem::path& root() const { return root_; }

  static constexpr std::size_t kMaxBytes = 64 << 20;

 private:
  std::filesystem::path root_;
  std::map<std::string, File, std::less<>> files_;  // by name, without the '/'
};

// The Content-Type of a file name, by its extension; application/octet-stream
// when unknown.
std::string_view ContentTypeOf(std::string_view file_name);

}  // namespace exchange::md
