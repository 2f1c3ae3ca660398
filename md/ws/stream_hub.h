// StreamHub: one serving thread's WebSocket subscribers, by stream, and the
// delivery of each FeedBatch to them: every subscriber of a stream gets the
// batch's frames of that stream queued, then each touched connection starts
// one write for all it got. A connection whose queue is over its limit is
// dropped (WsSession::Enqueue decides; the drop happens after delivery).
//
// Owned by one serving thread (HttpServer's worker); touched only on that
// thread's io_context: Deliver is posted there by the feed.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "md/feed/feed_batch.h"
#include "md/ws/stream_registry.h"
#include "md/ws/ws_stats.h"

namespace exchange::md {

class WsSession;

class StreamHub {
 public:
  StreamHub(StreamRegistry& registry, WsStats& stats) : registry_(registry), stats_(stats) {}

  StreamRegistry& registry() { return registry_; }
  WsStats& stats() { return stats_; }

  // The session must call Unsubscribe for each of its streams before it
  // goes away (WsSession does, when it closes).
  void Subscribe(WsSession* session, const std::string& stream);
  void Unsubscribe(WsSession* session, const std::string& stream);

  void Deliver(const std::shared_ptr<const FeedBatch>& batch);

 private:
  StreamRegistry& registry_;
  WsStats& stats_;
  std::unordered_map<std::string, std::vector<WsSession*>> subscribers_;
  std::vector<WsSession*> touched_;  // scratch, per delivery
};

}  // namespace exchange::md
