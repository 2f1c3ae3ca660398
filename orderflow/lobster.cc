// LOBSTER readers and replay. The mapping and its reasons are described in
// lobster.h; the replay drives a private Engine while it builds the command
// list, because partial cancels and synthetic liquidity depend on the book.
#include "orderflow/lobster.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <unordered_map>

#include "engine/engine.h"
#include "orderflow/csv_fields.h"

namespace exchange {

namespace {

// "file:line: what", or "file: what" for line 0.
std::string LocatedMessage(std::string_view file, std::size_t line, const std::string& what) {
  std::string out(file);
  if (line != 0) out.append(":").append(std::to_string(line));
  return out.append(": ").append(what);
}

}  // namespace

LobsterError::LobsterError(std::string_view file, std::size_t line, const std::string& what)
    : std::runtime_error(LocatedMessage(file, line, what)), file_(file), line_(line) {}

namespace {

// ---------------------------------------------------------------- parsing

constexpr std::size_t kMessageFields = 6;
constexpr std::size_t kLevelFields = 4;
constexpr int kMaxTimeDecimals = 9;  // LOBSTER gives nanoseconds at most

// "34200.004241176" (seconds after midnight) as nanoseconds, without floating
// point; nullopt when the text is not such a number.
std::optional<Timestamp> ParseLobsterTime(std::string_view s) {
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || fraction.size() > kMaxTimeDecimals) return std::nullopt;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!std::all_of(whole.begin(), whole.end(), digit)) return std::nullopt;
  if (!std::all_of(fraction.begin(), fraction.end(), digit)) return std::nullopt;
  const auto seconds = ParseInt(whole);
  if (!seconds || *seconds > INT64_MAX / 1'000'000'000 - 1) return std::nullopt;
  Timestamp nanos = 0;
  for (int i = 0; i < kMaxTimeDecimals; ++i) {
    const std::size_t n = static_cast<std::size_t>(i);
    nanos = nanos * 10 + (n < fraction.size() ? fraction[n] - '0' : 0);
  }
  return *seconds * 1'000'000'000 + nanos;
}

// The fields of one line, with errors that name file, line and field.
class LineFields {
 public:
  LineFields(std::string_view file, std::size_t line, std::string_view text)
      : file_(file), line_(line), fields_(SplitCsv(text)) {}

  std::size_t size() const { return fields_.size(); }
  std::string_view Text(std::size_t i) const { return fields_[i]; }

  std::int64_t Int(std::size_t i, std::string_view name) const {
    const auto v = ParseInt(fields_[i]);
    if (!v) Fail(std::string(name) + " '" + std::string(fields_[i]) + "' is not an integer");
    return *v;
  }

  [[noreturn]] void Fail(const std::string& what) const { throw LobsterError(file_, line_, what); }

 private:
  std::string_view file_;
  std::size_t line_;
  std::vector<std::string_view> fields_;
};

LobsterEventType CheckedType(const LineFields& f) {
  const std::int64_t type = f.Int(1, "type");
  if (type < 1 || type > 7) f.Fail("type " + std::to_string(type) + " is not 1..7");
  return static_cast<LobsterEventType>(type);
}

// Field rules that depend on the message type.
void CheckMessage(const LineFields& f, const LobsterMessage& m, std::int64_t direction) {
  if (m.type == LobsterEventType::kHalt) {
    if (m.price != kLobsterHaltPrice && m.price != kLobsterQuotePrice &&
        m.price != kLobsterResumePrice) {
      f.Fail("halt price " + std::to_string(m.price) + " is not -1, 0 or 1");
    }
    return;  // the other fields of a halt carry nothing
  }
  if (direction != 1 && direction != -1) {
    f.Fail("direction " + std::to_string(direction) + " is not 1 or -1");
  }
  if (m.size <= 0) f.Fail("size " + std::to_string(m.size) + " is not positive");
  if (m.price <= 0) f.Fail("price " + std::to_string(m.price) + " is not positive");
}

LobsterMessage ParseMessage(std::string_view file, std::size_t line, std::string_view text) {
  const LineFields f(file, line, text);
  if (f.size() != kMessageFields) {
    f.Fail("expected 6 fields (time,type,order_id,size,price,direction), found " +
           std::to_string(f.size()));
  }
  LobsterMessage m;
  m.line = line;
  const auto time = ParseLobsterTime(f.Text(0));
  if (!time) {
    f.Fail("time '" + std::string(f.Text(0)) + "' is not seconds.fraction (<= 9 decimals)");
  }
  m.time = *time;
  m.type = CheckedType(f);
  const std::int64_t id = f.Int(2, "order_id");
  if (id < 0) f.Fail("order_id " + std::to_string(id) + " is negative");
  m.order_id = static_cast<std::uint64_t>(id);
  m.size = f.Int(3, "size");
  m.price = f.Int(4, "price");
  const std::int64_t direction = f.Int(5, "direction");
  CheckMessage(f, m, direction);
  m.side = direction == -1 ? Side::kSell : Side::kBuy;
  return m;
}

LobsterBookRow ParseBookRow(std::string_view file, std::size_t line, std::string_view text) {
  const LineFields f(file, line, text);
  if (f.size() % kLevelFields != 0) {
    f.Fail("expected 4 fields per level (ask_px,ask_sz,bid_px,bid_sz), found " +
           std::to_string(f.size()) + " fields");
  }
  LobsterBookRow row(f.size() / kLevelFields);
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::size_t base = i * kLevelFields;
    const std::string level = " of level " + std::to_string(i + 1);
    row[i].ask_price = f.Int(base, "ask price" + level);
    row[i].ask_size = f.Int(base + 1, "ask size" + level);
    row[i].bid_price = f.Int(base + 2, "bid price" + level);
    row[i].bid_size = f.Int(base + 3, "bid size" + level);
    if (row[i].ask_size < 0 || row[i].bid_size < 0) f.Fail("negative size" + level);
  }
  return row;
}

