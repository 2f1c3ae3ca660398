#include "bookstate/book_state_reader.h"

#include <map>

namespace exchange::bookstate {

namespace {

std::vector<DecodedLevel> ParseLevels(const redis::RedisReplyView& reply, std::string_view what) {
  std::vector<DecodedLevel> out;
  out.reserve(reply.size());
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const std::string_view member = reply.element(i).str();
    auto level = ParseLevelMember(member);
    if (!level)
      throw ViewError(std::string(what) + ": malformed level '" + std::string(member) + "'");
    out.push_back(*level);
  }
  return out;
}

std::optional<Quote> ParseQuote(const std::map<std::string, std::string, std::less<>>& state,
                                std::string_view px, std::string_view qty) {
  auto p = state.find(px);
  auto q = state.find(qty);
  if (p == state.end() || q == state.end() || p->second.empty()) return std::nullopt;
  const auto price = ParseInt<Price>(p->second);
  const auto quantity = ParseInt<Quantity>(q->second);
  if (!price || !quantity) throw ViewError("state: malformed " + std::string(px));
  return Quote{*price, *quantity};
}

std::optional<std::int64_t> Field(const std::map<std::string, std::string, std::less<>>& state,
                                  std::string_view name) {
  auto it = state.find(name);
  if (it == state.end()) return std::nullopt;
  const auto value = ParseInt<std::int64_t>(it->second);
  if (!value) throw ViewError("state: malformed " + std::string(name) + " '" + it->second + "'");
  return value;
}

void CheckTransaction(const std::vector<redis::RedisReply>& replies) {
  for (const auto& r : replies) {
    if (r.is_error()) throw ViewError("redis: " + std::string(r.str()));
  }
  const redis::RedisReply& exec = replies.back();
  if (!exec.is_array()) throw ViewError("redis: the read transaction did not run");
  for (std::size_t i = 0; i < exec.size(); ++i) {
    if (exec.element(i).is_error()) throw ViewError("redis: " + std::string(exec.element(i).str()));
  }
}

}  // namespace

std::string ValidateBook(const BookSnapshot& book) {
  auto ordered = [](const std::vector<DecodedLevel>& levels, bool descending) -> std::string {
    for (std::size_t i = 0; i < levels.size(); ++i) {
      if (levels[i].value.quantity <= 0 || levels[i].value.orders == 0) {
        return "level " + std::to_string(levels[i].price) + " is empty";
      }
      if (i > 0 && (descending ? levels[i].price >= levels[i - 1].price
                               : levels[i].price <= levels[i - 1].price)) {
        return "levels out of price order at " + std::to_string(levels[i].price);
      }
    }
    return "";
  };
  if (auto e = ordered(book.bids, true); !e.empty()) return "bids: " + e;
  if (auto e = ordered(book.asks, false); !e.empty()) return "asks: " + e;
  if (!book.bids.empty() && !book.asks.empty() && book.bids[0].price >= book.asks[0].price) {
    return "crossed: best bid " + std::to_string(book.bids[0].price) + " >= best ask " +
           std::to_string(book.asks[0].price);
  }
  auto matches = [](const std::optional<Quote>& quote, const std::vector<DecodedLevel>& levels) {
    if (levels.empty()) return !quote.has_value();
    return quote && quote->price == levels[0].price && quote->quantity == levels[0].value.quantity;
  };
  if (!matches(book.best_bid, book.bids)) return "best bid does not match the top of the bids";
  if (!matches(book.best_ask, book.asks)) return "best ask does not match the top of the asks";
  return "";
}

BookSnapshot BookStateReader::ReadBook(std::string_view symbol, std::size_t levels) {
  const std::string stop = levels == 0 ? "-1" : std::to_string(levels - 1);
  const std::string bids = KeyOf(symbol, ViewKey::kBids);
  const std::string asks = KeyOf(symbol, ViewKey::kAsks);
  const std::string state = KeyOf(symbol, ViewKey::kState);
  client_.Append({"MULTI"});
  client_.Append({"ZREVRANGE", bids, "0", stop});
  client_.Append({"ZRANGE", asks, "0", stop});
  client_.Append({"HGETALL", state});
  client_.Append({"EXEC"});
  std::vector<redis::RedisReply> replies;
  client_.ReadReplies(replies);
  CheckTransaction(replies);
  const redis::RedisReply& exec = replies.back();

  std::map<std::string, std::string, std::less<>> fields;
  const auto hash = exec.element(2);
  for (std::size_t i = 0; i + 1 < hash.size(); i += 2)
    fields.emplace(hash.element(i).str(), hash.element(i + 1).str());
  const auto sequence = Field(fields, "seq");
  if (!sequence) throw ViewError("no book view for symbol " + std::string(symbol));

  BookSnapshot book;
  book.symbol = std::string(symbol);
  book.sequence = static_cast<Sequence>(*sequence);
  book.bids = ParseLevels(exec.element(0), bids);
  book.asks = ParseLevels(exec.element(1), asks);
  book.best_bid = ParseQuote(fields, "bid_px", "bid_qty");
  book.best_ask = ParseQuote(fields, "ask_px", "ask_qty");
  book.halted = Field(fields, "halted").value_or(0) != 0;
  book.complete = levels == 0;
  if (const auto px = Field(fields, "last_px")) {
    LastTrade t;
    t.price = *px;
    t.quantity = Field(fields, "last_qty").value_or(0);
    t.time = Field(fields, "last_time").value_or(0);
    t.sequence = static_cast<Sequence>(Field(fields, "last_seq").value_or(0));
    book.last_trade = t;
  }
  return book;
}

