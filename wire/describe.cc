#include "wire/describe.h"

#include <string_view>
#include <utility>
#include <variant>

namespace exchange::wire {
namespace {

using Json = nlohmann::ordered_json;

// The symbol as printable text: bytes outside '!'..'~' become '?'.
std::string SymbolText(const SymbolName& s, std::string_view if_empty) {
  std::string text(s.view().empty() ? if_empty : s.view());
  for (char& c : text) {
    if (c < '!' || c > '~') c = '?';
  }
  return text;
}

// Builds one line of space-separated words and name=value fields.
class Line {
 public:
  explicit Line(std::string_view head) : text_(head) {}

  Line& Word(std::string_view word) {
    text_ += ' ';
    text_ += word;
    return *this;
  }
  template <typename T>
  Line& Field(std::string_view name, T value) {
    text_ += ' ';
    text_ += name;
    text_ += '=';
    text_ += std::to_string(value);
    return *this;
  }
  Line& Named(std::string_view name, std::string_view value) {
    text_ += ' ';
    text_ += name;
    text_ += '=';
    text_ += value;
    return *this;
  }
  template <typename T>
  Line& NonZero(std::string_view name, T value) {
    return value != 0 ? Field(name, value) : *this;
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

// ------------------------------------------------------------ command text

struct CommandLine {
  const SymbolName& symbol;

  std::string operator()(const NewOrder& o) const {
    Line line("NEW");
    line.Field("acct", o.account).Field("id", o.order_id).Word(SymbolText(symbol, "-"));
    line.Word(ToString(o.side)).Word(ToString(o.type)).Word(ToString(o.tif));
    line.Field("px", o.price).Field("qty", o.quantity);
    line.NonZero("stop", o.stop_price).NonZero("display", o.display_quantity);
    line.NonZero("quote_qty", o.quote_quantity);
    if (o.stp != StpMode::kInstrumentDefault) line.Named("stp", ToString(o.stp));
    return line.Take();
  }
  std::string operator()(const CancelOrder& c) const {
    Line line("CANCEL");
    line.Field("acct", c.account).Field("id", c.order_id).Word(SymbolText(symbol, "-"));
    line.NonZero("xid", c.exchange_order_id);
    return line.Take();
  }
  std::string operator()(const ReplaceOrder& r) const {
    Line line("REPLACE");
    line.Field("acct", r.account).Field("id", r.order_id).Word(SymbolText(symbol, "-"));
    line.NonZero("xid", r.exchange_order_id).NonZero("new_id", r.new_order_id);
    line.NonZero("px", r.price).NonZero("qty", r.quantity).NonZero("stop", r.stop_price);
    return line.Take();
  }
  std::string operator()(const MassCancel& m) const {
    return Line("MASS_CANCEL").Field("acct", m.account).Word(SymbolText(symbol, "ALL")).Take();
  }
  std::string operator()(const HaltSymbol&) const {
    return Line("HALT").Word(SymbolText(symbol, "-")).Take();
  }
  std::string operator()(const ResumeSymbol&) const {
    return Line("RESUME").Word(SymbolText(symbol, "-")).Take();
  }
  std::string operator()(const AddInstrument& a) const {
    const InstrumentSpec& s = a.spec;
    Line line("ADD_INSTRUMENT");
    line.Word(SymbolText(s.symbol, "-")).Field("tick", s.tick_size).Field("lot", s.lot_size);
    line.Field("min", s.min_quantity).Field("max", s.max_quantity);
    line.Field("band_bps", s.price_band_bps).Field("ref", s.reference_price);
    line.Field("protection", s.market_protection_ticks);
    line.Named("stp", ToString(s.default_stp));
    if (s.risk != RiskMode::kNone) {
      line.Named("risk", ToString(s.risk)).Field("base", s.base_asset);
      line.Field("quote", s.quote_asset).Field("base_mult", s.base_multiplier);
      line.Field("quote_exp", s.quote_exponent).Field("maker_ppm", s.fees.maker_ppm);
      line.Field("taker_ppm", s.fees.taker_ppm);
    }
    return line.Take();
  }
  std::string operator()(const AddAsset& a) const {
    Line line("ADD_ASSET");
    return line.Word(SymbolText(a.spec.name, "-")).Field("decimals", a.spec.decimals).Take();
  }
  std::string operator()(const Deposit& d) const {
    return Transfer("DEPOSIT", d.account, d.amount, d.transfer);
  }
  std::string operator()(const Withdraw& d) const {
    return Transfer("WITHDRAW", d.account, d.amount, d.transfer);
  }
  std::string operator()(const SetFees& f) const {
    Line line("SET_FEES");
    line.Word(SymbolText(symbol, "-"));
    if (f.for_account) {
      line.Field("acct", f.account);
    } else {
      line.Word("default");
    }
    if (f.clear) return line.Word("clear").Take();
    return line.Field("maker_ppm", f.rates.maker_ppm).Field("taker_ppm", f.rates.taker_ppm).Take();
  }
  // `symbol` is the asset's name.
  std::string Transfer(std::string_view head, AccountId account, Amount amount,
                       TransferId transfer) const {
    Line line(head);
    line.Field("acct", account).Field("transfer", transfer).Word(SymbolText(symbol, "-"));
    return line.Field("amount", amount).Take();
  }
};

// ------------------------------------------------------------ command JSON

struct CommandJson {
  Json& j;

  void operator()(const NewOrder& o) const {
    j["type"] = "NEW";
    j["account"] = o.account;
    j["order_id"] = o.order_id;
    j["side"] = ToString(o.side);
    j["order_type"] = ToString(o.type);
    j["tif"] = ToString(o.tif);
    j["stp"] = ToString(o.stp);
    j["price"] = o.price;
    j["quantity"] = o.quantity;
    j["stop_price"] = o.stop_price;
    j["display_quantity"] = o.display_quantity;
    j["quote_quantity"] = o.quote_quantity;
  }
  void operator()(const CancelOrder& c) const {
    j["type"] = "CANCEL";
    j["account"] = c.account;
    j["order_id"] = c.order_id;
    j["exchange_order_id"] = c.exchange_order_id;
  }
  void operator()(const ReplaceOrder& r) const {
    j["type"] = "REPLACE";
    j["account"] = r.account;
    j["order_id"] = r.order_id;
    j["exchange_order_id"] = r.exchange_order_id;
    j["new_order_id"] = r.new_order_id;
    j["price"] = r.price;
    j["quantity"] = r.quantity;
    j["stop_price"] = r.stop_price;
  }
  void operator()(const MassCancel& m) const {
    j["type"] = "MASS_CANCEL";
    j["account"] = m.account;
  }
  void operator()(const HaltSymbol&) const { j["type"] = "HALT"; }
  void operator()(const ResumeSymbol&) const { j["type"] = "RESUME"; }
  void operator()(const AddInstrument& a) const {
    const InstrumentSpec& s = a.spec;
    j["type"] = "ADD_INSTRUMENT";
    j["tick_size"] = s.tick_size;
    j["lot_size"] = s.lot_size;
    j["min_quantity"] = s.min_quantity;
    j["max_quantity"] = s.max_quantity;
    j["price_band_bps"] = s.price_band_bps;
    j["reference_price"] = s.reference_price;
    j["market_protection_ticks"] = s.market_protection_ticks;
    j["default_stp"] = ToString(s.default_stp);
    j["risk"] = ToString(s.risk);
    j["base_asset"] = s.base_asset;
    j["quote_asset"] = s.quote_asset;
    j["base_multiplier"] = s.base_multiplier;
    j["quote_exponent"] = s.quote_exponent;
    j["maker_ppm"] = s.fees.maker_ppm;
    j["taker_ppm"] = s.fees.taker_ppm;
  }
  void operator()(const AddAsset& a) const {
    j["type"] = "ADD_ASSET";
    j["decimals"] = a.spec.decimals;
  }
  void operator()(const Deposit& d) const { Transfer("DEPOSIT", d.account, d.amount, d.transfer); }
  void operator()(const Withdraw& d) const {
    Transfer("WITHDRAW", d.account, d.amount, d.transfer);
  }
  void operator()(const SetFees& f) const {
    j["type"] = "SET_FEES";
    j["for_account"] = f.for_account;
    j["account"] = f.account;
    j["clear"] = f.clear;
    j["maker_ppm"] = f.rates.maker_ppm;
    j["taker_ppm"] = f.rates.taker_ppm;
  }
  void Transfer(std::string_view type, AccountId account, Amount amount,
                TransferId transfer) const {
    j["type"] = type;
    j["account"] = account;
    j["amount"] = amount;
    j["transfer"] = transfer;
  }
};

// The name on the wire: the instrument's or asset's own for AddInstrument
// and AddAsset, the record's otherwise.
const SymbolName& WireSymbol(const CommandRecord& r) {
  if (const auto* add = std::get_if<AddInstrument>(&r.command.body)) return add->spec.symbol;
  if (const auto* asset = std::get_if<AddAsset>(&r.command.body)) return asset->spec.name;
  return r.symbol;
}

// -------------------------------------------------------------- event text

void OrderFields(Line& line, const Event& e) {
  line.Field("acct", e.account).Field("id", e.order_id).Field("xid", e.exchange_order_id);
  line.Word(ToString(e.side));
}

void BalanceFields(Line& line, const EventRecord& r) {
  const Event& e = r.event;
  line.Field("acct", e.account).Named("asset", SymbolText(r.asset, "?"));
  line.Named("reason", ToString(e.balance_reason));
  line.Field("available", e.available).Field("held", e.held);
  line.Field("available_delta", e.available_delta).Field("held_delta", e.held_delta);
  const bool transfer =
      e.balance_reason == BalanceReason::kDeposit || e.balance_reason == BalanceReason::kWithdraw;
  if (transfer) {
    line.Field("transfer", e.order_id);
  } else {
    line.NonZero("id", e.order_id).NonZero("xid", e.exchange_order_id);
  }
  line.NonZero("trade_seq", e.trade_sequence);
}

void FeesSetFields(Line& line, const Event& e) {
  if (e.price == 0) {
    line.Word("default");
  } else {
    line.Field("acct", e.account);
  }
  if (e.price == 2) {
    line.Word("clear");
  } else {
    line.Field("maker_ppm", e.maker_ppm).Field("taker_ppm", e.taker_ppm);
  }
}

void DescribeEventBody(Line& line, const EventRecord& r) {
  const Event& e = r.event;
  switch (e.type) {
    case EventType::kAccepted:
      OrderFields(line, e);
      line.Word(ToString(e.order_type)).Field("px", e.price).Field("qty", e.quantity);
      line.Field("leaves", e.leaves).NonZero("stop", e.stop_price);
      return;
    case EventType::kRejected:
      if (!r.asset.view().empty()) {  // a deposit or withdrawal
        line.Field("acct", e.account).Field("transfer", e.order_id);
        line.Named("asset", SymbolText(r.asset, "?")).Field("amount", e.quantity);
      } else {
        line.Field("acct", e.account).Field("id", e.order_id).Word(ToString(e.side));
        line.Field("px", e.price).Field("qty", e.quantity);
      }
      line.Named("reason", ToString(e.reject_reason));
      return;
    case EventType::kTrade:
      OrderFields(line, e);
      line.Field("px", e.price).Field("qty", e.quantity).Field("leaves", e.leaves);
      line.Field("filled", e.filled).Field("maker_acct", e.maker_account);
      line.Field("maker_id", e.maker_order_id).Field("maker_xid", e.maker_exchange_order_id);
      line.Field("maker_leaves", e.maker_leaves).Field("maker_filled", e.maker_filled);
      return;
    case EventType::kCanceled:
      OrderFields(line, e);
      line.Field("px", e.price).Field("qty", e.quantity).Field("leaves", e.leaves);
      line.Named("reason", ToString(e.cancel_reason));
      return;
    case EventType::kReplaced:
      OrderFields(line, e);
      line.Field("px", e.price).Field("qty", e.quantity).Field("leaves", e.leaves);
      return;
    case EventType::kTriggered:
      OrderFields(line, e);
      line.Field("px", e.price).Field("stop", e.stop_price);
      return;
    case EventType::kHalted:
    case EventType::kResumed:
    case EventType::kInstrumentAdded: return;
    case EventType::kBalance: BalanceFields(line, r); return;
    case EventType::kAssetAdded:
      line.Named("asset", SymbolText(r.asset, "?")).Field("asset_id", e.asset);
      line.Field("decimals", e.quantity);
      return;
    case EventType::kFeesSet: FeesSetFields(line, e); return;
  }
}

// ------------------------------------------------------------- event JSON

void OrderEventJson(Json& j, const Event& e) {
  j["side"] = ToString(e.side);
  j["order_type"] = ToString(e.order_type);
  j["reject_reason"] = ToString(e.reject_reason);
  j["cancel_reason"] = ToString(e.cancel_reason);
  j["symbol_id"] = e.symbol;
  j["account"] = e.account;
  j["order_id"] = e.order_id;
  j["exchange_order_id"] = e.exchange_order_id;
  j["price"] = e.price;
  j["quantity"] = e.quantity;
  j["leaves"] = e.leaves;
  j["filled"] = e.filled;
  j["stop_price"] = e.stop_price;
  j["maker_account"] = e.maker_account;
  j["maker_order_id"] = e.maker_order_id;
  j["maker_exchange_order_id"] = e.maker_exchange_order_id;
  j["maker_leaves"] = e.maker_leaves;
  j["maker_filled"] = e.maker_filled;
  j["asset_id"] = e.asset;
}

void BalanceJson(Json& j, const Event& e) {
  j["side"] = ToString(e.side);
  j["balance_reason"] = ToString(e.balance_reason);
  j["symbol_id"] = e.symbol;
  j["account"] = e.account;
  j["asset_id"] = e.asset;
  j["order_id"] = e.order_id;
  j["exchange_order_id"] = e.exchange_order_id;
  j["trade_sequence"] = e.trade_sequence;
  j["available"] = e.available;
  j["held"] = e.held;
  j["available_delta"] = e.available_delta;
  j["held_delta"] = e.held_delta;
}

void FeesSetJson(Json& j, const Event& e) {
  j["symbol_id"] = e.symbol;
  j["account"] = e.account;
  j["price"] = e.price;
  j["maker_ppm"] = e.maker_ppm;
  j["taker_ppm"] = e.taker_ppm;
}

}  // namespace

std::string Describe(const CommandRecord& record) {
  std::string text = std::visit(CommandLine{WireSymbol(record)}, record.command.body);
  return Line(text)
      .Field("pseq", record.producer_sequence)
      .Field("ts", record.command.timestamp)
      .Take();
}

std::string Describe(const EventRecord& record) {
  const Event& e = record.event;
  Line line(ToString(e.type));
  line.Field("seq", e.sequence).Word(SymbolText(record.symbol, "-"));
  DescribeEventBody(line, record);
  return line.Field("ts", e.timestamp).Take();
}

nlohmann::ordered_json ToJson(const CommandRecord& record) {
  Json j;
  j["type"] = nullptr;  // first key; the visitor fills it
  j["producer_sequence"] = record.producer_sequence;
  j["timestamp"] = record.command.timestamp;
  j["symbol"] = SymbolText(WireSymbol(record), "");
  std::visit(CommandJson{j}, record.command.body);
  return j;
}

nlohmann::ordered_json ToJson(const EventRecord& record) {
  const Event& e = record.event;
  Json j;
  j["type"] = ToString(e.type);
  j["symbol"] = SymbolText(record.symbol, "");
  j["asset"] = SymbolText(record.asset, "");
  j["sequence"] = e.sequence;
  j["timestamp"] = e.timestamp;
  switch (e.type) {
    case EventType::kBalance: BalanceJson(j, e); break;
    case EventType::kAssetAdded:
      j["asset_id"] = e.asset;
      j["quantity"] = e.quantity;
      break;
    case EventType::kFeesSet: FeesSetJson(j, e); break;
    default: OrderEventJson(j, e); break;
  }
  return j;
}

nlohmann::ordered_json ToJson(const CommandBatch& batch) {
  Json records = Json::array();
  for (const CommandRecord& r : batch.records)
    records.push_back(ToJson(r));
  return Json{{"kind", "commands"},
              {"version", batch.version},
              {"producer_id", batch.producer_id},
              {"records", std::move(records)}};
}

nlohmann::ordered_json ToJson(const EventBatch& batch) {
  Json records = Json::array();
  for (const EventRecord& r : batch.records)
    records.push_back(ToJson(r));
  return Json{{"kind", "events"}, {"version", batch.version}, {"records", std::move(records)}};
}

}  // namespace exchange::wire