// Calls `parse(line_number, text)` for every non-blank line.
void ForEachLine(std::istream& in,
                 const std::function<void(std::size_t, std::string_view)>& parse) {
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view view(line);
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    if (view.find_first_not_of(" \t") == std::string_view::npos) continue;
    parse(number, view);
  }
}

std::ifstream OpenForReading(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw LobsterError(path, 0, "cannot open for reading");
  return in;
}

// ---------------------------------------------------------------- replay

// Accounts. One per LOBSTER order, so no two resting orders ever share one
// and self-trade prevention never triggers; the aggressor only sends IOCs,
// so it never rests either.
constexpr AccountId kAggressorAccount = 1;
constexpr AccountId kSyntheticAccount = 2;  // all synthetic liquidity
constexpr AccountId kFirstOrderAccount = 100;
constexpr Quantity kLot = 1;
// Large enough that MARKET protection never matters (the replay sends none).
constexpr std::int64_t kMarketProtectionTicks = 1'000'000;

// A resting order as seen in a price level, copied so it survives commands.
struct RestingRef {
  AccountId account = 0;
  ClientOrderId id = 0;
  Quantity quantity = 0;  // total
  Quantity leaves = 0;
};

RestingRef RefOf(const Order& o) {
  return RestingRef{o.account, o.client_id, o.quantity, o.leaves};
}

// Replays messages one by one on a private engine, recording every command.
class Replayer {
 public:
  explicit Replayer(const LobsterReplayConfig& config);

  // Seeds the book from the first row with the first message undone.
  void Seed(const LobsterMessage& first, const LobsterBookRow& row_after_first);
  // `number` is the 1-based message number; it names the aggressor's IOC.
  void Apply(const LobsterMessage& m, std::size_t number);
  LobsterBookRow Top(std::size_t levels) const;

  LobsterStats& stats() { return stats_; }
  const Engine& engine() const { return engine_; }
  const InstrumentSpec& instrument() const { return instrument_; }
  std::vector<Command>& commands() { return commands_; }

 private:
  std::span<const Event> Send(CommandBody body, bool trades_expected = false);
  void Submit(const LobsterMessage& m);
  void PartialCancel(const LobsterMessage& m);
  void Delete(const LobsterMessage& m);
  void Execute(const LobsterMessage& m, std::size_t number);
  void Halt(const LobsterMessage& m);

  const Order* LiveOrder(std::uint64_t lobster_id) const;
  bool Known(std::uint64_t lobster_id) const { return accounts_.contains(lobster_id); }
  std::vector<RestingRef> OrdersAt(Side side, Price price, bool synthetic) const;
  Quantity SyntheticAt(Side side, Price price) const;
  void AddSynthetic(Side side, Price price, Quantity qty);
  void AddSyntheticAhead(Side side, Price price, Quantity qty);
  Quantity RemoveSynthetic(Side side, Price price, Quantity qty);
  void Reduce(const RestingRef& order, Quantity by);

