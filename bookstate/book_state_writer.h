// BookStateWriter: writes BookViews to Redis in the layout of view_keys.h.
// Each call sends every command of every changed symbol in one pipelined
// MULTI/EXEC, so a reader (who reads inside MULTI/EXEC too) never sees half
// a batch: depth, best bid and offer, open orders, the sequence and the
// stream delta change together.
//
// Levels are replaced by removing the members this writer wrote before (the
// view's `before` values) and adding the new ones, a few variadic commands
// per symbol: the writer must be the only one writing these keys, and
// WriteAll (after any failure) puts them right whatever they held.
//
// Trades go to each symbol's capped trade stream (trade_stream.h).
// Balances (cash risk) go to one hash per account, in the same transaction.
// Depth deltas go to each symbol's capped stream with the first and last
// engine sequence they cover and `prev`, the `last` of the symbol's previous
// delta. The sync rule for a client (README, "Book state in Redis"): read the
// snapshot (sequence S); drop deltas with last <= S; the first delta applied
// must have prev <= S, every later one prev == the last of the one before;
// anything else is a gap: take a new snapshot. A `reset` delta (written by
// WriteAll) carries the whole book and replaces it.
//
// Owned by the book-state sink thread (or a test/benchmark); one thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "bookstate/book_view.h"
#include "bookstate/redis_client.h"

namespace exchange::bookstate {

class BookStateWriter {
 public:
  struct Options {
    std::size_t stream_max_length = 100'000;  // per symbol, approximate (MAXLEN ~)
    std::string shard = "main";               // names this shard's balance fields
  };
  explicit BookStateWriter(Options options) : options_(options) {}

  // Writes what changed in each view since the last write. Returns "" or
  // what Redis refused (e.g. a key of the wrong type): the caller should
  // then WriteAll. Throws redis::RedisError when the connection fails.
  std::string WriteChanges(redis::RedisClient& client, BookViews& views);
  // Replaces each view's keys with its whole content (start-up, and after
  // Redis was down or refused a write). Same errors.
  std::string WriteAll(redis::RedisClient& client, BookViews& views);

  // The same in two halves, for a caller that keeps several transactions
  // in flight on one connection: Send* sends the transaction and returns
  // how many replies it will get (0: no view changed, nothing sent); the
  // caller reads exactly those, in order, and CheckTransaction() says ""
  // or what Redis refused. Send* throw redis::RedisError.
  std::size_t SendChanges(redis::RedisClient& client, BookViews& views);
  std::size_t SendAll(redis::RedisClient& client, BookViews& views);
  static std::string CheckTransaction(std::span<const redis::RedisReply> replies);

  std::uint64_t commands_sent() const { return commands_sent_; }

  // Removes a symbol's view: its keys and its entry in exchange:symbols
  // (a delisted symbol, or a test cleaning up). Same errors as above.
  static std::string DeleteView(redis::RedisClient& client, std::string_view symbol);

 private:
  // One command's arguments, built in an arena without allocating.
  void Begin();
  void Arg(std::string_view s);
  template <typename Int>
  void IntArg(Int v);
  void Send(redis::RedisClient& client);

  // Level changes of one side: their values now and at the last write
  // (quantity 0: no level).
  template <typename Levels>
  void WriteLevels(redis::RedisClient& client, const std::string& key, const Levels& now,
                   const Levels& before);
  // A whole side, after the key was deleted.
  template <typename Levels>
  void WriteSide(redis::RedisClient& client, const std::string& key, const Levels& levels);
  // The trades of one write, as one entry of book:{S}:trades.
  void WriteTrades(redis::RedisClient& client, const BookView& view,
                   std::span<const TradePrint> trades);
  void WriteOrders(redis::RedisClient& client, const BookView& view,
                   const std::map<OrderKey, std::optional<OpenOrder>>& changes);
  void WriteState(redis::RedisClient& client, const BookView& view);
  void WriteDelta(redis::RedisClient& client, const BookView& view, const BookView::Delta& delta,
                  bool reset);
  void WriteWhole(redis::RedisClient& client, BookView& view);
  // The balances of the accounts that changed (all of them: `whole`), as
  // this shard's fields of balance:{A} (the other shards' fields stay), and
  // the asset decimals when they changed or `whole`.
  void WriteBalances(redis::RedisClient& client, BalanceView& balances, bool whole);
  // MULTI was appended first: appends EXEC, sends; the reply count.
  std::size_t SendExec(redis::RedisClient& client);
  // Reads the replies of the one transaction pending and checks them.
  std::string AwaitTransaction(redis::RedisClient& client);

  Options options_;
  std::map<std::string, Sequence, std::less<>> last_delta_;  // symbol → last of its newest delta
  std::uint64_t commands_sent_ = 0;
  std::size_t queued_ = 0;  // commands between MULTI and EXEC
  std::string arena_;
  std::vector<std::size_t> ends_;
  std::vector<std::string_view> argv_;
  std::string scratch_;
  std::vector<redis::RedisReply> replies_;
};

}  // namespace exchange::bookstate
