#include "engine/event.h"

namespace exchange {

std::string_view ToString(EventType t) {
  switch (t) {
    case EventType::kAccepted: return "ACCEPTED";
    case EventType::kRejected: return "REJECTED";
    case EventType::kTrade: return "TRADE";
    case EventType::kCanceled: return "CANCELED";
    case EventType::kReplaced: return "REPLACED";
    case EventType::kTriggered: return "TRIGGERED";
    case EventType::kHalted: return "HALTED";
    case EventType::kResumed: return "RESUMED";
    case EventType::kInstrumentAdded: return "INSTRUMENT_ADDED";
    case EventType::kBalance: return "BALANCE";
    case EventType::kAssetAdded: return "ASSET_ADDED";
    case EventType::kFeesSet: return "FEES_SET";
  }
  return "?";
}

}  // namespace exchange
