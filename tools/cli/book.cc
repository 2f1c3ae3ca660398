#include "tools/cli/book.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <vector>

#include "bookstate/view_keys.h"
#include "engine/types.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

constexpr int kCountWidth = 8;
constexpr int kNumberWidth = 12;
constexpr std::size_t kSymbolsNamed = 10;  // in the not-found message

std::string QuoteText(const std::optional<bookstate::Quote>& quote) {
  if (!quote) return "none";
  return std::to_string(quote->quantity) + " @ " + std::to_string(quote->price);
}

nlohmann::ordered_json QuoteJson(const std::optional<bookstate::Quote>& quote) {
  if (!quote) return nullptr;
  return {{"price", quote->price}, {"quantity", quote->quantity}};
}

nlohmann::ordered_json LevelsJson(const std::vector<bookstate::DecodedLevel>& levels) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const bookstate::DecodedLevel& l : levels)
    out.push_back({l.price, l.value.quantity, l.value.orders});
  return out;
}

// "no book view for symbol S at ADDRESS (N symbols have one: A, B, ...)".
std::string NoViewMessage(redis::RedisClient& client, const std::string& symbol) {
  bookstate::BookStateReader reader(client);
  const std::vector<std::string> symbols = reader.Symbols();
  std::string message = "no book view for symbol " + symbol + " in Redis at " + client.address();
  if (symbols.empty()) return message + " (no symbol has one: is the engine writing to it?)";
  message += " (" + std::to_string(symbols.size()) +
             (symbols.size() == 1 ? " symbol has one: " : " symbols have one: ");
  for (std::size_t i = 0; i < std::min(symbols.size(), kSymbolsNamed); ++i)
    message += (i ? ", " : "") + symbols[i];
  if (symbols.size() > kSymbolsNamed) message += ", ...";
  return message + ")";
}

bool HasView(redis::RedisClient& client, const std::string& symbol) {
  const redis::RedisReply reply =
      client.Command({"EXISTS", bookstate::KeyOf(symbol, bookstate::ViewKey::kState)});
  return reply.is_integer() && reply.integer() > 0;
}

std::string OrderName(const bookstate::OrderKey& key) {
  return std::to_string(key.account) + ":" + std::to_string(key.order_id);
}

}  // namespace

redis::RedisClient ConnectRedis(const std::string& url) {
  if (url.empty()) {
    throw CliError(kExitBadInput,
                   "no Redis URL: pass --redis-url or set EXCHANGE_REDIS_URL (eval \"$(scripts/"
                   "services.sh env)\")");
  }
  redis::RedisUrl parsed;
  try {
    parsed = redis::ParseRedisUrl(url);
  } catch (const redis::RedisError& e) {
    throw CliError(kExitBadInput, std::string("--redis-url: ") + e.what());
  }
  try {
    return redis::RedisClient(parsed);
  } catch (const redis::RedisError& e) {
    throw CliError(kExitFailure, e.what());
  }
}

