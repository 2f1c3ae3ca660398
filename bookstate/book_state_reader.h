// BookStateReader: reads the Redis book-state view (view_keys.h) for
// front ends and tools: depth, best bid and offer, last trade and the
// sequence in one MULTI/EXEC round trip, and open orders; and checks that
// what it read is coherent (ValidateBook).
//
// Owns nothing but a reference to a client; one thread per client.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bookstate/book_view.h"
#include "bookstate/redis_client.h"
#include "bookstate/view_keys.h"

namespace exchange::bookstate {

// The view is missing or malformed.
class ViewError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Quote {
  Price price = 0;
  Quantity quantity = 0;
};

struct BookSnapshot {
  std::string symbol;
  Sequence sequence = 0;
  std::vector<DecodedLevel> bids;           // best first
  std::vector<DecodedLevel> asks;           // best first
  std::optional<Quote> best_bid, best_ask;  // as the state hash has them
  std::optional<LastTrade> last_trade;
  bool halted = false;
  bool complete = false;  // every level was read (levels == 0)
};

// "" when the snapshot is coherent; else what is wrong: levels out of
// order or empty, a crossed book, or a best bid/offer that does not match
// the top of the depth read with it.
std::string ValidateBook(const BookSnapshot& book);

class BookStateReader {
 public:
  explicit BookStateReader(redis::RedisClient& client) : client_(client) {}

  // Top `levels` of each side (0: all). Throws ViewError when the symbol
  // has no view or a value is malformed; redis::RedisError on connection.
  BookSnapshot ReadBook(std::string_view symbol, std::size_t levels);
  // Every open order of a symbol.
  std::vector<OpenOrder> ReadOrders(std::string_view symbol);
  // One open order; nullopt when it is not open (finished, or unknown).
  std::optional<OpenOrder> ReadOrder(std::string_view symbol, const OrderKey& key);
  // The order in whichever symbol holds it (one pipelined round trip over
  // the symbols): the symbol and the order, or nullopt.
  std::optional<std::pair<std::string, OpenOrder>> FindOrder(const OrderKey& key);
  // The symbols with a view.
  std::vector<std::string> Symbols();
  // An account's balances by asset and shard (empty: the account has
  // none), and the decimals of every asset. Throw ViewError for a malformed
  // field or value.
  std::map<BalanceField, AccountBalance> ReadBalances(AccountId account);
  std::map<std::string, int> ReadAssetDecimals();

 private:
  redis::RedisClient& client_;
};

}  // namespace exchange::bookstate
