// LOBSTER readers and replay. The mapping and its reasons are described in
// lobster.h; the replay drives a private Engine while it builds the command
// list, because partial cancels and synthetic liquidity depend on the book.
#include "orderflow/lobster.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <unordered_map>
#include <utility>

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
  Price price = 0;
  Quantity quantity = 0;  // total
  Quantity leaves = 0;
};

RestingRef RefOf(const Order& o) {
  return RestingRef{o.account, o.client_id, o.price, o.quantity, o.leaves};
}

// ---------------------------------------------------------------- reconciliation
//
// A LOBSTER file cannot show orders that predate it nor, in a level-N file,
// events deeper than N levels. Before each message the replay compares its
// book with the previous row (the state before the message) and reconciles
// only the differences such invisible events can explain:
//  1. Only visible prices are compared: per side, every price at least as
//     good as the row's N-th level price, or the whole side when the row
//     shows fewer than N levels there. Nothing beyond is touched.
//  2. A price is doubtful when it was beyond the visible range of some row
//     since it last agreed with a row (before the file nothing was visible:
//     the seed may be short). An order is doubtful when its price was beyond
//     the visible range of some row since the replay last saw the order:
//     when it entered, or when a message named it. A level that agrees with
//     a row does not vouch for its orders: an unseen cancel and an unseen
//     entry of the same size agree too.
//     - More at a visible price than the row shows: doubtful orders are
//       taken off, and only they. Synthetic ones go first (no message can
//       name them); then a known one exactly the size of what is left (one
//       unseen cancel explains it all); then the known ones the replay has
//       gone longest without seeing, front of the queue first. Which orders
//       Nasdaq cancelled unseen is unknown; this is the likeliest guess.
//     - Less at a doubtful price: the difference is added as synthetic
//       liquidity, queued behind the known orders that were at the price
//       when it was last invisible and ahead of those entered since (the
//       unseen entries came in between); never where it would cross.
//     - Any other difference (liquidity visible all along) is a real
//       mismatch: it stays, and shows in rows_equal.
//  3. Every unit added or taken off counts in reconciled_qty. Changes are
//     ordinary NewOrder / ReplaceOrder / CancelOrder commands in the command
//     list, stamped with the time of the row they reconcile to, so the list
//     replays the same on a fresh engine.
// Removals on both sides come before additions, so an addition never meets
// liquidity about to go. A halted book is not reconciled (it takes no orders).

// A price is beyond the visible range when it is worse than the edge (the
// row's N-th level price).
bool Beyond(Side side, Price price, Price edge) {
  return side == Side::kSell ? price > edge : price < edge;
}

// Edges with nothing beyond them, and with everything beyond them.
Price AllVisibleEdge(Side side) {
  return side == Side::kSell ? kLobsterEmptyAsk : kLobsterEmptyBid;
}
Price NoneVisibleEdge(Side side) {
  return side == Side::kSell ? 0 : kLobsterEmptyAsk;
}

// The visible levels of one side of a row, best first.
std::vector<std::pair<Price, Quantity>> RowSide(const LobsterBookRow& row, Side side) {
  std::vector<std::pair<Price, Quantity>> out;
  for (const LobsterLevel& l : row) {
    const Price price = side == Side::kSell ? l.ask_price : l.bid_price;
    if (price == AllVisibleEdge(side)) break;  // the empty-level sentinel
    out.emplace_back(price, side == Side::kSell ? l.ask_size : l.bid_size);
  }
  return out;
}

// The edge of a row's visible range on one side (rule 1).
Price VisibleEdge(const LobsterBookRow& row, Side side) {
  const auto levels = RowSide(row, side);
  return levels.size() < row.size() ? AllVisibleEdge(side) : levels.back().first;
}

// What one side of the rows showed, for rule 2. Rows get stamps: row i has
// stamp i + 1; stamp 0 is the time before the file, when nothing was visible.
class SideHistory {
 public:
  explicit SideHistory(Side side) : side_(side) { edges_.emplace_back(NoneVisibleEdge(side), 0); }

  // Records row `stamp`: its edge, and its visible prices that were doubtful
  // and still disagree after reconciliation.
  void AddRow(std::size_t stamp, Price edge, std::map<Price, std::size_t> unsettled) {
    // An edge at least as tight makes an older one redundant for LastBeyond.
    while (!edges_.empty() && Key(edges_.back().first) >= Key(edge)) {
      edges_.pop_back();
    }
    edges_.emplace_back(edge, stamp);
    unsettled_ = std::move(unsettled);
  }

