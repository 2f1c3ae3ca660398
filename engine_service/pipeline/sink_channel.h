// SinkChannel: the committer's lock-free queue to one sink thread, with the
// doorbell that wakes the sink and the sink's counters. Slots arrive durable
// and in engine-sequence order; the sink calls SlotPool::Drop() on each when
// it is done with it.
//
// The committer thread pushes, the sink thread pops.
#pragma once

#include <string>

#include "engine_service/pipeline/doorbell.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/service_stats.h"

namespace exchange {

struct SinkChannel {
  SinkChannel(std::string sink_name, std::size_t capacity, SinkStats& sink_stats)
      : name(std::move(sink_name)), queue(capacity), stats(sink_stats) {}

  std::string name;
  SlotQueue queue;
  Doorbell bell;
  SinkStats& stats;
};

}  // namespace exchange