std::string FormatTimestamp(Timestamp ns) {
  if (ns < 0) return std::to_string(ns) + " ns";
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char date[64];
  const std::size_t n = std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%.*s.%09" PRId64 "Z", static_cast<int>(n), date,
                static_cast<std::int64_t>(ns % 1'000'000'000));
  return out;
}

std::string FormatBookHeader(const bookstate::BookSnapshot& book) {
  std::string line = book.symbol + "  sequence " + std::to_string(book.sequence) + "  halted " +
                     (book.halted ? "yes" : "no") + "  best bid " + QuoteText(book.best_bid) +
                     "  best ask " + QuoteText(book.best_ask);
  if (const auto& t = book.last_trade) {
    line += "  last trade " + std::to_string(t->quantity) + " @ " + std::to_string(t->price) +
            " (sequence " + std::to_string(t->sequence) + ", " + FormatTimestamp(t->time) + ")";
  }
  return line;
}

void PrintBook(const bookstate::BookSnapshot& book, std::ostream& out) {
  out << FormatBookHeader(book) << "\n  " << std::setw(kCountWidth) << "orders"
      << std::setw(kNumberWidth) << "bid qty" << std::setw(kNumberWidth) << "bid px"
      << " | " << std::setw(kNumberWidth) << "ask px" << std::setw(kNumberWidth) << "ask qty"
      << std::setw(kCountWidth) << "orders"
      << "\n";
  auto cell = [](const std::vector<bookstate::DecodedLevel>& side, std::size_t i, char what) {
    if (i >= side.size()) return std::string();
    const bookstate::DecodedLevel& l = side[i];
    if (what == 'o') return std::to_string(l.value.orders);
    return std::to_string(what == 'q' ? l.value.quantity : l.price);
  };
  const auto& bids = book.bids;
  const auto& asks = book.asks;
  for (std::size_t i = 0; i < std::max(bids.size(), asks.size()); ++i) {
    out << "  " << std::setw(kCountWidth) << cell(bids, i, 'o') << std::setw(kNumberWidth)
        << cell(bids, i, 'q') << std::setw(kNumberWidth) << cell(bids, i, 'p') << " | "
        << std::setw(kNumberWidth) << cell(asks, i, 'p') << std::setw(kNumberWidth)
        << cell(asks, i, 'q') << std::setw(kCountWidth) << cell(asks, i, 'o') << "\n";
  }
  if (bids.empty() && asks.empty()) out << "  (empty)\n";
}

nlohmann::ordered_json BookJson(const bookstate::BookSnapshot& book) {
  nlohmann::ordered_json j;
  j["symbol"] = book.symbol;
  j["sequence"] = book.sequence;
  j["halted"] = book.halted;
  j["bids"] = LevelsJson(book.bids);
  j["asks"] = LevelsJson(book.asks);
  j["best_bid"] = QuoteJson(book.best_bid);
  j["best_ask"] = QuoteJson(book.best_ask);
  if (const auto& t = book.last_trade) {
    j["last_trade"] = {{"price", t->price},
                       {"quantity", t->quantity},
                       {"time", t->time},
                       {"sequence", t->sequence}};
  } else {
    j["last_trade"] = nullptr;
  }
  return j;
}

std::string FormatOrder(std::string_view symbol, const bookstate::OpenOrder& o) {
  std::ostringstream s;
  s << symbol << ' ' << o.account << ':' << o.order_id
    << " status=" << bookstate::ToString(o.status) << " side=" << ToString(o.side)
    << " type=" << ToString(o.type) << " price=" << o.price << " stop_price=" << o.stop_price
    << " quantity=" << o.quantity << " leaves=" << o.leaves << " filled=" << o.filled
    << " exchange_id=" << o.exchange_id << " sequence=" << o.sequence;
  return s.str();
}

nlohmann::ordered_json OrderJson(std::string_view symbol, const bookstate::OpenOrder& o) {
  nlohmann::ordered_json j;
  j["symbol"] = std::string(symbol);
  j["account"] = o.account;
  j["order_id"] = o.order_id;
  j["status"] = std::string(bookstate::ToString(o.status));
  j["side"] = std::string(ToString(o.side));
  j["type"] = std::string(ToString(o.type));
  j["price"] = o.price;
  j["stop_price"] = o.stop_price;
  j["quantity"] = o.quantity;
  j["leaves"] = o.leaves;
  j["filled"] = o.filled;
  j["exchange_id"] = o.exchange_id;
  j["sequence"] = o.sequence;
  return j;
}

int RunBook(redis::RedisClient& client, const BookOptions& options, std::ostream& out,
            std::ostream& err) {
  if (options.symbol.empty()) throw CliError(kExitBadInput, "the SYMBOL is empty");
  bookstate::BookSnapshot book;
  try {
    bookstate::BookStateReader reader(client);
    try {
      book = reader.ReadBook(options.symbol, options.levels);
    } catch (const bookstate::ViewError& e) {
      if (!HasView(client, options.symbol)) {
        throw CliError(kExitNotFound, NoViewMessage(client, options.symbol));
      }
      throw CliError(kExitFailure, "the book view of " + options.symbol + " in Redis at " +
                                       client.address() + " is malformed: " + e.what());
    }
  } catch (const redis::RedisError& e) {
    throw CliError(kExitFailure, e.what());
  } catch (const bookstate::ViewError& e) {  // from NoViewMessage
    throw CliError(kExitFailure, e.what());
  }
  if (options.json) {
    out << BookJson(book).dump() << std::endl;
  } else {
    PrintBook(book, out);
    out.flush();
  }
  const std::string problem = bookstate::ValidateBook(book);
  if (problem.empty()) return 0;
  err << "incoherent view: " << problem << "\n";
  return kExitFailure;
}

int RunOrder(redis::RedisClient& client, const OrderOptions& options, std::ostream& out,
             std::ostream& err) {
  const bookstate::OrderKey key{options.account, options.order_id};
  std::optional<std::pair<std::string, bookstate::OpenOrder>> found;
  bool symbol_has_view = true;
  try {
    bookstate::BookStateReader reader(client);
    if (options.symbol.empty()) {
      found = reader.FindOrder(key);
    } else if (auto order = reader.ReadOrder(options.symbol, key)) {
      found.emplace(options.symbol, *order);
    } else {
      symbol_has_view = HasView(client, options.symbol);
    }
  } catch (const redis::RedisError& e) {
    throw CliError(kExitFailure, e.what());
  } catch (const bookstate::ViewError& e) {
    throw CliError(kExitFailure, std::string(e.what()) + " (Redis at " + client.address() + ")");
  }
  if (!found) {
    err << "order " << OrderName(key) << " is not open (filled, cancelled or unknown)\n";
    if (!symbol_has_view) {
      err << "no book view for symbol " << options.symbol << " in Redis at " << client.address()
          << "\n";
    }
    return kExitNotFound;
  }
  if (options.json) {
    out << OrderJson(found->first, found->second).dump() << std::endl;
  } else {
    out << FormatOrder(found->first, found->second) << std::endl;
  }
  return 0;
}

}  // namespace exchange::cli