  // The stamp of the last row `price` was beyond the visible range of.
  std::optional<std::size_t> LastBeyond(Price price) const {
    // Keys ascend (edges loosen) towards the back, and stamps grow.
    const auto it = std::partition_point(edges_.begin(), edges_.end(),
                                         [&](const auto& e) { return Key(e.first) < Key(price); });
    if (it == edges_.begin()) return std::nullopt;
    return std::prev(it)->second;
  }

  // The same, for a doubtful price only (beyond the visible range since it
  // last agreed with a row); nullopt for the others.
  std::optional<std::size_t> LastBeyondSinceAgreed(Price price) const {
    const auto& [edge, stamp] = edges_.back();  // the last row
    if (Beyond(side_, price, edge)) return stamp;
    const auto it = unsettled_.find(price);
    if (it == unsettled_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::int64_t Key(Price price) const { return side_ == Side::kSell ? price : -price; }

  Side side_;
  std::vector<std::pair<Price, std::size_t>> edges_;  // (edge, stamp), keys strictly ascending
  std::map<Price, std::size_t> unsettled_;  // doubtful visible prices of the last row, by stamp
};

// Row stamps of an order: when it entered the book, when the replay last saw
// it (entered, or named by a message).
struct OrderStamps {
  std::size_t entered = 0;
  std::size_t seen = 0;
};

// A visible price whose quantity differs from the row's.
struct LevelGap {
  Price price = 0;
  Quantity want = 0;  // the row's quantity
};

// Replays messages one by one on a private engine, recording every command.
class Replayer {
 public:
  explicit Replayer(const LobsterReplayConfig& config);

  // Seeds the book from the first row with the first message undone.
  void Seed(const LobsterMessage& first, const LobsterBookRow& row_after_first);
  // Brings the book to `row` (the state before the next message) as far as
  // the reconciliation rules allow; `stamp` is the row's index + 1.
  void Reconcile(const LobsterBookRow& row, std::size_t stamp);
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
  void AddSyntheticAhead(Side side, Price price, Quantity qty, std::size_t since = 0);
  Quantity RemoveSynthetic(Side side, Price price, Quantity qty);
  void Reduce(const RestingRef& order, Quantity by);

  // Reconciliation.
  std::vector<LevelGap> Gaps(const LobsterBookRow& row, Side side) const;
  std::vector<DepthLevel> DepthWithin(Side side, Price edge) const;
  void TakeOffExcess(Side side, const LevelGap& gap);
  void AddShortfall(Side side, const LevelGap& gap);
  void Settle(Side side, Price edge, const std::vector<LevelGap>& gaps);
  bool Doubtful(Side side, const RestingRef& order) const;
  std::vector<RestingRef> RemovalOrder(Side side, Price price, Quantity excess) const;
  Quantity LevelQuantity(Side side, Price price) const;
  bool WouldCross(Side side, Price price) const;
  OrderStamps& StampsOf(const RestingRef& order);
  const OrderStamps& StampsOf(const RestingRef& order) const;
  SideHistory& HistoryOf(Side side) { return history_[side == Side::kSell ? 0 : 1]; }
  const SideHistory& HistoryOf(Side side) const { return history_[side == Side::kSell ? 0 : 1]; }

  InstrumentSpec instrument_;
  Engine engine_;
  SymbolId symbol_ = 0;
  Timestamp time_offset_ = 0;
  Timestamp now_ = 0;
  std::unordered_map<std::uint64_t, AccountId> accounts_;  // LOBSTER order id → its account
  AccountId next_account_ = kFirstOrderAccount;
  ClientOrderId next_synthetic_id_ = 1;
  bool halted_ = false;
  // The stamp of the row the book is being brought to: the one the current
  // message leads to, or the one being reconciled to.
  std::size_t stamp_ = 0;
  std::vector<OrderStamps> known_stamps_;      // by account − kFirstOrderAccount
  std::vector<OrderStamps> synthetic_stamps_;  // by synthetic client id − 1
  std::array<SideHistory, 2> history_ = {SideHistory{Side::kSell}, SideHistory{Side::kBuy}};
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
  if (Validate(spec) != RejectReason::kNone) {
    throw std::invalid_argument("tick size " + std::to_string(config.tick_size) +
                                " is not positive");
  }
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

// What undoing a message adds to the visible quantity at its price.
Quantity UndoneQuantity(const LobsterMessage& m) {
  switch (m.type) {
    case LobsterEventType::kSubmit: return -m.size;
    case LobsterEventType::kPartialCancel:
    case LobsterEventType::kDelete:
    case LobsterEventType::kVisibleExecution: return m.size;
    default: return 0;  // hidden executions, crosses and halts leave the visible book alone
  }
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
  if (const Quantity undo = UndoneQuantity(first); undo != 0) {
    Quantity& q = first.side == Side::kSell ? asks[first.price] : bids[first.price];
    q = std::max<Quantity>(q + undo, 0);
  }
  // Sent before any message, so each synthetic order is at the front of its level.
  for (const auto& [price, qty] : asks) {
    if (qty > 0) AddSynthetic(Side::kSell, price, qty);
  }
  for (const auto& [price, qty] : bids) {
    if (qty > 0) AddSynthetic(Side::kBuy, price, qty);
  }
}

void Replayer::Apply(const LobsterMessage& m, std::size_t number) {
  now_ = m.time + time_offset_;
  stamp_ = number;  // the row after message `number`
  ++stats_.messages;
  switch (m.type) {
    case LobsterEventType::kSubmit: Submit(m); break;
    case LobsterEventType::kPartialCancel: PartialCancel(m); break;
    case LobsterEventType::kDelete: Delete(m); break;
    case LobsterEventType::kVisibleExecution: Execute(m, number); break;
    case LobsterEventType::kHiddenExecution:
    case LobsterEventType::kCross: break;  // no change to the visible book
    case LobsterEventType::kHalt: Halt(m); break;
  }
}

void Replayer::Submit(const LobsterMessage& m) {
  // A reused id (Nasdaq never reuses one in a day) gets a fresh account, so
  // the engine never sees a duplicate client order id.
  const AccountId account = next_account_++;
  accounts_[m.order_id] = account;
  known_stamps_.push_back(OrderStamps{stamp_, stamp_});
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
    StampsOf(RefOf(*o)).seen = stamp_;
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
  if (named) StampsOf(RefOf(*named)).seen = stamp_;
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
  synthetic_stamps_.push_back(OrderStamps{stamp_, stamp_});
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

// Adds synthetic liquidity ahead of the known orders at its price that
// entered after row `since` (by default all of them: liquidity older than
// the file, or an unknown order that an execution shows was first in line).
// The engine only appends to a level; those known orders are sent to the
// back behind it, in their own order: a quantity increase loses time
// priority, the decrease back to the old total keeps it.
void Replayer::AddSyntheticAhead(Side side, Price price, Quantity qty, std::size_t since) {
  std::vector<RestingRef> known = OrdersAt(side, price, /*synthetic=*/false);
  std::erase_if(known, [&](const RestingRef& k) { return StampsOf(k).entered <= since; });
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

// ---- reconciliation (the rules are above Beyond())

void Replayer::Reconcile(const LobsterBookRow& row, std::size_t stamp) {
  stamp_ = stamp;
  const std::vector<LevelGap> asks = Gaps(row, Side::kSell);
  const std::vector<LevelGap> bids = Gaps(row, Side::kBuy);
  if (!halted_) {
    for (const LevelGap& g : asks) {
      TakeOffExcess(Side::kSell, g);
    }
    for (const LevelGap& g : bids) {
      TakeOffExcess(Side::kBuy, g);
    }
    for (const LevelGap& g : asks) {
      AddShortfall(Side::kSell, g);
    }
    for (const LevelGap& g : bids) {
      AddShortfall(Side::kBuy, g);
    }
  }
  Settle(Side::kSell, VisibleEdge(row, Side::kSell), asks);
  Settle(Side::kBuy, VisibleEdge(row, Side::kBuy), bids);
}

// The visible prices (rule 1) where the book differs from the row.
std::vector<LevelGap> Replayer::Gaps(const LobsterBookRow& row, Side side) const {
  const Price edge = VisibleEdge(row, side);
  std::map<Price, Quantity> want;
  for (const auto& [price, qty] : RowSide(row, side)) {
    want[price] = qty;
  }
  for (const DepthLevel& l : DepthWithin(side, edge)) {
    want.try_emplace(l.price, 0);  // in the book, not in the row
  }
  std::vector<LevelGap> gaps;
  for (const auto& [price, qty] : want) {
    if (LevelQuantity(side, price) != qty) gaps.push_back(LevelGap{price, qty});
  }
  return gaps;
}

// The book's levels on one side that are not beyond `edge`, best first.
std::vector<DepthLevel> Replayer::DepthWithin(Side side, Price edge) const {
  for (std::size_t n = 16;; n *= 2) {
    std::vector<DepthLevel> levels = engine_.Depth(symbol_, side, n);
    const auto beyond = std::find_if(levels.begin(), levels.end(), [&](const DepthLevel& l) {
      return Beyond(side, l.price, edge);
    });
    if (beyond != levels.end() || levels.size() < n) {
      levels.erase(beyond, levels.end());
      return levels;
    }
  }
}

void Replayer::TakeOffExcess(Side side, const LevelGap& gap) {
  Quantity excess = LevelQuantity(side, gap.price) - gap.want;
  for (const RestingRef& r : RemovalOrder(side, gap.price, excess)) {
    if (excess <= 0) break;
    const Quantity take = std::min(r.leaves, excess);
    Reduce(r, take);
    stats_.reconciled_qty += take;
    excess -= take;
  }
}

void Replayer::AddShortfall(Side side, const LevelGap& gap) {
  const Quantity shortfall = gap.want - LevelQuantity(side, gap.price);
  const auto last = HistoryOf(side).LastBeyondSinceAgreed(gap.price);
  if (shortfall <= 0 || !last || WouldCross(side, gap.price)) return;
  AddSyntheticAhead(side, gap.price, shortfall, *last);
}

// Records the row in the side's history once reconciled: visible prices that
// now agree are no longer doubtful; doubtful ones that still differ stay so.
void Replayer::Settle(Side side, Price edge, const std::vector<LevelGap>& gaps) {
  SideHistory& history = HistoryOf(side);
  std::map<Price, std::size_t> unsettled;
  for (const LevelGap& g : gaps) {
    if (LevelQuantity(side, g.price) == g.want) continue;
    if (const auto last = history.LastBeyondSinceAgreed(g.price)) unsettled[g.price] = *last;
  }
  history.AddRow(stamp_, edge, std::move(unsettled));
}

const OrderStamps& Replayer::StampsOf(const RestingRef& order) const {
  return order.account == kSyntheticAccount ? synthetic_stamps_[order.id - 1]
                                            : known_stamps_[order.account - kFirstOrderAccount];
}

OrderStamps& Replayer::StampsOf(const RestingRef& order) {
  return const_cast<OrderStamps&>(std::as_const(*this).StampsOf(order));
}

// True when the order's price was invisible since the replay last saw it.
bool Replayer::Doubtful(Side side, const RestingRef& order) const {
  const auto last = HistoryOf(side).LastBeyond(order.price);
  return last && *last >= StampsOf(order).seen;
}

// The doubtful orders at a price, in the order they are taken off to remove
// `excess` (rule 2).
std::vector<RestingRef> Replayer::RemovalOrder(Side side, Price price, Quantity excess) const {
  std::vector<RestingRef> out;
  for (const RestingRef& r : OrdersAt(side, price, /*synthetic=*/true)) {
    if (!Doubtful(side, r)) continue;
    out.push_back(r);
    excess -= r.leaves;
  }
  std::vector<RestingRef> known = OrdersAt(side, price, /*synthetic=*/false);
  std::erase_if(known, [&](const RestingRef& r) { return !Doubtful(side, r); });
  std::stable_sort(known.begin(), known.end(), [&](const RestingRef& a, const RestingRef& b) {
    return StampsOf(a).seen < StampsOf(b).seen;
  });
  const auto exact = std::find_if(known.begin(), known.end(),
                                  [&](const RestingRef& r) { return r.leaves == excess; });
  if (exact != known.end()) std::rotate(known.begin(), exact, exact + 1);
  out.insert(out.end(), known.begin(), known.end());
  return out;
}

Quantity Replayer::LevelQuantity(Side side, Price price) const {
  const PriceLevel* level = engine_.book(symbol_).side(side).Find(price);
  return level ? level->displayed : 0;
}

// True when a resting order at `price` would trade with the other side.
bool Replayer::WouldCross(Side side, Price price) const {
  const PriceLevel* best = engine_.book(symbol_).side(Opposite(side)).Best();
  if (best == nullptr) return false;
  return side == Side::kSell ? best->price >= price : best->price <= price;
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
    if (i > 0) replay.Reconcile(book_rows[i - 1], i);
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
