#include "bookstate/book_state_writer.h"

#include "bookstate/trade_stream.h"
#include "bookstate/view_keys.h"

namespace exchange::bookstate {

namespace {

// Arguments per ZADD, ZREM, HSET or HDEL (longer ones are split).
constexpr std::size_t kPairsPerCommand = 256;

template <typename Levels>
void AppendLevelList(std::string& out, const Levels& levels) {
  bool first = true;
  for (const auto& [price, value] : levels) {
    if (!first) out += ',';
    first = false;
    AppendLevelMember(out, price, value);
  }
}

}  // namespace

void BookStateWriter::Begin() {
  arena_.clear();
  ends_.clear();
}

void BookStateWriter::Arg(std::string_view s) {
  arena_.append(s);
  ends_.push_back(arena_.size());
}

template <typename Int>
void BookStateWriter::IntArg(Int v) {
  AppendInt(arena_, v);
  ends_.push_back(arena_.size());
}

// The views are made once the arena stops growing.
void BookStateWriter::Send(redis::RedisClient& client) {
  argv_.clear();
  std::size_t begin = 0;
  for (std::size_t end : ends_) {
    argv_.emplace_back(arena_.data() + begin, end - begin);
    begin = end;
  }
  client.Append(argv_);
  ++queued_;
}

// One ZREM of the members the changed levels had, then one ZADD of what
// they have now (each split when long): a batch costs Redis a few commands
// per side however many levels it moved. The members to remove are known
// exactly because this writer wrote them (the view's `before` values); a
// level whose value came back to what it was is not written at all.
template <typename Levels>
void BookStateWriter::WriteLevels(redis::RedisClient& client, const std::string& key,
                                  const Levels& now, const Levels& before) {
  auto present = [](const LevelValue& v) { return v.quantity != 0 || v.orders != 0; };
  for (const bool add : {false, true}) {
    auto it = now.begin();
    while (it != now.end()) {
      Begin();
      Arg(add ? "ZADD" : "ZREM");
      Arg(key);
      std::size_t n = 0;
      for (; n < kPairsPerCommand && it != now.end(); ++it) {
        const auto was = before.find(it->first);
        const LevelValue old = was == before.end() ? LevelValue{} : was->second;
        if (old == it->second) continue;
        const LevelValue& value = add ? it->second : old;
        if (!present(value)) continue;
        if (add) IntArg(it->first);
        scratch_.clear();
        AppendLevelMember(scratch_, it->first, value);
        Arg(scratch_);
        ++n;
      }
      if (n > 0) Send(client);
    }
  }
}

template <typename Levels>
void BookStateWriter::WriteSide(redis::RedisClient& client, const std::string& key,
                                const Levels& levels) {
  auto it = levels.begin();
  while (it != levels.end()) {
    Begin();
    Arg("ZADD");
    Arg(key);
    for (std::size_t n = 0; n < kPairsPerCommand && it != levels.end(); ++n, ++it) {
      IntArg(it->first);
      scratch_.clear();
      AppendLevelMember(scratch_, it->first, it->second);
      Arg(scratch_);
    }
    Send(client);
  }
}

void BookStateWriter::WriteOrders(redis::RedisClient& client, const BookView& view,
                                  const std::map<OrderKey, std::optional<OpenOrder>>& changes) {
  const std::string key = KeyOf(view.symbol(), ViewKey::kOrders);
  // One HSET and one HDEL, each split when long.
  for (const bool set : {true, false}) {
    auto it = changes.begin();
    while (it != changes.end()) {
      Begin();
      Arg(set ? "HSET" : "HDEL");
      Arg(key);
      std::size_t n = 0;
      for (; n < kPairsPerCommand && it != changes.end(); ++it) {
        if (it->second.has_value() != set) continue;
        scratch_.clear();
        AppendOrderField(scratch_, it->first);
        Arg(scratch_);
        if (set) {
          scratch_.clear();
          AppendOrderValue(scratch_, *it->second);
          Arg(scratch_);
        }
        ++n;
      }
      if (n > 0) Send(client);
    }
  }
}

void BookStateWriter::WriteState(redis::RedisClient& client, const BookView& view) {
  Begin();
  Arg("HSET");
  Arg(KeyOf(view.symbol(), ViewKey::kState));
  Arg("seq");
  IntArg(view.sequence());
  auto best = [&](std::string_view px, std::string_view qty, const auto& levels) {
    Arg(px);
    if (levels.empty()) {
      Arg("");
    } else {
      IntArg(levels.begin()->first);
    }
    Arg(qty);
    if (levels.empty()) {
      Arg("");
    } else {
      IntArg(levels.begin()->second.quantity);
    }
  };
  best("bid_px", "bid_qty", view.bids());
  best("ask_px", "ask_qty", view.asks());
  Arg("halted");
  Arg(view.halted() ? "1" : "0");
  if (const auto& t = view.last_trade()) {
    Arg("last_px");
    IntArg(t->price);
    Arg("last_qty");
    IntArg(t->quantity);
    Arg("last_time");
    IntArg(t->time);
    Arg("last_seq");
    IntArg(t->sequence);
  }
  Send(client);
}

void BookStateWriter::WriteDelta(redis::RedisClient& client, const BookView& view,
                                 const BookView::Delta& delta, bool reset) {
  auto [it, added] = last_delta_.try_emplace(view.symbol(), 0);
  Begin();
  Arg("XADD");
  Arg(KeyOf(view.symbol(), ViewKey::kDepth));
  Arg("MAXLEN");
  Arg("~");
  IntArg(options_.stream_max_length);
  Arg("*");
  Arg("first");
  IntArg(delta.first);
  Arg("last");
  IntArg(delta.last);
  Arg("prev");
  IntArg(reset ? Sequence{0} : it->second);
  Arg("time");
  IntArg(delta.time);
  Arg("bids");
  scratch_.clear();
  AppendLevelList(scratch_, reset ? view.bids() : delta.bids);
  Arg(scratch_);
  Arg("asks");
  scratch_.clear();
  if (reset) {
    AppendLevelList(scratch_, view.asks());
  } else {
    AppendLevelList(scratch_, delta.asks);
  }
  Arg(scratch_);
  if (reset) {
    Arg("reset");
    Arg("1");
  }
  Send(client);
  it->second = delta.last;
}

void BookStateWriter::WriteTrades(redis::RedisClient& client, const BookView& view,
                                  std::span<const TradePrint> trades) {
  Begin();
  Arg("XADD");
  Arg(KeyOf(view.symbol(), ViewKey::kTrades));
  Arg("MAXLEN");
  Arg("~");
  IntArg(options_.stream_max_length);
  Arg("*");
  Arg("first");
  IntArg(trades.front().sequence);
  Arg("last");
  IntArg(trades.back().sequence);
  Arg("trades");
  scratch_.clear();
  AppendTradeList(scratch_, trades);
  Arg(scratch_);
  Send(client);
}

std::size_t BookStateWriter::SendChanges(redis::RedisClient& client, BookViews& views) {
  bool any = views.balances().changed();
  views.ForEach([&](const BookView& view) { any = any || view.changed(); });
  if (!any) return 0;
  queued_ = 0;
  client.Append({"MULTI"});
  views.ForEach([&](BookView& view) {
    if (!view.changed()) return;
    const BookView::Changes changes = view.TakeChanges();
    WriteLevels(client, KeyOf(view.symbol(), ViewKey::kBids), changes.depth.bids,
                changes.before.bids);
    WriteLevels(client, KeyOf(view.symbol(), ViewKey::kAsks), changes.depth.asks,
                changes.before.asks);
    WriteOrders(client, view, changes.orders);
    WriteState(client, view);
    if (!changes.depth.empty()) WriteDelta(client, view, changes.depth, /*reset=*/false);
    if (!changes.trades.empty()) WriteTrades(client, view, changes.trades);
  });
  WriteBalances(client, views.balances(), /*whole=*/false);
  return SendExec(client);
}

void BookStateWriter::WriteBalances(redis::RedisClient& client, BalanceView& balances, bool whole) {
  if (balances.TakeAssetsChanged() || whole) {
    if (!balances.asset_decimals().empty()) {
      Begin();
      Arg("HSET");
      Arg(kAssetsKey);
      for (const auto& [asset, decimals] : balances.asset_decimals()) {
        Arg(asset);
        IntArg(decimals);
      }
      Send(client);
    }
  }
  const std::set<AccountId> changed = balances.TakeChangedAccounts();
  const auto& all = balances.balances();
  AccountId current = 0;
  bool open = false;
  const auto flush = [&] {
    if (open) Send(client);
    open = false;
  };
  for (const auto& [key, balance] : all) {
    const AccountId account = key.first;
    if (!whole && !changed.contains(account)) continue;
    if (!open || account != current) {
      flush();
      current = account;
      Begin();
      Arg("HSET");
      Arg(BalanceKeyOf(account));
      open = true;
    }
    Arg(BalanceFieldOf(key.second, options_.shard));
    scratch_.clear();
    AppendBalanceValue(scratch_, balance);
    Arg(scratch_);
  }
  flush();
}

void BookStateWriter::WriteWhole(redis::RedisClient& client, BookView& view) {
  view.TakeChanges();  // covered by what follows
  const std::string bids = KeyOf(view.symbol(), ViewKey::kBids);
  const std::string asks = KeyOf(view.symbol(), ViewKey::kAsks);
  const std::string orders = KeyOf(view.symbol(), ViewKey::kOrders);
  client.Append({"DEL", bids, asks, orders});
  ++queued_;
  WriteSide(client, bids, view.bids());
  WriteSide(client, asks, view.asks());
  std::map<OrderKey, std::optional<OpenOrder>> all;
  for (const auto& [key, order] : view.orders())
    all.emplace(key, order);
  WriteOrders(client, view, all);
  WriteState(client, view);
  BookView::Delta delta;
  delta.first = delta.last = view.sequence();
  if (const auto& t = view.last_trade()) delta.time = t->time;
  WriteDelta(client, view, delta, /*reset=*/true);
  client.Append({"SADD", kSymbolsKey, view.symbol()});
  ++queued_;
}

std::size_t BookStateWriter::SendAll(redis::RedisClient& client, BookViews& views) {
  queued_ = 0;
  client.Append({"MULTI"});
  views.ForEach([&](BookView& view) { WriteWhole(client, view); });
  WriteBalances(client, views.balances(), /*whole=*/true);
  return SendExec(client);
}

std::string BookStateWriter::WriteChanges(redis::RedisClient& client, BookViews& views) {
  return SendChanges(client, views) == 0 ? "" : AwaitTransaction(client);
}

std::string BookStateWriter::WriteAll(redis::RedisClient& client, BookViews& views) {
  SendAll(client, views);
  return AwaitTransaction(client);
}

std::string BookStateWriter::DeleteView(redis::RedisClient& client, std::string_view symbol) {
  const auto reply =
      client.Command({"DEL", KeyOf(symbol, ViewKey::kBids), KeyOf(symbol, ViewKey::kAsks),
                      KeyOf(symbol, ViewKey::kState), KeyOf(symbol, ViewKey::kOrders),
                      KeyOf(symbol, ViewKey::kDepth), KeyOf(symbol, ViewKey::kTrades)});
  if (reply.is_error()) return std::string(reply.str());
  const auto removed = client.Command({"SREM", kSymbolsKey, symbol});
  return removed.is_error() ? std::string(removed.str()) : "";
}

std::size_t BookStateWriter::SendExec(redis::RedisClient& client) {
  client.Append({"EXEC"});
  client.Flush();
  commands_sent_ += queued_ + 2;
  return queued_ + 2;
}

std::string BookStateWriter::AwaitTransaction(redis::RedisClient& client) {
  replies_.clear();
  client.ReadReplies(replies_);
  return CheckTransaction(replies_);
}

std::string BookStateWriter::CheckTransaction(std::span<const redis::RedisReply> replies) {
  // MULTI, one QUEUED per command, then EXEC's array (nil or an error when
  // the transaction was refused).
  if (replies.empty()) return "redis sent no reply to the transaction";
  for (std::size_t i = 0; i + 1 < replies.size(); ++i) {
    if (replies[i].is_error()) {
      return "redis refused a queued command: " + std::string(replies[i].str());
    }
  }
  const redis::RedisReply& exec = replies.back();
  if (exec.is_error()) return "redis refused the transaction: " + std::string(exec.str());
  if (!exec.is_array()) return "redis did not run the transaction (EXEC gave no results)";
  for (std::size_t i = 0; i < exec.size(); ++i) {
    const auto result = exec.element(i);
    if (result.is_error()) {
      return "redis refused command " + std::to_string(i + 1) + " of " +
             std::to_string(exec.size()) + ": " + std::string(result.str());
    }
  }
  return "";
}

}  // namespace exchange::bookstate
