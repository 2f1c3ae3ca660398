// WsStats: exchange-md's WebSocket counters, shared by every serving thread
// and read by /metrics: connections open, messages and bytes queued to
// clients, slow clients dropped, protocol errors, the feed's batches.
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
  std::atomic<std::uint64_t> ping_timeouts{0};    // closed for not answering a ping
  std::atomic<std::uint64_t> rate_limited{0};     // closed for sending too many messages
  std::atomic<std::uint64_t> lifetime_closed{0};  // closed at the end of their lifetime
  std::atomic<std::uint64_t> feed_batches{0};
  std::atomic<std::uint64_t> feed_resyncs{0};
  // Time the feed waited for the serving threads to deliver its previous
  // batch before publishing the next (HttpServer::Publish): 0 while they
  // keep up.
  std::atomic<std::uint64_t> feed_wait_us{0};
};

}  // namespace exchange::md
