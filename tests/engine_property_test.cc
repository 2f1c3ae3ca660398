// Property tests of the matching engine on random command streams (rapidcheck):
// the book never crosses, quantity is conserved per order, trades happen at
// the maker's price, FIFO holds inside a level, accounts never trade with
// themselves, replay is deterministic, and the engine agrees event for event
// with the independent ReferenceModel (tests/reference_model.h).
//
// Streams use one symbol, 2–4 accounts, a narrow price range (so crossing and
// self-trades are common), every order type, and cancels and replaces of live
// and unknown orders. Set RC_PARAMS="max_success=N" to change the number of
// streams per property, RC_PARAMS="seed=S" to reproduce a run.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bookstate/book_view.h"
#include "bookstate/book_view_seed.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "tests/property_check.h"
#include "tests/reference_model.h"

namespace exchange {
namespace {

constexpr int kStreamsPerProperty = 400;
constexpr int kMinOps = 50;
constexpr int kMaxOps = 300;
constexpr ClientOrderId kMaxClientId = 24;

// ---------------------------------------------------------------- scenario

struct Config {
  int accounts = 2;      // 2..4
  int tick = 1;          // 1 or 5
  int lot = 1;           // 1 or 10
  int band_bps = 0;      // price band, 0 = none
  int reference = 0;     // 1: reference price = base price (band active before any trade)
  int protection = 100;  // market protection, ticks
  int default_stp = 1;   // StpMode 1..3
  // Ticks per price step of new orders and replaces: 1 keeps prices within a
  // few ticks; 900 spreads them over ±4,500 ticks, past the book's 4,096-tick
  // window, so levels live far from it and the window moves (book_side.h).
  int spread = 1;
};

Price BasePrice(const Config& c) {
  return Price{100} * c.tick * c.spread;
}

enum class Kind : int {
  kLimitGtc,
  kLimitIoc,
  kLimitFok,
  kMarket,
  kPostOnly,
  kIceberg,
  kStop,
  kStopLimit,
  kCancel,
  kReplace,
  kMassCancel,
  kHalt,
  kResume,
};

// One generated step; translated into a Command by ToCommand(). Numbers are
// small indices and offsets so that shrinking gives readable cases.
struct Op {
  int active = 1;  // 0: skipped (shrinking drives ops here, which removes them)
  Kind kind = Kind::kLimitGtc;
  int account = 0;  // index, modulo the number of accounts
  int id = 1;       // client order id
  int side = 0;
  int price = 0;    // ticks from the base price
  int lots = 1;     // quantity in lots
  int stop = 1;     // stop distance in ticks beyond the last trade (≤ 0: already reached)
  int display = 1;  // iceberg display, lots
  int tif = 0;
  int stp = 0;        // 0 = instrument default
  int target = 0;     // cancel/replace: see ToCommand
  int back = 0;       // cancel/replace: which recent live order (0 = newest)
  int new_id = 0;     // replace: 0 keeps the client id
  int new_price = 0;  // replace: 0 keeps, else the order's price + (new_price − 4) ticks
  int new_lots = 0;   // replace: 0 keeps, else the new total in lots
  int new_stop = 0;   // replace: 0 keeps, else the last trade + (new_stop − 2) ticks beyond
  int flaw = 99;      // 0–8 make one field invalid
};

struct Scenario {
  Config config;
  std::vector<Op> ops;
};

rc::Gen<Config> GenConfig() {
  namespace gen = rc::gen;
  return gen::build<Config>(gen::set(&Config::accounts, gen::inRange(2, 5)),
                            gen::set(&Config::tick, gen::element(1, 5)),
                            gen::set(&Config::lot, gen::element(1, 10)),
                            gen::set(&Config::band_bps, gen::element(0, 0, 300, 800)),
                            gen::set(&Config::reference, gen::inRange(0, 2)),
                            gen::set(&Config::protection, gen::element(0, 1, 3, 100)),
                            gen::set(&Config::default_stp, gen::inRange(1, 4)),
                            gen::set(&Config::spread, gen::element(1, 1, 1, 900)));
}

rc::Gen<Op> GenOp() {
  namespace gen = rc::gen;
  const auto keep_or = [](int lo, int hi) {  // 0 half of the time, else [lo, hi)
    return gen::oneOf(gen::just(0), gen::inRange(lo, hi));
  };
  return gen::build<Op>(
      gen::set(&Op::active, gen::inRange(0, 100)),
      gen::set(&Op::kind, gen::weightedElement<Kind>({{60, Kind::kLimitGtc},
                                                      {12, Kind::kLimitIoc},
                                                      {14, Kind::kLimitFok},
                                                      {12, Kind::kMarket},
                                                      {14, Kind::kPostOnly},
                                                      {22, Kind::kIceberg},
                                                      {10, Kind::kStop},
                                                      {12, Kind::kStopLimit},
                                                      {24, Kind::kCancel},
                                                      {40, Kind::kReplace},
                                                      {3, Kind::kMassCancel},
                                                      {1, Kind::kHalt},
                                                      {25, Kind::kResume}})),
      gen::set(&Op::account, gen::inRange(0, 4)),
      gen::set(&Op::id, gen::inRange(1, static_cast<int>(kMaxClientId) + 1)),
      gen::set(&Op::side, gen::inRange(0, 2)), gen::set(&Op::price, gen::inRange(-5, 6)),
      gen::set(&Op::lots, gen::inRange(1, 16)), gen::set(&Op::stop, gen::inRange(-1, 7)),
      gen::set(&Op::display, gen::inRange(1, 6)), gen::set(&Op::tif, gen::inRange(0, 3)),
      gen::set(&Op::stp, gen::inRange(0, 4)), gen::set(&Op::target, gen::inRange(0, 10)),
      gen::set(&Op::back, gen::inRange(0, 8)),
      gen::set(&Op::new_id, keep_or(1, static_cast<int>(kMaxClientId) + 1)),
      gen::set(&Op::new_price, keep_or(1, 8)), gen::set(&Op::new_lots, keep_or(1, 13)),
      gen::set(&Op::new_stop,
               gen::weightedOneOf<int>({{4, gen::just(0)}, {1, gen::inRange(1, 7)}})),
      gen::set(&Op::flaw, gen::inRange(0, 100)));
}

rc::Gen<Scenario> GenScenario() {
  namespace gen = rc::gen;
  return gen::build<Scenario>(
      gen::set(&Scenario::config, GenConfig()),
      gen::set(&Scenario::ops, gen::mapcat(gen::inRange(kMinOps, kMaxOps + 1), [](int n) {
        return gen::container<std::vector<Op>>(static_cast<std::size_t>(n), GenOp());
      })));
}

InstrumentSpec SpecOf(const Config& c) {
  InstrumentSpec s;
  s.symbol = SymbolName("PROP");
  s.tick_size = c.tick;
  s.lot_size = c.lot;
  s.min_quantity = c.lot;
  s.max_quantity = 15 * c.lot;
  s.price_band_bps = c.band_bps;
  s.reference_price = c.reference ? BasePrice(c) : 0;
  s.market_protection_ticks = c.protection;
  s.default_stp = static_cast<StpMode>(c.default_stp);
  return s;
}

// What the command generator has learnt from the events so far, so that ops
// can aim at live orders and put stops near the market. Commands depend on it
// (they are recorded for replay); the properties never do.
class Feedback {
 public:
  struct LiveOrder {
    AccountId account = 0;
    ClientOrderId client = 0;
    OrderId xid = 0;
    Side side = Side::kBuy;
    Price price = 0;
  };