  InstrumentSpec instrument_;
  Engine engine_;
  SymbolId symbol_ = 0;
  Timestamp time_offset_ = 0;
  Timestamp now_ = 0;
  std::unordered_map<std::uint64_t, AccountId> accounts_;  // LOBSTER order id → its account
  AccountId next_account_ = kFirstOrderAccount;
  ClientOrderId next_synthetic_id_ = 1;
  bool halted_ = false;
  std::vector<Command> commands_;
  LobsterStats stats_;
};

InstrumentSpec LobsterInstrument(const LobsterReplayConfig& config) {
  if (!SymbolName::Fits(config.symbol)) {
    throw std::invalid_argument("symbol '" + config.symbol + "' must have 1 to " +
                                std::to_string(SymbolName::kMaxLength) + " characters");
  }
  InstrumentSpec spec;
  spec.symbol = SymbolName(config.symbol);
  spec.tick_size = config.tick_size;
  spec.lot_size = kLot;
  spec.price_band_bps = 0;
  spec.market_protection_ticks = kMarketProtectionTicks;
  return spec;
}

Replayer::Replayer(const LobsterReplayConfig& config)
    : instrument_(LobsterInstrument(config)), time_offset_(config.time_offset) {
  Send(AddInstrument{instrument_});
  symbol_ = *engine_.FindSymbol(config.symbol);
}

std::span<const Event> Replayer::Send(CommandBody body, bool trades_expected) {
  commands_.push_back(Command{now_, std::move(body)});
  const std::span<const Event> events = engine_.Process(commands_.back());
  for (const Event& e : events) {
    if (e.type == EventType::kRejected) ++stats_.rejects;
    if (e.type == EventType::kTrade && !trades_expected) ++stats_.unexpected_trades;
  }
  return events;
}

void Replayer::Seed(const LobsterMessage& first, const LobsterBookRow& row) {
  now_ = first.time + time_offset_;
  std::map<Price, Quantity> asks;                  // best (lowest) first
  std::map<Price, Quantity, std::greater<>> bids;  // best (highest) first
  for (const LobsterLevel& l : row) {
    if (l.ask_price != kLobsterEmptyAsk && l.ask_size > 0) asks[l.ask_price] += l.ask_size;
    if (l.bid_price != kLobsterEmptyBid && l.bid_size > 0) bids[l.bid_price] += l.bid_size;
  }
  // The row is the book after the first message: undo that message's effect.
  Quantity undo = 0;
  switch (first.type) {
    case LobsterEventType::kSubmit:
      undo = -first.size;
      break;
    case LobsterEventType::kPartialCancel:
    case LobsterEventType::kDelete:
    case LobsterEventType::kVisibleExecution:
      undo = first.size;
      break;
    default:
      break;
  }
  if (undo != 0) {
    Quantity& q = first.side == Side::kSell ? asks[first.price] : bids[first.price];
    q = std::max<Quantity>(q + undo, 0);
  }
  for (const auto& [price, qty] : asks) {
    if (qty > 0) AddSynthetic(Side::kSell, price, qty);
  }
  for (const auto& [price, qty] : bids) {
    if (qty > 0) AddSynthetic(Side::kBuy, price, qty);
  }
}

void Replayer::Apply(const LobsterMessage& m, std::size_t number) {
  now_ = m.time + time_offset_;
  ++stats_.messages;
  switch (m.type) {
    case LobsterEventType::kSubmit:
      Submit(m);
      break;
    case LobsterEventType::kPartialCancel:
      PartialCancel(m);
      break;
    case LobsterEventType::kDelete:
      Delete(m);
      break;
    case LobsterEventType::kVisibleExecution:
      Execute(m, number);
      break;
    case LobsterEventType::kHiddenExecution:
    case LobsterEventType::kCross:
      break;  // no change to the visible book
    case LobsterEventType::kHalt:
      Halt(m);
      break;
  }
}

void Replayer::Submit(const LobsterMessage& m) {
  // A reused id (Nasdaq never reuses one in a day) gets a fresh account, so
  // the engine never sees a duplicate client order id.
  const AccountId account = next_account_++;
  accounts_[m.order_id] = account;
  NewOrder o;
  o.account = account;
  o.symbol = symbol_;
  o.order_id = m.order_id;
  o.side = m.side;
  o.type = OrderType::kLimit;
  o.tif = TimeInForce::kGtc;
  o.price = m.price;
  o.quantity = m.size;
  Send(o);
}

