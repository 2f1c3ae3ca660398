#include "engine_service/sinks/event_spool.h"

#include <filesystem>

namespace exchange {

namespace {

constexpr std::size_t kRecordsPerWrite = 4096;
constexpr RecordFormat kFormat{.key_bytes = 0, .max_payload = 1u << 31};

}  // namespace

EventSpool::EventSpool(std::string path) : path_(std::move(path)) {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

EventSpool::~EventSpool() {
  file_.reset();
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
  try {
    if (!file_) file_.emplace(path_, "history spool");
    buffer_.clear();
    wire::AppendEventBatch(tail_, batch_);
    AppendRecord(kFormat, {}, batch_, buffer_);
    batch_.clear();
    file_->Append(buffer_);  // a failed write is cut back off
  } catch (const RecordFileError& e) {
    write_problem_ = e.what();
    batch_.clear();
    return;  // the events stay in tail_; the next flush writes them again
  }
  written_ += buffer_.size();
  tail_.clear();
}

// The next batch in the file, into head_; "" or what went wrong.
std::string EventSpool::ReadBatch() {
  try {
    RecordScanner scanner(
        kFormat, [this](std::uint64_t offset, std::size_t n) { return file_->Read(offset, n); },
        read_, written_);
    if (!scanner.Next()) {
      return "the history spool " + path_ + " is corrupt: " + scanner.damage() + " at byte " +
             std::to_string(read_);
    }
    auto decoded = wire::DecodeEventBatch(scanner.payload());
    if (!decoded.ok()) {
      return "the history spool " + path_ + " is corrupt: " + decoded.error.reason;
    }
    head_ = std::move(decoded.value->records);
    read_ = scanner.offset();
    return "";
  } catch (const RecordFileError& e) {
    return "cannot read the history spool: " + std::string(e.what());
  }
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
    problem = ReadBatch();
    if (!problem.empty()) return problem;  // the caller stops: see the header
  }
  if (read_ == written_ && head_at_ == head_.size() && tail_.empty()) Reset();
  return problem;
}

void EventSpool::Reset() {
  file_.reset();
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  written_ = read_ = 0;
  write_problem_.clear();
}

}  // namespace exchange