  OrderId newest() const { return newest_; }
  Price last_trade() const { return last_trade_; }
  // The `back`-th most recent live order (0 = newest), if there is one.
  const LiveOrder* Recent(int back) const {
    if (live_.empty()) return nullptr;
    const std::size_t k = static_cast<std::size_t>(back) % live_.size();
    return &live_[live_.size() - 1 - k];
  }

  void Learn(const Event& e) {
    switch (e.type) {
      case EventType::kAccepted:
        newest_ = std::max(newest_, e.exchange_order_id);
        live_.push_back({e.account, e.order_id, e.exchange_order_id, e.side, e.price});
        break;
      case EventType::kTrade:
        last_trade_ = e.price;
        if (e.leaves == 0) Forget(e.exchange_order_id);
        if (e.maker_leaves == 0) Forget(e.maker_exchange_order_id);
        break;
      case EventType::kCanceled: Forget(e.exchange_order_id); break;
      case EventType::kReplaced:
        if (e.leaves == 0) {
          Forget(e.exchange_order_id);
        } else {
          for (LiveOrder& o : live_) {
            if (o.xid == e.exchange_order_id) {
              o.client = e.order_id;
              o.price = e.price;
            }
          }
        }
        break;
      default: break;
    }
  }

 private:
  void Forget(OrderId xid) {
    std::erase_if(live_, [xid](const LiveOrder& o) { return o.xid == xid; });
  }

