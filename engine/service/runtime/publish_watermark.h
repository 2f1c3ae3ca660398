// PublishWatermark: the file `<data_dir>/published-up-to` holding the highest
// engine sequence the event publisher knows RabbitMQ has confirmed (every
// event at or below it reached the broker). Recovery republishes the replayed
// events above it. Written to a temporary name and renamed, without fsync: a
// value lost with the machine only means more events republished, which
// consumers drop by sequence number; it can never be ahead of the truth.
//
// Plain functions; the publisher thread writes, the main thread reads at start.
#pragma once

#include <cstdint>
#include <string>

namespace exchange {

std::string PublishWatermarkPath(const std::string& data_dir);
// The same kind of file for the history sink: `<data_dir>/history-up-to`,
// the engine sequence PostgreSQL is known to hold everything up to.
std::string HistoryWatermarkPath(const std::string& data_dir);

// 0 when the file is missing; *problem says what was wrong with a damaged one
// (then 0 is returned too).
std::uint64_t ReadPublishWatermark(const std::string& path, std::string* problem);

// Returns "" or what failed.
std::string WritePublishWatermark(const std::string& path, std::uint64_t sequence);

}  // namespace exchange
