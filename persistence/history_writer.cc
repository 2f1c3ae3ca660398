#include "persistence/history_writer.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <charconv>

#include "persistence/copy_text.h"
#include "persistence/migration.h"

namespace exchange::persistence {

namespace {

constexpr std::int64_t kNanosPerDay = 86'400'000'000'000;

const std::string kCopyTrades =
    "COPY trades (trade_id, symbol, time, price, quantity, aggressor_side, taker_account, "
    "taker_order_id, maker_account, maker_order_id, taker_exchange_order_id, "
    "maker_exchange_order_id, buyer_fee, seller_fee) FROM STDIN (FORMAT binary)";
const std::string kCopyOrders =
    "COPY orders (symbol, last_sequence, account, order_id, exchange_order_id, side, order_type, "
    "price, stop_price, quantity, filled, status, reason, finished_at, accepted_at, quote_filled) "
    "FROM STDIN (FORMAT binary)";

const std::string kCopyLedger =
    "COPY ledger (shard, sequence, time, account, asset, available_delta, held_delta, available, "
    "held, reason, symbol, order_id, exchange_order_id, trade_id) FROM STDIN (FORMAT binary)";

// Data exceptions (22) and integrity violations (23): the rows' fault.
bool RowsAreAtFault(const PgError& e) {
  return !e.connection_lost() && (e.sqlstate().starts_with("22") || e.sqlstate().starts_with("23"));
}

char SideChar(Side side) {
  return side == Side::kBuy ? 'B' : 'S';
}

std::int64_t ToInt(std::string_view text) {
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// PostgreSQL numeric text of an integer ("-123" or "123"), exactly.
__int128 ToInt128(std::string_view text) {
  __int128 v = 0;
  const bool negative = !text.empty() && text[0] == '-';
  for (char c : text.substr(negative ? 1 : 0)) {
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

// The candles of one batch, one per (symbol, interval, open_time): a batch
// gathered from several hand-overs may hold the same bucket twice, and one
// INSERT ... ON CONFLICT may not touch a row twice.
std::vector<candles::Candle> MergedByBucket(std::vector<candles::Candle> candles) {
  auto key = [](const candles::Candle& c) {
    return std::tuple(c.symbol.view(), c.interval, c.open_time);
  };
  std::stable_sort(candles.begin(), candles.end(),
                   [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::vector<candles::Candle> merged;
  for (const auto& c : candles) {
    if (!merged.empty() && key(merged.back()) == key(c)) {
      candles::Merge(merged.back(), c);
    } else {
      merged.push_back(c);
    }
  }
  return merged;
}

// The columns of a trade, in kCopyTrades's order, to a CopyBinary (the
// COPY) or a CopyTextRow (a refused row, as the sink logs it).
template <class Row>
void TradeFields(const TradeRow& t, Row& row) {
  row.BeginRow(14);
  row.Int(static_cast<std::int64_t>(t.trade_id));
  row.Text(t.symbol.view());
  row.Time(t.time);
  row.Int(t.price);
  row.Int(t.quantity);
  row.Char(SideChar(t.aggressor));
  row.Int(static_cast<std::int64_t>(t.taker_account));
  row.Int(static_cast<std::int64_t>(t.taker_order_id));
  row.Int(static_cast<std::int64_t>(t.maker_account));
  row.Int(static_cast<std::int64_t>(t.maker_order_id));
  row.Int(static_cast<std::int64_t>(t.taker_exchange_order_id));
  row.Int(static_cast<std::int64_t>(t.maker_exchange_order_id));
  row.Int(t.buyer_fee);
  row.Int(t.seller_fee);
  row.EndRow();
}

// The columns of a finished order, in kCopyOrders's order. accepted_at is
// NULL when unknown (0: a seeded or rejected order).
template <class Row>
void OrderFields(const FinishedOrder& o, Row& row) {
  row.BeginRow(16);
  row.Text(o.symbol.view());
  row.Int(static_cast<std::int64_t>(o.last_sequence));
  row.Int(static_cast<std::int64_t>(o.account));
  row.Int(static_cast<std::int64_t>(o.order_id));
  row.Int(static_cast<std::int64_t>(o.exchange_order_id));
  row.Char(SideChar(o.side));
  row.Text(ToString(o.order_type));
  row.Int(o.price);
  row.Int(o.stop_price);
  row.Int(o.quantity);
  row.Int(o.filled);
  row.Text(ToString(o.status));
  row.Text(o.reason);
  row.Time(o.finished_at);
  if (o.accepted_at == 0) {
    row.Null();
  } else {
    row.Time(o.accepted_at);
  }
  row.Numeric(o.quote_filled);
  row.EndRow();
}

// The columns of a balance change, in kCopyLedger's order.
template <class Row>
void LedgerFields(const std::string& shard, const LedgerRow& l, Row& row) {
  row.BeginRow(14);
  row.Text(shard);
  row.Int(static_cast<std::int64_t>(l.sequence));
  row.Time(l.time);
  row.Int(static_cast<std::int64_t>(l.account));
  row.Text(l.asset.view());
  row.Int(l.available_delta);
  row.Int(l.held_delta);
  row.Int(l.available);
  row.Int(l.held);
  row.Text(ToString(l.reason));
  row.Text(l.symbol.view());
  row.Int(static_cast<std::int64_t>(l.order_id));
  row.Int(static_cast<std::int64_t>(l.exchange_order_id));
  row.Int(static_cast<std::int64_t>(l.trade_id));
  row.EndRow();
}

// One row as COPY text (tab-separated), for the refused-rows file.
class CopyTextRow {
 public:
  void BeginRow(int) {}
  void Int(std::int64_t v) { Field().Int(v); }
  void Text(std::string_view s) { Field().Text(s); }
  void Char(char c) { Field().Char(c); }
  void Time(Timestamp t) { Field().Time(t); }
  void Numeric(__int128 v) { Field().Raw(candles::QuoteVolumeString(v)); }
  void Null() { Field().Raw("\\N"); }
  void EndRow() {}
  const std::string& text() const { return text_.data(); }

 private:
  CopyText& Field() {
    if (text_.size() != 0) text_.Tab();
    return text_;
  }
  CopyText text_;
};

template <class Row, class Fields>
std::string RowText(const Row& row, Fields fields) {
  CopyTextRow text;
  fields(row, text);
  return text.text();
}

}  // namespace

HistoryWriter::HistoryWriter(Options options, Timestamp now) : options_(std::move(options)) {
  {
    pqxx::connection migrations(options_.url);
    ApplyMigrations(migrations, kEmbeddedMigrations, options_.schema);
  }
  connection_ = std::make_unique<PgConnection>(options_.url);
  connection_->Exec("SET search_path TO " + QuoteIdentifier(options_.schema));
  // Names the connection in pg_stat_activity (and lets tests find it).
  std::string application = "exchange-history ";
  application += options_.shard;
  connection_->Exec("SET application_name TO " + QuoteLiteral(application));
  CreatePartitions(now, options_.partition_days_ahead);
}

Sequence HistoryWriter::Progress() {
  const PgResult r = connection_->Exec("SELECT last_sequence FROM sink_progress WHERE shard = $1",
                                       {options_.shard});
  return r.rows() == 0 ? 0 : static_cast<Sequence>(ToInt(r.value(0, 0)));
}

void HistoryWriter::CreatePartitions(Timestamp now, int days) {
  const std::int64_t first = DayOf(now);
  for (std::int64_t day = first; day < first + std::max(days, 1); ++day)
    EnsurePartition(day);
}

// Outside the batch's transaction: creating a partition locks the parent
// table, and two shards' writers may race to create the same day.
void HistoryWriter::EnsurePartition(std::int64_t day) {
  if (partition_days_.contains(day)) return;
  const std::string from = TimeText(day * kNanosPerDay);
  const std::string to = TimeText((day + 1) * kNanosPerDay);
  std::string name = "trades_" + from.substr(0, 4) + from.substr(5, 2) + from.substr(8, 2);
  try {
    connection_->Exec("CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(name) +
                      " PARTITION OF trades FOR VALUES FROM (" + QuoteLiteral(from) + ") TO (" +
                      QuoteLiteral(to) + ")");
  } catch (const PgError& e) {
    // Another writer created it between our check and our CREATE.
    if (e.sqlstate() != "42P07" && e.sqlstate() != "23505") throw;
  }
  partition_days_.insert(day);
}

std::vector<HistoryWriter::RefusedRow> HistoryWriter::Write(const HistoryBatch& batch) {
  std::vector<RefusedRow> refused = Begin(batch);
  Commit(batch);
  return refused;
}

std::vector<HistoryWriter::RefusedRow> HistoryWriter::Begin(const HistoryBatch& batch) {
  for (const TradeRow& t : batch.trades)
    EnsurePartition(DayOf(t.time));
  std::vector<RefusedRow> refused;
  connection_->Exec("BEGIN");
  RollingBackOnError([&] {
    if (!batch.trades.empty()) {
      Encode(batch.trades, TradeFields<CopyBinary>);
      CopyIsolating(
          "trades", kCopyTrades, 0, ends_.size(),
          [&](std::size_t i) { return RowText(batch.trades[i], TradeFields<CopyTextRow>); },
          &refused);
    }
    if (!batch.ledger.empty()) {
      const auto binary = [&](const LedgerRow& l, CopyBinary& row) {
        LedgerFields(options_.shard, l, row);
      };
      Encode(batch.ledger, binary);
      CopyIsolating(
          "ledger", kCopyLedger, 0, ends_.size(),
          [&](std::size_t i) {
            const auto text = [&](const LedgerRow& l, CopyTextRow& row) {
              LedgerFields(options_.shard, l, row);
            };
            return RowText(batch.ledger[i], text);
          },
          &refused);
    }
    if (!batch.orders.empty()) {
      Encode(batch.orders, OrderFields<CopyBinary>);
      CopyIsolating(
          "orders", kCopyOrders, 0, ends_.size(),
          [&](std::size_t i) { return RowText(batch.orders[i], OrderFields<CopyTextRow>); },
          &refused);
    }
  });
  return refused;
}

void HistoryWriter::Commit(const HistoryBatch& batch) {
  RollingBackOnError([&] {
    if (!batch.candles.empty()) UpsertCandles(batch.candles);
    SaveProgress(batch.up_to);
    // Delivered to the listeners when, and only if, the batch commits; the
    // payload is the schema (search_path's), so readers of another ignore it.
    connection_->Exec(std::string("SELECT pg_notify('") + kHistoryChannel +
                      "', current_schema()); COMMIT");
  });
}

void HistoryWriter::Rollback() {
  if (!connection_->ok()) return;
  try {
    connection_->Exec("ROLLBACK");
  } catch (const PgError&) {
    // whatever made the caller give up says more
  }
}

void HistoryWriter::RollingBackOnError(const std::function<void()>& work) {
  try {
    work();
  } catch (const PgError&) {
    Rollback();
    throw;
  }
}

void HistoryWriter::CopyIsolating(const std::string& table, const std::string& copy_sql,
                                  std::size_t first, std::size_t last, const RowTextOf& row_text,
                                  std::vector<RefusedRow>* refused) {
  if (first == last) return;
  const std::size_t begin = first == 0 ? 0 : ends_[first - 1];
  const std::string_view rows =
      std::string_view(rows_.data()).substr(begin, ends_[last - 1] - begin);
  connection_->Exec("SAVEPOINT copy_rows");
  try {
    connection_->CopyIn(copy_sql, {CopyBinary::Header(), rows, CopyBinary::Trailer()});
    connection_->Exec("RELEASE SAVEPOINT copy_rows");
    return;
  } catch (const PgError& e) {
    if (!RowsAreAtFault(e)) throw;
    connection_->Exec("ROLLBACK TO SAVEPOINT copy_rows; RELEASE SAVEPOINT copy_rows");
    if (last - first == 1) {
      refused->push_back(RefusedRow{table, row_text(first), e.what()});
      return;
    }
  }
  const std::size_t middle = first + (last - first) / 2;
  CopyIsolating(table, copy_sql, first, middle, row_text, refused);
  CopyIsolating(table, copy_sql, middle, last, row_text, refused);
}

void HistoryWriter::UpsertCandles(std::vector<candles::Candle> candles) {
  CopyText sql;
  sql.Raw(
      "INSERT INTO candles AS c (symbol, interval, open_time, close_time, open, high, low, close, "
      "volume, quote_volume, trade_count, first_trade_id, last_trade_id) VALUES ");
  bool first = true;
  for (const candles::Candle& k : MergedByBucket(std::move(candles))) {
    sql.Raw(first ? "(" : ",(");
    first = false;
    sql.Raw(QuoteLiteral(k.symbol.view()));
    sql.Raw(",'");
    sql.Raw(candles::IntervalName(k.interval));
    sql.Raw("','");
    sql.Time(k.open_time);
    sql.Raw("','");
    sql.Time(k.close_time);
    sql.Raw("'");
    for (std::int64_t v : {k.open, k.high, k.low, k.close, k.volume}) {
      sql.Raw(",");
      sql.Int(v);
    }
    sql.Raw(",");
    sql.Raw(candles::QuoteVolumeString(k.quote_volume));
    for (std::int64_t v :
         {static_cast<std::int64_t>(k.trade_count), static_cast<std::int64_t>(k.first_trade_id),
          static_cast<std::int64_t>(k.last_trade_id)}) {
      sql.Raw(",");
      sql.Int(v);
    }
    sql.Raw(")");
  }
  sql.Raw(
      " ON CONFLICT (symbol, interval, open_time) DO UPDATE SET"
      " open = CASE WHEN EXCLUDED.first_trade_id < c.first_trade_id"
      " THEN EXCLUDED.open ELSE c.open END,"
      " close = CASE WHEN EXCLUDED.last_trade_id > c.last_trade_id"
      " THEN EXCLUDED.close ELSE c.close END,"
      " high = GREATEST(c.high, EXCLUDED.high), low = LEAST(c.low, EXCLUDED.low),"
      " volume = c.volume + EXCLUDED.volume,"
      " quote_volume = c.quote_volume + EXCLUDED.quote_volume,"
      " trade_count = c.trade_count + EXCLUDED.trade_count,"
      " first_trade_id = LEAST(c.first_trade_id, EXCLUDED.first_trade_id),"
      " last_trade_id = GREATEST(c.last_trade_id, EXCLUDED.last_trade_id)");
  connection_->Exec(sql.data());
}

void HistoryWriter::SaveProgress(Sequence up_to) {
  connection_->Exec(
      "INSERT INTO sink_progress (shard, last_sequence) VALUES ($1, $2) ON CONFLICT (shard) DO "
      "UPDATE SET last_sequence = GREATEST(sink_progress.last_sequence, EXCLUDED.last_sequence)",
      {options_.shard, std::to_string(up_to)});
}

void HistoryWriter::SaveAssets(const std::vector<AssetSpec>& assets) {
  for (const AssetSpec& a : assets) {
    connection_->Exec(
        "INSERT INTO assets (asset, decimals) VALUES ($1, $2) ON CONFLICT (asset) DO UPDATE SET "
        "decimals = EXCLUDED.decimals",
        {a.name.str(), std::to_string(a.decimals)});
  }
}

void HistoryWriter::SaveInstruments(const std::vector<InstrumentRow>& instruments) {
  for (const InstrumentRow& i : instruments) {
    connection_->Exec(
        "INSERT INTO instruments (symbol, price_decimals, quantity_decimals, tick_size, lot_size, "
        "min_quantity, max_quantity, base_asset, quote_asset, default_stp) VALUES ($1, $2, $3, $4, "
        "$5, $6, $7, NULLIF($8, ''), NULLIF($9, ''), $10) ON CONFLICT (symbol) DO UPDATE SET "
        "price_decimals = EXCLUDED.price_decimals, quantity_decimals = "
        "EXCLUDED.quantity_decimals, tick_size = EXCLUDED.tick_size, lot_size = "
        "EXCLUDED.lot_size, min_quantity = EXCLUDED.min_quantity, max_quantity = "
        "EXCLUDED.max_quantity, base_asset = EXCLUDED.base_asset, quote_asset = "
        "EXCLUDED.quote_asset, default_stp = EXCLUDED.default_stp",
        {i.symbol, std::to_string(i.price_decimals), std::to_string(i.quantity_decimals),
         std::to_string(i.tick_size), std::to_string(i.lot_size), std::to_string(i.min_quantity),
         std::to_string(i.max_quantity), i.base_asset, i.quote_asset,
         std::string(ToString(i.default_stp))});
  }
}

std::vector<candles::Candle> HistoryWriter::NewestCandles() {
  const PgResult r = connection_->Exec(
      "SELECT DISTINCT ON (symbol, interval) symbol, interval,"
      " (extract(epoch FROM open_time) * 1000000)::bigint,"
      " (extract(epoch FROM close_time) * 1000000)::bigint,"
      " open, high, low, close, volume, quote_volume, trade_count, first_trade_id, last_trade_id"
      " FROM candles ORDER BY symbol, interval, open_time DESC");
  std::vector<candles::Candle> out;
  for (int i = 0; i < r.rows(); ++i) {
    const auto interval = candles::ParseInterval(r.value(i, 1));
    if (!interval) continue;  // an interval this build does not keep
    candles::Candle c;
    c.symbol = SymbolName(r.value(i, 0));
    c.interval = *interval;
    c.open_time = ToInt(r.value(i, 2)) * 1000;
    c.close_time = ToInt(r.value(i, 3)) * 1000;
    c.open = ToInt(r.value(i, 4));
    c.high = ToInt(r.value(i, 5));
    c.low = ToInt(r.value(i, 6));
    c.close = ToInt(r.value(i, 7));
    c.volume = ToInt(r.value(i, 8));
    c.quote_volume = ToInt128(r.value(i, 9));
    c.trade_count = static_cast<std::uint64_t>(ToInt(r.value(i, 10)));
    c.first_trade_id = static_cast<Sequence>(ToInt(r.value(i, 11)));
    c.last_trade_id = static_cast<Sequence>(ToInt(r.value(i, 12)));
    out.push_back(c);
  }
  return out;
}

}  // namespace exchange::persistence