  std::vector<LiveOrder> live_;  // in order of acceptance
  OrderId newest_ = 0;
  Price last_trade_ = 0;
};

Command ToCommand(const Op& op, const Config& cfg, const Feedback& fb, Timestamp ts) {
  const Price base = BasePrice(cfg);
  const Price step = Price{cfg.tick} * cfg.spread;  // of a new order's or a replace's price
  const Price market = fb.last_trade() != 0 ? fb.last_trade() : base;
  AccountId account = 1 + static_cast<AccountId>(op.account % cfg.accounts);
  const Side side = op.side == 0 ? Side::kBuy : Side::kSell;
  const SymbolId symbol = op.flaw == 7 ? 1 : 0;  // 1 is unknown
  Command cmd;
  cmd.timestamp = ts;

  if (op.kind == Kind::kCancel || op.kind == Kind::kReplace) {
    // target 0–1: the op's own account and client id (often unknown);
    // 2–6: a recent live order by client id; 7: the same by exchange id with a
    // stale client id, 8: with client id 0; 9: a recent order's exchange id
    // from the op's account (often NOT_YOUR_ORDER), or an id never assigned.
    ClientOrderId id = static_cast<ClientOrderId>(op.id);
    OrderId xid = 0;
    Side order_side = side;
    Price order_price = base;
    const Feedback::LiveOrder* t = op.target >= 2 ? fb.Recent(op.back) : nullptr;
    if (t != nullptr) {
      order_side = t->side;
      if (t->price != 0) order_price = t->price;
      if (op.target <= 6) {
        account = t->account;
        id = t->client;
      } else if (op.target <= 8) {
        account = t->account;
        xid = t->xid;
        if (op.target == 8) id = 0;
      } else {
        xid = op.back >= 6 ? fb.newest() + static_cast<OrderId>(op.back) : t->xid;
      }
    }
    if (op.kind == Kind::kCancel) {
      cmd.body = CancelOrder{account, symbol, id, xid};
      return cmd;
    }
    ReplaceOrder r{account, symbol, id, xid, 0, 0, 0, 0};
    r.new_order_id = static_cast<ClientOrderId>(op.new_id);
    if (op.new_price != 0) r.price = order_price + (op.new_price - 4) * step;
    if (op.new_lots != 0) r.quantity = op.new_lots * cfg.lot;
    if (op.new_stop != 0) {
      const Price beyond = (op.new_stop - 2) * cfg.tick;
      r.stop_price = order_side == Side::kBuy ? market + beyond : market - beyond;
    }
    if (op.flaw == 0 && r.price != 0) r.price += 1;
    if (op.flaw == 1 && r.price != 0) r.price = -r.price;
    if (op.flaw == 2 && r.quantity != 0) r.quantity += 1;
    if (op.flaw == 6 && r.stop_price != 0) r.stop_price += 1;
    cmd.body = r;
    return cmd;
  }
  switch (op.kind) {
    case Kind::kMassCancel:
      cmd.body = MassCancel{account, op.flaw == 7 ? 1 : (op.side == 0 ? kAllSymbols : 0)};
      return cmd;
    case Kind::kHalt: cmd.body = HaltSymbol{symbol}; return cmd;
    case Kind::kResume: cmd.body = ResumeSymbol{symbol}; return cmd;
    default: break;
  }
  NewOrder n;
  n.account = account;
  n.symbol = symbol;
  n.order_id = static_cast<ClientOrderId>(op.id);
  n.side = side;
  n.stp = static_cast<StpMode>(op.stp);
  n.price = base + op.price * step;
  n.quantity = op.lots * cfg.lot;
  n.tif = static_cast<TimeInForce>(op.tif);
  switch (op.kind) {
    case Kind::kLimitGtc:
      n.type = OrderType::kLimit;
      n.tif = TimeInForce::kGtc;
      break;
    case Kind::kLimitIoc:
      n.type = OrderType::kLimit;
      n.tif = TimeInForce::kIoc;
      break;
    case Kind::kLimitFok:
      n.type = OrderType::kLimit;
      n.tif = TimeInForce::kFok;
      // Aggressive and small, so that it fills now and then.
      n.price = base + (side == Side::kBuy ? 1 : -1) * std::abs(op.price) * step;
      n.quantity = (1 + (op.lots - 1) % 5) * cfg.lot;
      break;
    case Kind::kMarket:
      n.type = OrderType::kMarket;
      n.price = 0;
      break;
    case Kind::kPostOnly: n.type = OrderType::kPostOnly; break;
    case Kind::kIceberg:
      n.type = OrderType::kIceberg;
      n.display_quantity = std::min(op.display, op.lots) * cfg.lot;
      break;
    case Kind::kStop:
      n.type = OrderType::kStop;
      n.price = 0;
      break;
    case Kind::kStopLimit: n.type = OrderType::kStopLimit; break;
    default: break;
  }
  if (n.type == OrderType::kStop || n.type == OrderType::kStopLimit) {
    const Price beyond = op.stop * cfg.tick;
    n.stop_price = side == Side::kBuy ? market + beyond : market - beyond;
    if (n.type == OrderType::kStopLimit) n.price = n.stop_price + (op.price % 3) * cfg.tick;
  }
  switch (op.flaw) {
    case 0: n.price += 1; break;                    // off tick when tick > 1
    case 1: n.price = -op.price * op.price; break;  // zero or negative
    case 2: n.quantity += 1; break;                 // off lot when lot > 1
    case 3: n.quantity = 0; break;
    case 4: n.display_quantity = n.quantity + cfg.lot; break;
    case 5: n.display_quantity = 0; break;
    case 6: n.stop_price += 1; break;
    case 8: n.quantity = 16 * cfg.lot; break;  // above max_quantity
    default: break;
  }
  cmd.body = n;
  return cmd;
}

// ---------------------------------------------------------------- text

std::string ToText(const Command& cmd) {
  std::ostringstream s;
  s << "t=" << cmd.timestamp << " ";
  if (const auto* n = std::get_if<NewOrder>(&cmd.body)) {
    s << "NEW a" << n->account << " id" << n->order_id << " sym" << n->symbol << " "
      << ToString(n->side) << " " << ToString(n->type) << " " << ToString(n->tif)
      << " stp=" << ToString(n->stp) << " px=" << n->price << " qty=" << n->quantity
      << " stop=" << n->stop_price << " disp=" << n->display_quantity;
  } else if (const auto* c = std::get_if<CancelOrder>(&cmd.body)) {
    s << "CANCEL a" << c->account << " id" << c->order_id << " sym" << c->symbol
      << " xid=" << c->exchange_order_id;
  } else if (const auto* r = std::get_if<ReplaceOrder>(&cmd.body)) {
    s << "REPLACE a" << r->account << " id" << r->order_id << " sym" << r->symbol
      << " xid=" << r->exchange_order_id << " new_id=" << r->new_order_id << " px=" << r->price
      << " qty=" << r->quantity << " stop=" << r->stop_price;
  } else if (const auto* m = std::get_if<MassCancel>(&cmd.body)) {
    s << "MASS_CANCEL a" << m->account
      << " sym=" << (m->symbol == kAllSymbols ? std::string("ALL") : std::to_string(m->symbol));
  } else if (const auto* h = std::get_if<HaltSymbol>(&cmd.body)) {
    s << "HALT sym" << h->symbol;
  } else if (const auto* u = std::get_if<ResumeSymbol>(&cmd.body)) {
    s << "RESUME sym" << u->symbol;
  } else if (const auto* a = std::get_if<AddInstrument>(&cmd.body)) {
    const InstrumentSpec& sp = a->spec;
    s << "ADD " << sp.symbol.view() << " tick=" << sp.tick_size << " lot=" << sp.lot_size
      << " qty=[" << sp.min_quantity << "," << sp.max_quantity << "] band=" << sp.price_band_bps
      << "bps ref=" << sp.reference_price << " protection=" << sp.market_protection_ticks
      << " stp=" << ToString(sp.default_stp);
  }
  return s.str();
}

// Field-by-field serialization of an event (never raw bytes: padding).
std::string ToText(const Event& e) {
  std::ostringstream s;
  s << "#" << e.sequence << " t=" << e.timestamp << " " << ToString(e.type) << " sym" << e.symbol
    << " a" << e.account << " id" << e.order_id << " x" << e.exchange_order_id << " "
    << ToString(e.side) << " " << ToString(e.order_type) << " px=" << e.price
    << " qty=" << e.quantity << " lv=" << e.leaves << " fill=" << e.filled
    << " stop=" << e.stop_price << " rej=" << ToString(e.reject_reason)
    << " cxl=" << ToString(e.cancel_reason) << " maker=a" << e.maker_account << "/id"
    << e.maker_order_id << "/x" << e.maker_exchange_order_id << " mlv=" << e.maker_leaves
    << " mfill=" << e.maker_filled;
  return s.str();
}

std::string ToText(std::span<const Event> events) {
  std::string out;
  for (const Event& e : events)
    out += "    " + ToText(e) + "\n";
  return out;
}

std::ostream& operator<<(std::ostream& os, const Op& op) {
  static constexpr const char* kKinds[] = {
      "LIMIT_GTC",  "LIMIT_IOC", "LIMIT_FOK", "MARKET",      "POST_ONLY", "ICEBERG", "STOP",
      "STOP_LIMIT", "CANCEL",    "REPLACE",   "MASS_CANCEL", "HALT",      "RESUME"};
  return os << kKinds[static_cast<int>(op.kind)] << "{acct=" << op.account << " id=" << op.id
            << " side=" << op.side << " px=" << op.price << " lots=" << op.lots
            << " stop=" << op.stop << " disp=" << op.display << " tif=" << op.tif
            << " stp=" << op.stp << " target=" << op.target << " back=" << op.back
            << " new_id=" << op.new_id << " new_px=" << op.new_price << " new_lots=" << op.new_lots
            << " new_stop=" << op.new_stop << " flaw=" << op.flaw << "}";
}

std::ostream& operator<<(std::ostream& os, const Scenario& s) {
  const Config& c = s.config;
  os << "config{accounts=" << c.accounts << " tick=" << c.tick << " lot=" << c.lot
     << " band=" << c.band_bps << " ref=" << c.reference << " protection=" << c.protection
     << " default_stp=" << c.default_stp << " spread=" << c.spread << "}\n";
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    if (s.ops[i].active != 0) os << "  [" << i << "] " << s.ops[i] << "\n";
  }
  return os;
}

// ---------------------------------------------------------------- driver

struct NothingBefore {
  void operator()(const Command&) const {}
};

// Runs a scenario on `engine` (AddInstrument first). Before every command
// calls before(command); after it, after(command, events), which returns ""
// or a failure description. Returns the failure, with the commands that led
// to it, or "".
template <typename After, typename Before = NothingBefore>
std::string Drive(const Scenario& s, Engine& engine, std::vector<Command>* commands, After&& after,
                  Before before = {}) {
  Feedback feedback;
  Timestamp ts = 1'000;
  std::string log;
  const auto step = [&](const Command& cmd) -> std::string {
    log += "  " + ToText(cmd) + "\n";
    if (commands) commands->push_back(cmd);
    before(cmd);
    const std::span<const Event> events = engine.Process(cmd);
    for (const Event& e : events) {
      feedback.Learn(e);
    }
    std::string why = after(cmd, events);
    if (why.empty()) return why;
    return why + "\nengine events of the last command:\n" + ToText(events) +
           "commands (minimal failing sequence once shrunk):\n" + log;
  };
  Command add;
  add.timestamp = ts;
  add.body = AddInstrument{SpecOf(s.config)};
  if (std::string why = step(add); !why.empty()) return why;
  for (const Op& op : s.ops) {
    if (op.active == 0) continue;
    ts += 10;
    if (std::string why = step(ToCommand(op, s.config, feedback, ts)); !why.empty()) return why;
  }
  return "";
}

EngineOptions SmallEngine() {
  EngineOptions o;
  o.expected_orders = 256;
  return o;
}

// ---------------------------------------------------------------- ledger

// What the test knows about every order, rebuilt from the events alone (and
// the commands that caused them). Checks conservation, trade prices and time
// priority independently of the engine's internals.
class Ledger {
 public:
  std::string conservation;  // first failure of each kind, "" while none
  std::string price;
  std::string fifo;
  std::string self_trade;

