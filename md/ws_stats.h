// WsStats: exchange-md's WebSocket counters, shared by every serving thread
// and read by /metrics: connections open, messages and bytes queued to
// clients, slow clients dropped, protocol errors.
//
// Atomics (relaxed); any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace exchange::md {

struct WsStats {
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> messages_sent{0};
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> slow_dropped{0};
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> feed_batches{0};
  std::atomic<std::uint64_t> feed_resyncs{0};
};

}  // namespace exchange::md
