// RedisSource: a serving thread's reads of the Redis view: a symbol's book
// (depth, best bid and offer, last trade and sequence, one MULTI/EXEC
// through bookstate::BookStateReader), its sequence alone, and the live candle of a symbol and
// interval (candle:{S}:I, written by the engine's history sink).
//
// Owns one Redis connection, made on first use and again after a failure
// (ReconnectGate's pace). Unreachable Redis: BackendUnavailable.
//
// Owned by one serving thread; one thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bookstate/book_state_reader.h"
#include "bookstate/redis_client.h"
#include "candles/candle.h"
#include "md/data/reconnect_gate.h"

namespace exchange::md {

class RedisSource {
 public:
  // Throws redis::RedisError when the URL is malformed.
  RedisSource(const std::string& url, std::chrono::milliseconds retry);

  // The top `levels` of each side (0: all); an empty book with sequence 0
  // when the symbol has no view yet.
  bookstate::BookSnapshot ReadBook(std::string_view symbol, std::size_t levels);
  // The view's sequence alone (one HGET of its state hash): what changes
  // with every write of the book; nullopt when the symbol has no view.
  std::optional<Sequence> BookSequence(std::string_view symbol);
  // The live candle; nullopt when there is none (no trade yet).
  std::optional<candles::Candle> LiveCandle(std::string_view symbol,
                                            candles::CandleInterval interval);

 private:
  redis::RedisClient& Client();
  // Runs `read` on the connection; a connection failure closes it and
  // becomes BackendUnavailable.
  template <typename Read>
  auto Reading(Read read) -> decltype(read(std::declval<redis::RedisClient&>()));

  redis::RedisUrl url_;
  ReconnectGate gate_;
  std::unique_ptr<redis::RedisClient> client_;
};

}  // namespace exchange::md