  void Apply(const Command& cmd, std::span<const Event> events) {
    died_.clear();
    for (const Event& e : events)
      Apply(cmd, e);
  }

  // After a command: every order the ledger thinks live is in the engine with
  // the same leaves, every order that died is gone, and the displayed depth
  // adds up.
  void CheckEngine(const Engine& engine) {
    std::size_t live = 0;
    std::map<Price, Quantity> shown[2];
    for (const auto& [xid, o] : orders_) {
      if (!o.live) continue;
      ++live;
      if (o.total != o.filled + o.canceled + o.open) {
        Fail(conservation, "order x" + std::to_string(xid) + " total " + std::to_string(o.total) +
                               " != filled " + std::to_string(o.filled) + " + canceled + open " +
                               std::to_string(o.open));
      }
      const Order* eo = engine.FindOrder(o.account, o.client);
      if (eo == nullptr || eo->exchange_id != xid || eo->leaves != o.open ||
          eo->filled != o.filled || eo->quantity != o.total) {
        Fail(conservation, "live order x" + std::to_string(xid) + " (a" +
                               std::to_string(o.account) + " id" + std::to_string(o.client) +
                               ", open " + std::to_string(o.open) +
                               ") missing or different in the engine");
      }
      if (!o.held_stop) shown[static_cast<int>(o.side)][o.price] += o.display;
    }
    for (OrderId xid : died_) {
      const Tracked& o = orders_.at(xid);
      const Order* eo = engine.FindOrder(o.account, o.client);
      if (eo != nullptr && eo->exchange_id == xid) {
        Fail(conservation, "order x" + std::to_string(xid) + " finished but still live");
      }
      if (!o.replaced_away && o.total != o.filled + o.canceled) {
        Fail(conservation, "finished order x" + std::to_string(xid) + " total " +
                               std::to_string(o.total) + " != filled " + std::to_string(o.filled) +
                               " + canceled " + std::to_string(o.canceled));
      }
    }
    if (live != engine.live_orders()) {
      Fail(conservation, "engine has " + std::to_string(engine.live_orders()) +
                             " live orders, events say " + std::to_string(live));
    }
    for (Side side : {Side::kBuy, Side::kSell}) {
      std::map<Price, Quantity> depth;
      for (const DepthLevel& l : engine.Depth(0, side, SIZE_MAX))
        depth[l.price] = l.quantity;
      if (depth != shown[static_cast<int>(side)]) {
        Fail(conservation, std::string("displayed depth of side ") + std::string(ToString(side)) +
                               " differs from the events");
      }
    }
  }

 private:
  struct Tracked {
    AccountId account = 0;
    ClientOrderId client = 0;
    Side side = Side::kBuy;
    bool iceberg = false;
    bool held_stop = false;
    bool live = true;
    bool replaced_away = false;  // replaced to a total at or below its filled quantity
    Quantity peak = 0;
    Price price = 0;
    Price stop = 0;
    Quantity total = 0;
    Quantity filled = 0;
    Quantity canceled = 0;
    Quantity open = 0;
    Quantity display = 0;
    Sequence entry = 0;  // sequence of the event that put it at the back of its level
  };

  static void Fail(std::string& slot, const std::string& why) {
    if (slot.empty()) slot = why;
  }

  Quantity Shown(const Tracked& o) const { return o.iceberg ? std::min(o.peak, o.open) : o.open; }

  Tracked* Get(OrderId xid, const Event& e) {
    auto it = orders_.find(xid);
    if (it == orders_.end() || !it->second.live) {
      Fail(conservation, "event for an order that is not live: " + ToText(e));
      return nullptr;
    }
    return &it->second;
  }

  void Finish(OrderId xid, Tracked& o) {
    o.live = false;
    died_.push_back(xid);
  }

