#include "md/ws/stream_hub.h"

#include <algorithm>

#include "md/ws/ws_session.h"

namespace exchange::md {

void StreamHub::Subscribe(WsSession* session, const std::string& stream) {
  auto& list = subscribers_[stream];
  if (std::find(list.begin(), list.end(), session) != list.end()) return;
  list.push_back(session);
  registry_.Add(stream);
}

void StreamHub::Unsubscribe(WsSession* session, const std::string& stream) {
  const auto it = subscribers_.find(stream);
  if (it == subscribers_.end()) return;
  auto& list = it->second;
  const auto at = std::find(list.begin(), list.end(), session);
  if (at == list.end()) return;
  *at = list.back();
  list.pop_back();
  registry_.Remove(stream);
  if (list.empty()) subscribers_.erase(it);
}

void StreamHub::Deliver(const std::shared_ptr<const FeedBatch>& batch) {
  touched_.clear();
  for (const StreamFrames& frames : batch->streams) {
    const auto it = subscribers_.find(frames.stream);
    if (it == subscribers_.end()) continue;
    for (WsSession* session : it->second) {
      if (session->Enqueue(batch, frames)) touched_.push_back(session);
    }
  }
  // A session is touched once per stream it follows; Flush is idempotent.
  for (WsSession* session : touched_)
    session->Flush();
}

}  // namespace exchange::md
