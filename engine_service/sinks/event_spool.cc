#include "engine_service/sinks/event_spool.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace exchange {

namespace {

constexpr std::size_t kRecordsPerWrite = 4096;

std::string Errno(const std::string& doing) {
  return doing + ": " + std::strerror(errno);
}

}  // namespace

EventSpool::EventSpool(std::string path) : path_(std::move(path)) {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

EventSpool::~EventSpool() {
  if (file_ != nullptr) std::fclose(file_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void EventSpool::Append(const wire::EventRecord& record) {
  tail_.push_back(record);
  ++count_;
  if (tail_.size() >= kRecordsPerWrite) Flush();
}

void EventSpool::Flush() {
  if (tail_.empty()) return;
  if (file_ == nullptr) file_ = std::fopen(path_.c_str(), "w+b");
  if (file_ == nullptr) {
    write_problem_ = Errno("cannot create the history spool " + path_);
    return;  // the events stay in tail_
  }
  buffer_.assign(4, '\0');
  wire::AppendEventBatch(tail_, buffer_);
  const auto length = static_cast<std::uint32_t>(buffer_.size() - 4);
  std::memcpy(buffer_.data(), &length, 4);
  if (std::fseek(file_, static_cast<long>(written_), SEEK_SET) != 0 ||
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() ||
      std::fflush(file_) != 0) {
    write_problem_ = Errno("cannot write the history spool " + path_);
    return;  // the events stay in tail_; the next flush writes over the same place
  }
  written_ += buffer_.size();
  tail_.clear();
}

std::string EventSpool::Take(std::size_t max, std::vector<wire::EventRecord>& out) {
  std::string problem;
  std::size_t taken = 0;
  while (taken < max && count_ > 0) {
    if (head_at_ < head_.size()) {
      out.push_back(std::move(head_[head_at_++]));
      ++taken;
      --count_;
      continue;
    }
    head_.clear();
    head_at_ = 0;
    if (read_ == written_) {  // the file is read: the tail is next
      for (auto& r : tail_)
        head_.push_back(std::move(r));
      tail_.clear();
      if (head_.empty()) break;
      continue;
    }
    std::uint32_t length = 0;
    buffer_.clear();
    if (std::fseek(file_, static_cast<long>(read_), SEEK_SET) != 0 ||
        std::fread(&length, 1, 4, file_) != 4) {
      problem = Errno("cannot read the history spool " + path_);
    } else {
      buffer_.resize(length);
      if (std::fread(buffer_.data(), 1, length, file_) != length) {
        problem = Errno("cannot read the history spool " + path_);
      } else if (auto decoded = wire::DecodeEventBatch(buffer_); !decoded.ok()) {
        problem = "the history spool " + path_ + " is corrupt: " + decoded.error.reason;
      } else {
        head_ = std::move(decoded.value->records);
      }
    }
    if (!problem.empty()) return problem;  // the caller stops: see the header
    read_ += 4 + length;
  }
  if (read_ == written_ && head_at_ == head_.size() && tail_.empty()) Reset();
  return problem;
}

void EventSpool::Reset() {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  written_ = read_ = 0;
  write_problem_.clear();
}

}  // namespace exchange