  void Apply(const Command& cmd, const Event& e) {
    switch (e.type) {
      case EventType::kAccepted: {
        const auto* n = std::get_if<NewOrder>(&cmd.body);
        if (n == nullptr || orders_.contains(e.exchange_order_id) || e.quantity != n->quantity ||
            e.leaves != e.quantity) {
          Fail(conservation, "unexpected ACCEPTED: " + ToText(e));
          return;
        }
        Tracked o;
        o.account = e.account;
        o.client = e.order_id;
        o.side = e.side;
        o.iceberg = n->type == OrderType::kIceberg;
        o.held_stop = n->type == OrderType::kStop || n->type == OrderType::kStopLimit;
        o.peak = n->display_quantity;
        o.price = n->type == OrderType::kMarket || n->type == OrderType::kStop ? 0 : n->price;
        o.stop = n->stop_price;
        o.total = o.open = n->quantity;
        o.display = Shown(o);
        o.entry = e.sequence;
        orders_[e.exchange_order_id] = o;
        return;
      }
      case EventType::kTrade: {
        if (e.account == e.maker_account) {
          Fail(self_trade,
               "two orders of account " + std::to_string(e.account) + " traded: " + ToText(e));
        }
        Tracked* t = Get(e.exchange_order_id, e);
        Tracked* m = Get(e.maker_exchange_order_id, e);
        if (t == nullptr || m == nullptr) return;
        if (m->held_stop || t->held_stop) Fail(conservation, "held stop traded: " + ToText(e));
        if (e.price != m->price) {
          Fail(price, "trade at " + std::to_string(e.price) + " but maker x" +
                          std::to_string(e.maker_exchange_order_id) + " rests at " +
                          std::to_string(m->price) + ": " + ToText(e));
        }
        if (t->price != 0 && (t->side == Side::kBuy ? e.price > t->price : e.price < t->price)) {
          Fail(price,
               "trade beyond the taker's limit " + std::to_string(t->price) + ": " + ToText(e));
        }
        CheckPriority(e, *m);
        const Quantity q = e.quantity;
        if (q <= 0 || q > t->open || q > m->open) {
          Fail(conservation, "trade quantity out of range: " + ToText(e));
          return;
        }
        if (q > m->display) {
          Fail(fifo, "maker traded more than it displayed (" + std::to_string(m->display) +
                         "): " + ToText(e));
        }
        t->open -= q;
        t->filled += q;
        t->display = Shown(*t);
        m->open -= q;
        m->filled += q;
        m->display = std::max<Quantity>(0, m->display - q);
        if (e.leaves != t->open || e.filled != t->filled || e.maker_leaves != m->open ||
            e.maker_filled != m->filled) {
          Fail(conservation, "trade leaves/filled disagree with the events so far: " + ToText(e));
        }
        if (m->display == 0 && m->open > 0) {  // iceberg refill: back of the level
          m->display = Shown(*m);
          m->entry = e.sequence;
        }
        if (m->open == 0) Finish(e.maker_exchange_order_id, *m);
        if (t->open == 0) Finish(e.exchange_order_id, *t);
        return;
      }
      case EventType::kCanceled: {
        Tracked* o = Get(e.exchange_order_id, e);
        if (o == nullptr) return;
        if (e.quantity != o->open || e.leaves != 0) {
          Fail(conservation, "canceled " + std::to_string(e.quantity) + " but open is " +
                                 std::to_string(o->open) + ": " + ToText(e));
        }
        o->canceled += o->open;
        o->open = 0;
        Finish(e.exchange_order_id, *o);
        return;
      }
      case EventType::kReplaced: {
        const auto* r = std::get_if<ReplaceOrder>(&cmd.body);
        Tracked* o = Get(e.exchange_order_id, e);
        if (o == nullptr || r == nullptr) return;
        const Price new_price = r->price != 0 ? r->price : o->price;
        const Price new_stop = r->stop_price != 0 ? r->stop_price : o->stop;
        const Quantity new_total = r->quantity != 0 ? r->quantity : o->total;
        const Quantity leaves = new_total - o->filled;
        if (e.quantity != new_total || e.leaves != std::max<Quantity>(0, leaves)) {
          Fail(conservation, "REPLACED total/leaves wrong: " + ToText(e));
        }
        const bool keeps = new_price == o->price && new_stop == o->stop && new_total <= o->total;
        o->client = e.order_id;
        o->total = new_total;
        if (leaves <= 0) {
          o->open = 0;
          o->replaced_away = true;
          Finish(e.exchange_order_id, *o);
          return;
        }
        if (e.price != new_price) Fail(price, "REPLACED at the wrong price: " + ToText(e));
        o->price = new_price;
        o->stop = new_stop;
        o->open = leaves;
        if (keeps) {
          o->display = std::min(o->display, o->open);
        } else {
          o->display = Shown(*o);
          o->entry = e.sequence;
        }
        return;
      }
      case EventType::kTriggered: {
        Tracked* o = Get(e.exchange_order_id, e);
        if (o == nullptr) return;
        if (!o->held_stop) Fail(conservation, "TRIGGERED an order not held: " + ToText(e));
        o->held_stop = false;
        o->entry = e.sequence;
        o->display = Shown(*o);
        return;
      }
      default: return;
    }
  }

  // At a trade with maker `m`, no resting order on the maker's side may be
  // better priced, nor at the same price and earlier in the queue.
  void CheckPriority(const Event& e, const Tracked& m) {
    for (const auto& [xid, x] : orders_) {
      if (!x.live || x.held_stop || x.side != m.side || xid == e.maker_exchange_order_id) {
        continue;
      }
      const bool better = m.side == Side::kBuy ? x.price > m.price : x.price < m.price;
      if (better) {
        Fail(fifo, "maker x" + std::to_string(e.maker_exchange_order_id) + " at " +
                       std::to_string(m.price) + " traded while x" + std::to_string(xid) +
                       " rests at the better price " + std::to_string(x.price) + ": " + ToText(e));
      } else if (x.price == m.price && x.entry < m.entry) {
        Fail(fifo, "maker x" + std::to_string(e.maker_exchange_order_id) + " (entered #" +
                       std::to_string(m.entry) + ") traded before x" + std::to_string(xid) +
                       " (entered #" + std::to_string(x.entry) + ") at price " +
                       std::to_string(m.price) + ": " + ToText(e));
      }
    }
  }