void Replayer::PartialCancel(const LobsterMessage& m) {
  if (const Order* o = LiveOrder(m.order_id)) {
    Reduce(RefOf(*o), m.size);
  } else if (!Known(m.order_id)) {
    stats_.reconciled_qty += m.size - RemoveSynthetic(m.side, m.price, m.size);
  } else {
    ++stats_.orphan_messages;
  }
}

void Replayer::Delete(const LobsterMessage& m) {
  if (const Order* o = LiveOrder(m.order_id)) {
    Send(CancelOrder{o->account, symbol_, o->client_id, 0});
  } else if (!Known(m.order_id)) {
    stats_.reconciled_qty += m.size - RemoveSynthetic(m.side, m.price, m.size);
  } else {
    ++stats_.orphan_messages;
  }
}

// True when the IOC's trades are exactly one fill of `size` against the order.
bool FilledExactly(std::span<const Event> events, AccountId account, ClientOrderId id,
                   Quantity size) {
  std::size_t trades = 0;
  bool named = false;
  for (const Event& e : events) {
    if (e.type != EventType::kTrade) continue;
    ++trades;
    named = e.maker_account == account && e.maker_order_id == id && e.quantity == size;
  }
  return trades == 1 && named;
}

void Replayer::Execute(const LobsterMessage& m, std::size_t number) {
  const bool known = Known(m.order_id);
  if (known) ++stats_.executions_known;
  const Order* named = LiveOrder(m.order_id);
  const AccountId named_account = named ? named->account : 0;
  // The order predates the file (or the replay lost it): the execution takes
  // synthetic liquidity, topped up ahead of the known orders when short.
  if (named == nullptr) {
    const Quantity have = SyntheticAt(m.side, m.price);
    if (have < m.size) AddSyntheticAhead(m.side, m.price, m.size - have);
  }
  NewOrder ioc;
  ioc.account = kAggressorAccount;
  ioc.symbol = symbol_;
  ioc.order_id = number;
  ioc.side = Opposite(m.side);
  ioc.type = OrderType::kLimit;
  ioc.tif = TimeInForce::kIoc;
  ioc.price = m.price;
  ioc.quantity = m.size;
  const std::span<const Event> events = Send(ioc, /*trades_expected=*/true);
  if (named_account != 0 && FilledExactly(events, named_account, m.order_id, m.size)) {
    ++stats_.executions_matched;
  }
}

void Replayer::Halt(const LobsterMessage& m) {
  // Quoting (0) reopens order entry; the replay never trades on its own, so
  // quoting and resuming are the same to the engine.
  const bool halt = m.price == kLobsterHaltPrice;
  if (halt == halted_) return;
  halted_ = halt;
  if (halt) {
    Send(HaltSymbol{symbol_});
  } else {
    Send(ResumeSymbol{symbol_});
  }
}

const Order* Replayer::LiveOrder(std::uint64_t lobster_id) const {
  const auto it = accounts_.find(lobster_id);
  return it == accounts_.end() ? nullptr : engine_.FindOrder(it->second, lobster_id);
}

std::vector<RestingRef> Replayer::OrdersAt(Side side, Price price, bool synthetic) const {
  std::vector<RestingRef> out;
  const PriceLevel* level = engine_.book(symbol_).side(side).Find(price);
  for (const Order* o = level ? level->head : nullptr; o; o = o->next) {
    if ((o->account == kSyntheticAccount) == synthetic) out.push_back(RefOf(*o));
  }
  return out;
}

Quantity Replayer::SyntheticAt(Side side, Price price) const {
  Quantity total = 0;
  for (const RestingRef& r : OrdersAt(side, price, /*synthetic=*/true)) {
    total += r.leaves;
  }
  return total;
}

void Replayer::AddSynthetic(Side side, Price price, Quantity qty) {
  NewOrder o;
  o.account = kSyntheticAccount;
  o.symbol = symbol_;
  o.order_id = next_synthetic_id_++;
  o.side = side;
  o.type = OrderType::kLimit;
  o.tif = TimeInForce::kGtc;
  o.price = price;
  o.quantity = qty;
  Send(o);
}