std::vector<OpenOrder> BookStateReader::ReadOrders(std::string_view symbol) {
  const redis::RedisReply reply = client_.Command({"HGETALL", KeyOf(symbol, ViewKey::kOrders)});
  if (reply.is_error()) throw ViewError("redis: " + std::string(reply.str()));
  std::vector<OpenOrder> out;
  for (std::size_t i = 0; i + 1 < reply.size(); i += 2) {
    const std::string_view field = reply.element(i).str();
    const std::string_view value = reply.element(i + 1).str();
    const auto key = ParseOrderField(field);
    const auto order = key ? ParseOrderValue(*key, value) : std::nullopt;
    if (!order) {
      throw ViewError("orders of " + std::string(symbol) + ": malformed entry '" +
                      std::string(field) + "' = '" + std::string(value) + "'");
    }
    out.push_back(*order);
  }
  return out;
}

std::optional<OpenOrder> BookStateReader::ReadOrder(std::string_view symbol, const OrderKey& key) {
  std::string field;
  AppendOrderField(field, key);
  const redis::RedisReply reply = client_.Command({"HGET", KeyOf(symbol, ViewKey::kOrders), field});
  if (reply.is_error()) throw ViewError("redis: " + std::string(reply.str()));
  if (reply.is_nil()) return std::nullopt;
  auto order = ParseOrderValue(key, reply.str());
  if (!order) throw ViewError("order " + field + ": malformed '" + std::string(reply.str()) + "'");
  return order;
}

std::optional<std::pair<std::string, OpenOrder>> BookStateReader::FindOrder(const OrderKey& key) {
  const std::vector<std::string> symbols = Symbols();
  std::string field;
  AppendOrderField(field, key);
  for (const std::string& symbol : symbols)
    client_.Append({"HGET", KeyOf(symbol, ViewKey::kOrders), field});
  std::vector<redis::RedisReply> replies;
  client_.ReadReplies(replies);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].is_error()) throw ViewError("redis: " + std::string(replies[i].str()));
    if (replies[i].is_nil()) continue;
    auto order = ParseOrderValue(key, replies[i].str());
    if (!order)
      throw ViewError("order " + field + ": malformed '" + std::string(replies[i].str()) + "'");
    return std::make_pair(symbols[i], *order);
  }
  return std::nullopt;
}

std::vector<std::string> BookStateReader::Symbols() {
  const redis::RedisReply reply = client_.Command({"SMEMBERS", kSymbolsKey});
  if (reply.is_error()) throw ViewError("redis: " + std::string(reply.str()));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < reply.size(); ++i)
    out.emplace_back(reply.element(i).str());
  std::sort(out.begin(), out.end());
  return out;
}

std::map<BalanceField, AccountBalance> BookStateReader::ReadBalances(AccountId account) {
  const std::string key = BalanceKeyOf(account);
  const redis::RedisReply reply = client_.Command({"HGETALL", key});
  if (reply.is_error()) throw ViewError("redis: " + std::string(reply.str()));
  std::map<BalanceField, AccountBalance> out;
  for (std::size_t i = 0; i + 1 < reply.size(); i += 2) {
    const std::string_view name = reply.element(i).str();
    const std::string_view value = reply.element(i + 1).str();
    const auto field = ParseBalanceField(name);
    if (!field) throw ViewError(key + ": malformed field '" + std::string(name) + "'");
    const auto balance = ParseBalanceValue(value);
    if (!balance) throw ViewError(key + ": malformed balance '" + std::string(value) + "'");
    out.emplace(*field, *balance);
  }
  return out;
}

std::map<std::string, int> BookStateReader::ReadAssetDecimals() {
  const redis::RedisReply reply = client_.Command({"HGETALL", kAssetsKey});
  if (reply.is_error()) throw ViewError("redis: " + std::string(reply.str()));
  std::map<std::string, int> out;
  for (std::size_t i = 0; i + 1 < reply.size(); i += 2) {
    const auto decimals = ParseInt<int>(reply.element(i + 1).str());
    if (!decimals) throw ViewError(std::string(kAssetsKey) + ": malformed decimals");
    out.emplace(std::string(reply.element(i).str()), *decimals);
  }
  return out;
}

}  // namespace exchange::bookstate