  std::map<OrderId, Tracked> orders_;  // by exchange id
  std::vector<OrderId> died_;          // finished during the current command
};

// ---------------------------------------------------------------- running properties

void CheckFailure(const std::string& why) {
  if (!why.empty()) RC_FAIL(why);
}

// Drives random scenarios through an engine and a Ledger and fails on the
// first command after which the Ledger's `verdict` holds a failure.
void CheckLedger(std::string Ledger::*verdict, bool check_engine_state = false) {
  CheckProperty(kStreamsPerProperty, [verdict, check_engine_state] {
    const Scenario s = *GenScenario();
    Engine engine(SmallEngine());
    Ledger ledger;
    CheckFailure(Drive(s, engine, nullptr, [&](const Command& cmd, std::span<const Event> ev) {
      ledger.Apply(cmd, ev);
      if (check_engine_state) ledger.CheckEngine(engine);
      return ledger.*verdict;
    }));
  });
}

// What differs between two sets of views (levels, open orders ignoring the
// sequence of their last event, halts), or "".
std::string CompareViews(bookstate::BookViews& kept, bookstate::BookViews& engine) {
  std::string why;
  engine.ForEach([&](bookstate::BookView& want) {
    if (!why.empty()) return;
    const bookstate::BookView* got = kept.Find(want.symbol());
    if (got == nullptr) {
      why = "no view for " + want.symbol();
      return;
    }
    if (got->bids() != want.bids()) why = "bids differ";
    if (got->asks() != want.asks()) why = "asks differ";
    if (got->halted() != want.halted()) why = "halt differs";
    if (got->orders().size() != want.orders().size()) {
      why = "view has " + std::to_string(got->orders().size()) + " open orders, engine " +
            std::to_string(want.orders().size());
    }
    for (const auto& [key, order] : want.orders()) {
      auto it = got->orders().find(key);
      bookstate::OpenOrder o = order;
      if (it != got->orders().end()) o.sequence = it->second.sequence;
      if (it == got->orders().end() || it->second != o) {
        why = "order a" + std::to_string(key.account) + " id" + std::to_string(key.order_id) +
              " differs or is missing";
      }
    }
  });
  return why;
}

// 0. The Redis book state's views, kept from the events and DepthCollector's
// level changes over batches of 1..5 commands, equal the engine's book after
// every batch: every level, every open order, halts.
TEST(EngineProperty, BookViewFollowsTheEngine) {
  CheckProperty(kStreamsPerProperty, [] {
    const Scenario s = *GenScenario();
    const int batch = *rc::gen::inRange(1, 6);
    Engine engine(SmallEngine());
    DepthCollector collector;
    bookstate::BookViews views;
    std::vector<wire::EventRecord> records;
    std::vector<DepthChange> depth;
    int in_batch = 0;
    CheckFailure(Drive(
        s, engine, nullptr,
        [&](const Command&, std::span<const Event> events) -> std::string {
          collector.AfterEvents(events);
          for (const Event& e : events) {
            wire::EventRecord r;
            r.event = e;
            if (e.symbol < engine.symbol_count())
              r.symbol = engine.book(e.symbol).instrument.symbol;
            records.push_back(r);
          }
          if (++in_batch < batch) return "";
          in_batch = 0;
          collector.Finish(engine, &depth);
          views.ApplyBatch(records, depth);
          records.clear();
          depth.clear();
          bookstate::BookViews want = bookstate::SeedBookViews(engine);
          return CompareViews(views, want);
        },
        [&](const Command& cmd) { collector.BeforeCommand(engine, cmd); }));
  });
}

// 1. Best bid < best ask after every command.
TEST(EngineProperty, BookNeverCrossed) {
  CheckProperty(kStreamsPerProperty, [] {
    const Scenario s = *GenScenario();
    Engine engine(SmallEngine());
    CheckFailure(Drive(s, engine, nullptr, [&](const Command&, std::span<const Event>) {
      const auto bid = engine.Depth(0, Side::kBuy, 1);
      const auto ask = engine.Depth(0, Side::kSell, 1);
      if (!bid.empty() && !ask.empty() && bid[0].price >= ask[0].price) {
        return "book crossed: bid " + std::to_string(bid[0].price) + " >= ask " +
               std::to_string(ask[0].price);
      }
      return std::string();
    }));
  });
}

// 2. Per order: submitted (as replaced) = filled + cancelled + resting, with
// the resting part checked against the engine and its displayed depth.
TEST(EngineProperty, QuantityConservedPerOrder) {
  CheckLedger(&Ledger::conservation, /*check_engine_state=*/true);
}

// 3. Every trade is at the maker's limit price as the events told it.
TEST(EngineProperty, TradesAtMakerPrice) {
  CheckLedger(&Ledger::price);
}

// 4. Price-time priority: makers at one price trade in the order in which they
// (re)entered the level; icebergs refill to the back.
TEST(EngineProperty, FifoWithinLevel) {
  CheckLedger(&Ledger::fifo);
}

// No two orders of one account ever trade together.
TEST(EngineProperty, NoSelfTrade) {
  CheckLedger(&Ledger::self_trade);
}

// 5. Replaying the commands on a fresh engine gives the same events and the
// same state hash after every command.
TEST(EngineProperty, ReplayIsDeterministic) {
  CheckProperty(kStreamsPerProperty, [] {
    const Scenario s = *GenScenario();
    Engine first(SmallEngine());
    std::vector<Command> commands;
    std::vector<std::string> events;
    std::vector<std::uint64_t> hashes;
    Drive(s, first, &commands, [&](const Command&, std::span<const Event> ev) {
      std::string text;
      for (const Event& e : ev)
        text += ToText(e) + "\n";
      events.push_back(std::move(text));
      hashes.push_back(first.StateHash());
      return std::string();
    });
    EngineOptions other;  // different pool and index sizes must not matter
    other.expected_orders = 5000;
    Engine second(other);
    for (std::size_t i = 0; i < commands.size(); ++i) {
      std::string text;
      for (const Event& e : second.Process(commands[i]))
        text += ToText(e) + "\n";
      RC_ASSERT(text == events[i]);
      RC_ASSERT(second.StateHash() == hashes[i]);
    }
    RC_ASSERT(second.StateHash() == first.StateHash());
  });
}

// Snapshots: an engine restored from SaveState at any point of a stream has
// the same hash and continues with exactly the events of the original.
TEST(EngineProperty, SnapshotRestoresAndContinuesIdentically) {
  CheckProperty(kStreamsPerProperty, [] {
    const Scenario s = *GenScenario();
    Engine first(SmallEngine());
    std::vector<Command> commands;
    Drive(s, first, &commands,
          [](const Command&, std::span<const Event>) { return std::string(); });
    const auto cut = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, commands.size()));
    Engine original(SmallEngine());
    for (std::size_t i = 0; i < cut; ++i)
      original.Process(commands[i]);
    std::string image;
    original.SaveState(image);
    Engine restored(SmallEngine());
    RC_ASSERT(restored.LoadState(image) == "");
    RC_ASSERT(restored.StateHash() == original.StateHash());
    for (std::size_t i = cut; i < commands.size(); ++i) {
      std::string want, got;
      for (const Event& e : original.Process(commands[i]))
        want += ToText(e) + "\n";
      for (const Event& e : restored.Process(commands[i]))
        got += ToText(e) + "\n";
      RC_ASSERT(got == want);
    }
    RC_ASSERT(restored.StateHash() == original.StateHash());
  });
}

