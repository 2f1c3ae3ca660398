#include "engine_service/core/snapshot_store.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "base/byte_io.h"
#include "base/crc32c.h"

namespace exchange {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMagic = 0x31535358;  // "XSS1"
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 4 + 1 + 8 + 8 + 4;

std::string SnapshotName(std::uint64_t index) {
  char name[64];
  std::snprintf(name, sizeof(name), "snapshot-%020llu.snap",
                static_cast<unsigned long long>(index));
  return name;
}

// Snapshot files, newest (highest journal index) first.
std::vector<std::pair<std::uint64_t, std::string>> List(const std::string& dir) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    unsigned long long index = 0;
    if (std::sscanf(name.c_str(), "snapshot-%20llu.snap", &index) == 1 &&
        name == SnapshotName(index)) {
      out.emplace_back(index, e.path().string());
    }
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

// Writes all of `data` to fd; false on error.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The whole write: temporary file, fsync, rename, folder fsync. Returns ""
// or what failed. Uses only system calls after building the header, so the
// forked child can call it.
std::string WriteFile(const std::string& dir, std::uint64_t index, std::string_view body) {
  std::string header;
  ByteWriter w(header);
  w.U32(kMagic);
  w.U8(kVersion);
  w.U64(index);
  w.U64(body.size());
  w.U32(Crc32c(body));
  const std::string final_path = dir + "/" + SnapshotName(index);
  const std::string tmp_path = final_path + ".tmp";
  const int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "create " + tmp_path + ": " + std::strerror(errno);
  const bool ok = WriteAll(fd, header) && WriteAll(fd, body) && ::fsync(fd) == 0;
  const std::string error = ok ? "" : "write " + tmp_path + ": " + std::strerror(errno);
  ::close(fd);
  if (!ok) return error;
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    return "rename " + tmp_path + ": " + std::strerror(errno);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return "";
}

// A child that hangs (another thread held an allocator lock at fork time,
// say) is killed after this long; the engine notices and forks again later.
constexpr unsigned kChildWatchdogSeconds = 120;

// First thing in the child. It keeps none of the parent's descriptors: an
// AMQP socket held open by a child outliving a kill -9 of the engine would
// keep RabbitMQ from requeueing that connection's unacked orders, and the
// metrics listener would keep the restarted engine from binding its port.
// It dies with the thread that forked it, and is bounded by a watchdog.
void DetachChild(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(2);  // the parent died before prctl
  ::close_range(3, ~0U, 0);
  ::alarm(kChildWatchdogSeconds);
}

}  // namespace

SnapshotStore::SnapshotStore(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw SnapshotError("cannot create snapshot folder " + dir_ + ": " + ec.message());
}

std::optional<SnapshotStore::Loaded> SnapshotStore::LoadNewestBefore(std::uint64_t limit,
                                                                     std::string* report) const {
  for (const auto& [index, path] : List(dir_)) {
    if (index >= limit) continue;
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ByteReader r(bytes);
    const std::uint32_t magic = r.U32();
    const std::uint8_t version = r.U8();
    const std::uint64_t header_index = r.U64();
    const std::uint64_t length = r.U64();
    const std::uint32_t crc = r.U32();
    std::string why;
    if (r.failed() || magic != kMagic) {
      why = "not a snapshot";
    } else if (version != kVersion) {
      why = "unsupported version " + std::to_string(version);
    } else if (header_index != index || length != bytes.size() - kHeaderBytes) {
      why = "header does not match the file";
    } else if (Crc32c(std::string_view(bytes).substr(kHeaderBytes)) != crc) {
      why = "checksum mismatch";
    }
    if (why.empty()) return Loaded{index, bytes.substr(kHeaderBytes), path};
    if (report) *report += path + ": " + why + "; skipped\n";
  }
  return std::nullopt;
}

void SnapshotStore::Write(std::uint64_t journal_index, std::string_view body) const {
  if (const std::string error = WriteFile(dir_, journal_index, body); !error.empty()) {
    throw SnapshotError(error);
  }
}

bool SnapshotStore::StartBackground(std::uint64_t journal_index,
                                    const std::function<std::string()>& produce) {
  if (child_ > 0) return false;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {  // child: a frozen copy of the engine; write and leave at once
    DetachChild(parent);
    const std::string body = produce();
    const std::string error = WriteFile(dir_, journal_index, body);
    ::_exit(error.empty() ? 0 : 1);
  }
  child_ = pid;
  child_index_ = journal_index;
  return true;
}

std::optional<std::uint64_t> SnapshotStore::Reap(int options, bool* failed) {
  if (failed) *failed = false;
  if (child_ <= 0) return std::nullopt;
  int status = 0;
  const pid_t done = ::waitpid(child_, &status, options);
  if (done == 0) return std::nullopt;  // still running
  child_ = -1;
  if (done < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (failed) *failed = true;
    return std::nullopt;
  }
  return child_index_;
}

std::optional<std::uint64_t> SnapshotStore::Poll(bool* failed) {
  return Reap(WNOHANG, failed);
}

std::optional<std::uint64_t> SnapshotStore::Wait(bool* failed) {
  return Reap(0, failed);
}

void SnapshotStore::PruneBefore(std::uint64_t index) const {
  for (const auto& [snapshot_index, path] : List(dir_)) {
    if (snapshot_index < index) fs::remove(path);
  }
}

}  // namespace exchange