// Invisible liquidity predates every known order at its price, so it must
// trade first. The engine only appends to a level; the known orders are sent
// to the back behind it, in their own order: a quantity increase loses time
// priority, the decrease back to the old total keeps it.
void Replayer::AddSyntheticAhead(Side side, Price price, Quantity qty) {
  const std::vector<RestingRef> known = OrdersAt(side, price, /*synthetic=*/false);
  AddSynthetic(side, price, qty);
  stats_.reconciled_qty += qty;
  for (const RestingRef& k : known) {
    Send(ReplaceOrder{k.account, symbol_, k.id, 0, 0, 0, k.quantity + kLot, 0});
    Send(ReplaceOrder{k.account, symbol_, k.id, 0, 0, 0, k.quantity, 0});
  }
}

// Takes up to `qty` off the synthetic orders at a price, oldest first;
// returns how much it took.
Quantity Replayer::RemoveSynthetic(Side side, Price price, Quantity qty) {
  Quantity removed = 0;
  for (const RestingRef& r : OrdersAt(side, price, /*synthetic=*/true)) {
    if (removed == qty) break;
    const Quantity take = std::min(r.leaves, qty - removed);
    Reduce(r, take);
    removed += take;
  }
  return removed;
}

// Partial cancel: FIX replace to the new total, which keeps time priority; a
// cancel when nothing would remain (a replace to total 0 means "unchanged").
void Replayer::Reduce(const RestingRef& order, Quantity by) {
  const Quantity new_total = order.quantity - by;
  if (by >= order.leaves || new_total <= 0) {
    Send(CancelOrder{order.account, symbol_, order.id, 0});
  } else {
    Send(ReplaceOrder{order.account, symbol_, order.id, 0, 0, 0, new_total, 0});
  }
}

LobsterBookRow Replayer::Top(std::size_t levels) const {
  const std::vector<DepthLevel> asks = engine_.Depth(symbol_, Side::kSell, levels);
  const std::vector<DepthLevel> bids = engine_.Depth(symbol_, Side::kBuy, levels);
  LobsterBookRow row(levels, LobsterLevel{kLobsterEmptyAsk, 0, kLobsterEmptyBid, 0});
  for (std::size_t i = 0; i < asks.size(); ++i) {
    row[i].ask_price = asks[i].price;
    row[i].ask_size = asks[i].quantity;
  }
  for (std::size_t i = 0; i < bids.size(); ++i) {
    row[i].bid_price = bids[i].price;
    row[i].bid_size = bids[i].quantity;
  }
  return row;
}

void CheckFilesAgree(const std::vector<LobsterMessage>& messages,
                     const std::vector<LobsterBookRow>& rows) {
  if (messages.size() != rows.size()) {
    throw std::invalid_argument("LOBSTER replay: " + std::to_string(rows.size()) +
                                " order-book rows for " + std::to_string(messages.size()) +
                                " messages; there must be one row per message");
  }
}

}  // namespace

// ---------------------------------------------------------------- readers

std::vector<LobsterMessage> ReadLobsterMessages(std::istream& in, std::string_view file_name) {
  std::vector<LobsterMessage> out;
  ForEachLine(in, [&](std::size_t number, std::string_view text) {
    out.push_back(ParseMessage(file_name, number, text));
  });
  return out;
}

std::vector<LobsterBookRow> ReadLobsterBook(std::istream& in, std::string_view file_name) {
  std::vector<LobsterBookRow> out;
  ForEachLine(in, [&](std::size_t number, std::string_view text) {
    out.push_back(ParseBookRow(file_name, number, text));
    if (out.back().size() != out.front().size()) {
      throw LobsterError(file_name, number,
                         std::to_string(out.back().size()) + " levels, the first row has " +
                             std::to_string(out.front().size()));
    }
  });
  return out;
}

std::vector<LobsterMessage> ReadLobsterMessagesFile(const std::string& path) {
  std::ifstream in = OpenForReading(path);
  return ReadLobsterMessages(in, path);
}

std::vector<LobsterBookRow> ReadLobsterBookFile(const std::string& path) {
  std::ifstream in = OpenForReading(path);
  return ReadLobsterBook(in, path);
}

std::string LobsterBookPathFor(const std::string& message_path) {
  constexpr std::string_view kMessage = "_message_";
  constexpr std::string_view kOrderBook = "_orderbook_";
  const std::size_t name_start = message_path.find_last_of('/') + 1;  // npos + 1 == 0
  const std::size_t at = message_path.rfind(kMessage);
  if (at == std::string::npos || at < name_start) {
    throw LobsterError(message_path, 0,
                       "cannot derive the order-book file: no '_message_' in the file name");
  }
  std::string out = message_path;
  out.replace(at, kMessage.size(), kOrderBook);
  return out;
}

