// `exchange-cli book` and `exchange-cli order`: a symbol's book and one open
// order as the Redis book-state view has them (bookstate/, README "Book
// state in Redis"), as text or JSON.
//
// Plain functions: any thread, each call touching only its arguments (the
// RedisClient given belongs, like any, to the calling thread).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "bookstate/book_state_reader.h"
#include "bookstate/book_view.h"
#include "bookstate/redis_client.h"

namespace exchange::cli {

// Connects to the Redis of `url` (redis://[user[:password]@]host[:port][/db]).
// Throws CliError: kExitBadInput when `url` is empty (pass --redis-url or set
// EXCHANGE_REDIS_URL) or malformed, kExitFailure when Redis cannot be reached
// or refuses us.
redis::RedisClient ConnectRedis(const std::string& url);

// "2023-11-14T22:13:20.000000000Z" for nanoseconds since the epoch (a
// negative time as "-5 ns").
std::string FormatTimestamp(Timestamp ns);

// The header line: symbol, sequence, halted, best bid and ask (quantity @
// price, or "none"), the last trade if there was one.
std::string FormatBookHeader(const bookstate::BookSnapshot& book);

// The header line, then the depth table (orders, bid qty, bid px | ask px,
// ask qty, orders; best first), or "(empty)" under the column titles.
void PrintBook(const bookstate::BookSnapshot& book, std::ostream& out);

// {"symbol","sequence","halted","bids":[[price,quantity,orders],...],"asks",
// "best_bid":{"price","quantity"}|null,"best_ask","last_trade":{"price",
// "quantity","time","sequence"}|null}
nlohmann::ordered_json BookJson(const bookstate::BookSnapshot& book);

// "SYMBOL ACCOUNT:ORDER_ID status=... side=... type=... price=...
// stop_price=... quantity=... leaves=... filled=... exchange_id=...
// sequence=..."
std::string FormatOrder(std::string_view symbol, const bookstate::OpenOrder& order);

// {"symbol","account","order_id","status","side","type","price","stop_price",
// "quantity","leaves","filled","exchange_id","sequence"}
nlohmann::ordered_json OrderJson(std::string_view symbol, const bookstate::OpenOrder& order);

struct BookOptions {
  std::string symbol;
  std::size_t levels = 10;  // per side; 0: all
  bool json = false;
};

// Reads the symbol's book (one MULTI/EXEC), prints it (PrintBook, or
// BookJson on one line) and checks it (ValidateBook). Returns 0, or
// kExitFailure after printing the book when the view is incoherent
// ("incoherent view: why" on `err`). Throws CliError: kExitNotFound when
// the symbol has no view, kExitFailure when the view is malformed or Redis
// fails, kExitBadInput for an empty symbol.
int RunBook(redis::RedisClient& client, const BookOptions& options, std::ostream& out,
            std::ostream& err);

struct OrderOptions {
  AccountId account = 0;
  ClientOrderId order_id = 0;
  std::string symbol;  // empty: search every symbol with a view
  bool json = false;
};

// Prints the open order (FormatOrder, or OrderJson on one line) and returns
// 0; when it is not open, says "order ACCOUNT:ORDER_ID is not open (filled,
// cancelled or unknown)" on `err` (and, for a symbol given that has no view,
// that too) and returns kExitNotFound. Throws CliError(kExitFailure) when
// Redis fails or the entry is malformed.
int RunOrder(redis::RedisClient& client, const OrderOptions& options, std::ostream& out,
             std::ostream& err);

}  // namespace exchange::cli