std::string CompareDepth(const Engine& engine, const testing::ReferenceModel& model) {
  for (Side side : {Side::kBuy, Side::kSell}) {
    std::vector<testing::ModelLevel> got;
    for (const DepthLevel& l : engine.Depth(0, side, SIZE_MAX)) {
      got.push_back({l.price, l.quantity, l.orders});
    }
    const std::vector<testing::ModelLevel> want = model.Depth(side);
    if (got != want) {
      // A stream, not string +: GCC 12 reports a false -Wrestrict for
      // " " + std::to_string(...) once this is inlined deep enough.
      std::ostringstream text;
      text << "depth of side " << ToString(side) << " differs\n  engine:";
      for (const auto& l : got)
        text << ' ' << l.price << 'x' << l.quantity << '/' << l.orders;
      text << "\n  model: ";
      for (const auto& l : want)
        text << ' ' << l.price << 'x' << l.quantity << '/' << l.orders;
      return text.str();
    }
  }
  if (engine.live_orders() != model.live_orders()) {
    return "live orders: engine " + std::to_string(engine.live_orders()) + ", model " +
           std::to_string(model.live_orders());
  }
  return "";
}

// 6. The engine and the reference model agree event for event (every trade,
// rejection, cancellation, replacement and trigger) and on the depth.
TEST(EngineProperty, AgreesWithReferenceModel) {
  CheckProperty(kStreamsPerProperty, [] {
    const Scenario s = *GenScenario();
    Engine engine(SmallEngine());
    testing::ReferenceModel model;
    CheckFailure(Drive(s, engine, nullptr, [&](const Command& cmd, std::span<const Event> ev) {
      const std::vector<Event> want = model.Process(cmd);
      bool same = want.size() == ev.size();
      for (std::size_t i = 0; same && i < want.size(); ++i)
        same = ToText(want[i]) == ToText(ev[i]);
      if (!same) {
        return "engine and model disagree\nmodel events:\n" + ToText(want);
      }
      return CompareDepth(engine, model);
    }));
  });
}

// ---------------------------------------------------------------- generator coverage

// The generator must keep reaching every outcome the properties are meant to
// cover (fixed seeds, so this is deterministic).
TEST(EngineProperty, GeneratorReachesEveryOutcome) {
  std::map<std::string, int> seen;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const Scenario s = GenScenario()(rc::Random(seed), 100).value();
    Engine engine(SmallEngine());
    Drive(s, engine, nullptr, [&](const Command&, std::span<const Event> ev) {
      for (const Event& e : ev) {
        std::string key(ToString(e.type));
        if (e.type == EventType::kRejected) key += " " + std::string(ToString(e.reject_reason));
        if (e.type == EventType::kCanceled) key += " " + std::string(ToString(e.cancel_reason));
        if (e.type == EventType::kTrade || e.type == EventType::kTriggered) {
          key += " " + std::string(ToString(e.order_type));
        }
        if (e.type == EventType::kReplaced) key += e.leaves == 0 ? " done" : " live";
        ++seen[key];
      }
      return std::string();
    });
  }
  for (const char* key : {"TRADE LIMIT",
                          "TRADE MARKET",
                          "TRADE ICEBERG",
                          "TRIGGERED LIMIT",
                          "TRIGGERED MARKET",
                          "REPLACED live",
                          "REPLACED done",
                          "HALTED",
                          "RESUMED",
                          "CANCELED USER_REQUEST",
                          "CANCELED MASS_CANCEL",
                          "CANCELED IOC_REMAINDER",
                          "CANCELED SELF_TRADE",
                          "CANCELED PROTECTION_REACHED",
                          "CANCELED NO_LIQUIDITY",
                          "CANCELED FOK_CANNOT_FILL",
                          "REJECTED FOK_CANNOT_FILL",
                          "REJECTED POST_ONLY_WOULD_TRADE",
                          "REJECTED NO_LIQUIDITY",
                          "REJECTED INVALID_STOP_PRICE",
                          "REJECTED DUPLICATE_CLIENT_ORDER_ID",
                          "REJECTED NOT_YOUR_ORDER",
                          "REJECTED UNKNOWN_ORDER",
                          "REJECTED UNKNOWN_SYMBOL",
                          "REJECTED HALTED",
                          "REJECTED PRICE_OUTSIDE_BAND",
                          "REJECTED PRICE_NOT_ON_TICK",
                          "REJECTED QUANTITY_NOT_ON_LOT",
                          "REJECTED QUANTITY_OUT_OF_RANGE",
                          "REJECTED INVALID_DISPLAY_QUANTITY",
                          "REJECTED INVALID_PRICE"}) {
    EXPECT_GE(seen[key], 5) << key;
  }
}

// ---------------------------------------------------------------- directed examples

// Runs hand-written commands on the engine and the model side by side; every
// command must give identical events.
class Both {
 public:
  explicit Both(const Config& config = Config{}) : engine(SmallEngine()) {
    InstrumentSpec spec = SpecOf(config);
    spec.max_quantity = 1000 * spec.lot_size;
    Run(AddInstrument{spec});
  }

  std::vector<Event> Run(const CommandBody& body) {
    Command cmd;
    cmd.timestamp = ts_ += 10;
    cmd.body = body;
    const std::span<const Event> got = engine.Process(cmd);
    const std::vector<Event> want = model.Process(cmd);
    EXPECT_EQ(ToText(got), ToText(want)) << ToText(cmd);
    return std::vector<Event>(got.begin(), got.end());
  }

  Engine engine;
  testing::ReferenceModel model;

 private:
  Timestamp ts_ = 1'000;
};

NewOrder Limit(AccountId a, ClientOrderId id, Side side, Price price, Quantity qty,
               TimeInForce tif = TimeInForce::kGtc, StpMode stp = StpMode::kInstrumentDefault) {
  NewOrder n;
  n.account = a;
  n.symbol = 0;
  n.order_id = id;
  n.side = side;
  n.price = price;
  n.quantity = qty;
  n.tif = tif;
  n.stp = stp;
  return n;
}

NewOrder Iceberg(AccountId a, ClientOrderId id, Side side, Price price, Quantity qty,
                 Quantity display) {
  NewOrder n = Limit(a, id, side, price, qty);
  n.type = OrderType::kIceberg;
  n.display_quantity = display;
  return n;
}

NewOrder Stop(AccountId a, ClientOrderId id, Side side, Price stop, Quantity qty) {
  NewOrder n = Limit(a, id, side, 0, qty);
  n.type = OrderType::kStop;
  n.stop_price = stop;
  return n;
}

// (maker account, maker client id, price, quantity) of each trade.
std::vector<std::tuple<AccountId, ClientOrderId, Price, Quantity>> Fills(
    const std::vector<Event>& events) {
  std::vector<std::tuple<AccountId, ClientOrderId, Price, Quantity>> out;
  for (const Event& e : events) {
    if (e.type == EventType::kTrade) {
      out.emplace_back(e.maker_account, e.maker_order_id, e.price, e.quantity);
    }
  }
  return out;
}