std::string FormatLobsterBookRow(const LobsterBookRow& row) {
  std::string out;
  for (const LobsterLevel& l : row) {
    if (!out.empty()) out += ',';
    out += std::to_string(l.ask_price) + ',' + std::to_string(l.ask_size) + ',' +
           std::to_string(l.bid_price) + ',' + std::to_string(l.bid_size);
  }
  return out;
}

// ---------------------------------------------------------------- replay

std::string FormatSummary(const LobsterStats& s) {
  return "executions_matched=" + std::to_string(s.executions_matched) + "/" +
         std::to_string(s.executions_known) + " rows_equal=" + std::to_string(s.rows_equal) + "/" +
         std::to_string(s.rows) + " reconciled_qty=" + std::to_string(s.reconciled_qty);
}

LobsterStats ReplayLobster(const std::vector<LobsterMessage>& messages,
                           const std::vector<LobsterBookRow>& book_rows,
                           const LobsterReplayConfig& config, std::size_t output_levels,
                           std::ostream* book_out, LobsterFlow* flow) {
  CheckFilesAgree(messages, book_rows);
  Replayer replay(config);
  const std::size_t file_levels = book_rows.empty() ? 0 : book_rows.front().size();
  if (output_levels == 0) output_levels = file_levels;
  if (!messages.empty()) replay.Seed(messages.front(), book_rows.front());
  const std::size_t prefill = replay.commands().size();

  for (std::size_t i = 0; i < messages.size(); ++i) {
    replay.Apply(messages[i], i + 1);
    LobsterStats& stats = replay.stats();
    ++stats.rows;
    if (replay.Top(file_levels) == book_rows[i]) ++stats.rows_equal;
    if (book_out) *book_out << FormatLobsterBookRow(replay.Top(output_levels)) << '\n';
  }

  LobsterStats stats = replay.stats();
  stats.commands = replay.commands().size();
  stats.state_hash = replay.engine().StateHash();
  if (flow) {
    flow->instrument = replay.instrument();
    flow->commands = std::move(replay.commands());
    flow->prefill = prefill;
  }
  return stats;
}

namespace {

struct LobsterFiles {
  std::vector<LobsterMessage> messages;
  std::vector<LobsterBookRow> rows;
};

// Reads a message file and its order-book file (derived when `book_path` is
// empty) and checks that they go together.
LobsterFiles ReadLobsterFiles(const std::string& message_path, const std::string& book_path) {
  const std::string rows_path = book_path.empty() ? LobsterBookPathFor(message_path) : book_path;
  LobsterFiles files{ReadLobsterMessagesFile(message_path), ReadLobsterBookFile(rows_path)};
  if (files.rows.size() != files.messages.size()) {
    throw LobsterError(rows_path, 0,
                       std::to_string(files.rows.size()) + " rows, but " + message_path + " has " +
                           std::to_string(files.messages.size()) + " messages");
  }
  return files;
}

}  // namespace

LobsterFlow BuildLobsterFlow(const std::string& message_path, const std::string& orderbook_path,
                             const LobsterReplayConfig& config) {
  const LobsterFiles files = ReadLobsterFiles(message_path, orderbook_path);
  LobsterFlow flow;
  ReplayLobster(files.messages, files.rows, config, 0, nullptr, &flow);
  return flow;
}

namespace {

LobsterStats RunFromOptions(const LobsterReplayOptions& options) {
  const LobsterFiles files = ReadLobsterFiles(options.message_file, options.orderbook_file);
  LobsterReplayConfig config;
  config.symbol = options.symbol;
  if (options.book_output.empty()) {
    return ReplayLobster(files.messages, files.rows, config, options.levels);
  }
  std::ofstream out(options.book_output);
  if (!out) throw LobsterError(options.book_output, 0, "cannot open for writing");
  LobsterStats stats = ReplayLobster(files.messages, files.rows, config, options.levels, &out);
  out.flush();
  if (!out) throw LobsterError(options.book_output, 0, "write failed");
  return stats;
}

}  // namespace

int RunLobsterReplay(const LobsterReplayOptions& options, std::ostream& summary_out,
                     std::ostream& error_out) {
  try {
    summary_out << FormatSummary(RunFromOptions(options)) << '\n';
    return 0;
  } catch (const std::exception& e) {
    error_out << "lobster replay: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace exchange
