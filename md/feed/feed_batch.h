// FeedBatch: what the market feed publishes after each read of the Redis
// streams: per stream, its new messages already framed for WebSocket, once
// bare (a /ws connection) and once wrapped as {"stream","data"} (a /stream
// connection). Immutable once published and shared (shared_ptr) by every
// serving thread and every subscriber's write queue, so a message is
// rendered and framed once however many clients follow it.
//
// Built by the feed thread; read-only afterwards, any thread.
#pragma once

#include <string>
#include <vector>

#include "engine/types.h"

namespace exchange::md {

struct StreamFrames {
  std::string stream;    // canonical name, e.g. "aapl@trade"
  std::string raw;       // the messages' frames, back to back
  std::string combined;  // the same messages wrapped
  std::size_t messages = 0;
};

struct FeedBatch {
  std::vector<StreamFrames> streams;
};

}  // namespace exchange::md