using Fill = std::tuple<AccountId, ClientOrderId, Price, Quantity>;

TEST(EngineModelExamples, FokCancelIncomingCountsOnlyIcebergDisplayAheadOfSelfOrder) {
  Both b;
  b.Run(Iceberg(1, 1, Side::kBuy, 101, 20, 10));
  b.Run(Limit(2, 1, Side::kBuy, 101, 10));
  // Would meet a1's 10 shown, then its own order: the refill went behind it.
  auto ev = b.Run(Limit(2, 2, Side::kSell, 96, 20, TimeInForce::kFok, StpMode::kCancelIncoming));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].reject_reason, RejectReason::kFokCannotFill);
  // CANCEL_RESTING removes the self order instead, so all of the iceberg counts.
  ev = b.Run(Limit(2, 3, Side::kSell, 96, 20, TimeInForce::kFok, StpMode::kCancelResting));
  EXPECT_EQ(Fills(ev), (std::vector<Fill>{{1, 1, 101, 10}, {1, 1, 101, 10}}));
  EXPECT_EQ(b.engine.Depth(0, Side::kBuy, 10).size(), 0u);
}

TEST(EngineModelExamples, FokCancelIncomingCountsBetterLevelsFully) {
  Both b;
  b.Run(Iceberg(1, 1, Side::kSell, 100, 30, 5));
  b.Run(Limit(2, 1, Side::kSell, 101, 5));
  auto ev = b.Run(Limit(2, 2, Side::kBuy, 101, 31, TimeInForce::kFok, StpMode::kCancelIncoming));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].reject_reason, RejectReason::kFokCannotFill);
  ev = b.Run(Limit(2, 3, Side::kBuy, 101, 30, TimeInForce::kFok, StpMode::kCancelIncoming));
  EXPECT_EQ(Fills(ev).size(), 6u);
  for (const Fill& f : Fills(ev))
    EXPECT_EQ(std::get<2>(f), 100);
}

TEST(EngineModelExamples, IcebergRefillGoesToTheBackOfItsLevel) {
  Both b;
  b.Run(Iceberg(1, 1, Side::kSell, 100, 30, 10));
  b.Run(Limit(2, 1, Side::kSell, 100, 10));
  const auto ev = b.Run(Limit(3, 1, Side::kBuy, 100, 25));
  EXPECT_EQ(Fills(ev), (std::vector<Fill>{{1, 1, 100, 10}, {2, 1, 100, 10}, {1, 1, 100, 5}}));
}

TEST(EngineModelExamples, ReplaceDecreaseKeepsPriorityIncreaseLosesIt) {
  Both b;
  b.Run(Limit(1, 1, Side::kSell, 100, 10));
  b.Run(Limit(2, 1, Side::kSell, 100, 10));
  b.Run(ReplaceOrder{1, 0, 1, 0, 0, 0, 8, 0});  // 10 → 8: stays first
  EXPECT_EQ(Fills(b.Run(Limit(3, 1, Side::kBuy, 100, 3))), (std::vector<Fill>{{1, 1, 100, 3}}));
  b.Run(ReplaceOrder{1, 0, 1, 0, 0, 0, 12, 0});  // 8 → 12: to the back
  EXPECT_EQ(Fills(b.Run(Limit(3, 2, Side::kBuy, 100, 12))),
            (std::vector<Fill>{{2, 1, 100, 10}, {1, 1, 100, 2}}));
  // New total at or below the filled quantity: done.
  const auto ev = b.Run(ReplaceOrder{1, 0, 1, 0, 0, 0, 4, 0});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, EventType::kReplaced);
  EXPECT_EQ(ev[0].leaves, 0);
  EXPECT_EQ(b.engine.live_orders(), 0u);  // a2's order was filled, a1's is done
}

TEST(EngineModelExamples, ReplaceByExchangeIdKeepsTheClientId) {
  Both b;
  const auto accepted = b.Run(Limit(1, 7, Side::kBuy, 99, 10));
  const OrderId xid = accepted.at(0).exchange_order_id;
  const auto ev = b.Run(ReplaceOrder{1, 0, /*order_id=*/0, xid, /*new_order_id=*/0, 0, 5, 0});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, EventType::kReplaced);
  EXPECT_EQ(ev[0].order_id, 7u);
  EXPECT_NE(b.engine.FindOrder(1, 7), nullptr);
  EXPECT_EQ(b.engine.FindOrder(1, 0), nullptr);
}

TEST(EngineModelExamples, StopsTriggerInStopPriceOrderThenTime) {
  Both b;
  b.Run(Limit(1, 1, Side::kSell, 100, 1));
  b.Run(Limit(2, 1, Side::kBuy, 100, 1));  // last trade 100
  b.Run(Stop(3, 1, Side::kBuy, 103, 1));
  b.Run(Stop(3, 2, Side::kBuy, 102, 1));
  b.Run(Stop(4, 1, Side::kBuy, 102, 1));
  const auto reached = b.Run(Stop(4, 2, Side::kBuy, 100, 1));
  EXPECT_EQ(reached.at(0).reject_reason, RejectReason::kInvalidStopPrice);
  b.Run(Limit(1, 2, Side::kSell, 104, 10));
  b.Run(Limit(1, 3, Side::kSell, 103, 1));
  const auto ev = b.Run(Limit(2, 2, Side::kBuy, 103, 1));  // trade at 103
  std::vector<std::pair<AccountId, ClientOrderId>> order;
  for (const Event& e : ev) {
    if (e.type == EventType::kTriggered) order.emplace_back(e.account, e.order_id);
  }
  EXPECT_EQ(order, (std::vector<std::pair<AccountId, ClientOrderId>>{{3, 2}, {4, 1}, {3, 1}}));
}

TEST(EngineModelExamples, MarketStopsAtItsProtectionPrice) {
  Config c;
  c.protection = 2;
  Both b(c);
  b.Run(Limit(1, 1, Side::kSell, 100, 5));
  b.Run(Limit(1, 2, Side::kSell, 102, 5));
  b.Run(Limit(1, 3, Side::kSell, 103, 5));
  NewOrder m = Limit(2, 1, Side::kBuy, 0, 20);
  m.type = OrderType::kMarket;
  const auto ev = b.Run(m);
  EXPECT_EQ(Fills(ev), (std::vector<Fill>{{1, 1, 100, 5}, {1, 2, 102, 5}}));
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().cancel_reason, CancelReason::kProtectionReached);
  EXPECT_EQ(ev.back().quantity, 10);
}

}  // namespace
}  // namespace exchange
