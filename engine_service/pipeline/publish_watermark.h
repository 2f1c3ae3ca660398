// Watermark files: an engine sequence a sink has made safe, kept in the data
// dir for recovery and journal retention. `<data_dir>/published-up-to` is the
// highest one the event publisher knows RabbitMQ has confirmed (every event at
// or below it reached the broker; recovery republishes the replayed events
// above it); `<data_dir>/history-up-to` the one PostgreSQL holds everything up
// to (the history sink). Written to a temporary name and renamed, without fsync: a
// value lost with the machine only means more events republished, which
// consumers drop by sequence number; it can never be ahead of the truth.
//
// Plain functions; each file is written by its sink thread and read by the
// main thread at start.
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
std::uint64_t ReadWatermarkFile(const std::string& path, std::string* problem);

// Returns "" or what failed.
std::string WriteWatermarkFile(const std::string& path, std::uint64_t sequence);

}  // namespace exchange
