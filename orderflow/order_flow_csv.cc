#include "orderflow/order_flow_csv.h"

#include <sstream>

#include "orderflow/csv_fields.h"

namespace exchange {

namespace {

enum Column {
  kAction,
  kTs,
  kAccount,
  kOrderId,
  kSymbol,
  kSide,
  kType,
  kTif,
  kPrice,
  kQty,
  kStop,
  kDisplay,
  kStp,
  kColumns
};

constexpr std::string_view kColumnNames[kColumns] = {
    "action", "ts_ns", "account", "order_id",   "symbol",      "side", "type",
    "tif",    "price", "qty",     "stop_price", "display_qty", "stp"};

class LineParser {
 public:
  LineParser(std::string_view line, std::size_t number) : number_(number) {
    fields_ = SplitCsv(line);
    if (fields_.size() != kColumns) {
      Fail("expected " + std::to_string(kColumns) + " fields, found " +
           std::to_string(fields_.size()));
    }
  }

  std::string_view Text(Column c) const { return fields_[c]; }
  bool Empty(Column c) const { return fields_[c].empty(); }

  // Integer field; empty gives `fallback` unless the field is required.
  std::int64_t Int(Column c, bool required, std::int64_t fallback = 0) const {
    if (fields_[c].empty()) {
      if (required) Fail(std::string(kColumnNames[c]) + " is required");
      return fallback;
    }
    auto v = ParseInt(fields_[c]);
    if (!v)
      Fail(std::string(kColumnNames[c]) + " '" + std::string(fields_[c]) + "' is not an integer");
    return *v;
  }

  template <typename T>
  T Enum(Column c, std::optional<T> (*parse)(std::string_view), T fallback) const {
    if (fields_[c].empty()) return fallback;
    auto v = parse(fields_[c]);
    if (!v) Fail(std::string(kColumnNames[c]) + " '" + std::string(fields_[c]) + "' is unknown");
    return *v;
  }

  [[noreturn]] void Fail(const std::string& what) const { throw OrderFlowError(number_, what); }

 private:
  std::size_t number_;
  std::vector<std::string_view> fields_;
};

template <typename T>
T CheckedUnsigned(const LineParser& p, Column c, bool required, std::int64_t max) {
  const std::int64_t v = p.Int(c, required);
  if (v < 0 || v > max) p.Fail(std::string(kColumnNames[c]) + " out of range");
  return static_cast<T>(v);
}

// A D or W row: account, transfer id, asset name and amount, all required.
template <typename Transfer>
Transfer ParseTransfer(const LineParser& p, const AssetResolver& assets) {
  Transfer t;
  t.account = CheckedUnsigned<AccountId>(p, kAccount, true, UINT32_MAX);
  t.transfer = CheckedUnsigned<TransferId>(p, kOrderId, true, INT64_MAX);
  if (p.Empty(kSymbol)) p.Fail("symbol (the asset) is required");
  t.asset = assets ? assets(p.Text(kSymbol)) : kUnknownAsset;
  t.amount = p.Int(kQty, true);
  return t;
}

// D and W rows; nullopt for any other action.
std::optional<CommandBody> ParseTransferLine(const LineParser& p, const AssetResolver& assets) {
  if (p.Text(kAction) == "D") return ParseTransfer<Deposit>(p, assets);
  if (p.Text(kAction) == "W") return ParseTransfer<Withdraw>(p, assets);
  return std::nullopt;
}

}  // namespace

Command ParseOrderFlowLine(std::string_view line, std::size_t number, const SymbolResolver& symbols,
                           const AssetResolver& assets) {
  LineParser p(line, number);
  Command cmd;
  cmd.timestamp = p.Int(kTs, false);
  if (std::optional<CommandBody> transfer = ParseTransferLine(p, assets)) {
    cmd.body = *transfer;
    return cmd;
  }
  const auto account = CheckedUnsigned<AccountId>(
      p, kAccount, p.Text(kAction) != "H" && p.Text(kAction) != "U", UINT32_MAX);
  const SymbolId symbol = p.Empty(kSymbol) ? kAllSymbols : symbols(p.Text(kSymbol));
  const std::string_view action = p.Text(kAction);

  if (action == "N") {
    NewOrder o;
    o.account = account;
    o.symbol = p.Empty(kSymbol) ? (p.Fail("symbol is required"), kUnknownSymbol) : symbol;
    o.order_id = CheckedUnsigned<ClientOrderId>(p, kOrderId, true, INT64_MAX);
    o.side = p.Enum<Side>(kSide, ParseSide, Side::kBuy);
    if (p.Empty(kSide)) p.Fail("side is required (B or S)");
    o.type = p.Enum<OrderType>(kType, ParseOrderType, OrderType::kLimit);
    o.tif = p.Enum<TimeInForce>(kTif, ParseTimeInForce, TimeInForce::kGtc);
    o.stp = p.Enum<StpMode>(kStp, ParseStpMode, StpMode::kInstrumentDefault);
    o.price = p.Int(kPrice, false);
    o.quantity = p.Int(kQty, true);
    o.stop_price = p.Int(kStop, false);
    o.display_quantity = p.Int(kDisplay, false);
    cmd.body = o;
  } else if (action == "C") {
    CancelOrder c;
    c.account = account;
    c.symbol = p.Empty(kSymbol) ? (p.Fail("symbol is required"), kUnknownSymbol) : symbol;
    c.order_id = CheckedUnsigned<ClientOrderId>(p, kOrderId, true, INT64_MAX);
    cmd.body = c;
  } else if (action == "R") {
    ReplaceOrder r;
    r.account = account;
    r.symbol = p.Empty(kSymbol) ? (p.Fail("symbol is required"), kUnknownSymbol) : symbol;
    r.order_id = CheckedUnsigned<ClientOrderId>(p, kOrderId, true, INT64_MAX);
    r.price = p.Int(kPrice, false);
    r.quantity = p.Int(kQty, false);
    r.stop_price = p.Int(kStop, false);
    if (r.price == 0 && r.quantity == 0 && r.stop_price == 0) {
      p.Fail("replace needs a new price, qty or stop_price");
    }
    cmd.body = r;
  } else if (action == "M") {
    cmd.body = MassCancel{account, symbol};
  } else if (action == "H" || action == "U") {
    if (p.Empty(kSymbol)) p.Fail("symbol is required");
    if (action == "H") {
      cmd.body = HaltSymbol{symbol};
    } else {
      cmd.body = ResumeSymbol{symbol};
    }
  } else {
    p.Fail("action '" + std::string(action) + "' is not one of N C R M H U D W");
  }
  return cmd;
}

namespace {

std::string Num(std::int64_t v, bool blank_if_zero = true) {
  return blank_if_zero && v == 0 ? std::string() : std::to_string(v);
}

// The comment line standing for a SetFees.
std::string SetFeesComment(const SetFees& c, const std::string& symbol) {
  std::string out = "#set-fees " + symbol;
  out += c.for_account ? " acct=" + std::to_string(c.account) : std::string(" default");
  if (c.clear) return out + " clear";
  return out + " maker_ppm=" + std::to_string(c.rates.maker_ppm) +
         " taker_ppm=" + std::to_string(c.rates.taker_ppm);
}

}  // namespace

std::string FormatOrderFlowLine(const Command& command,
                                const std::function<std::string(SymbolId)>& name,
                                const std::function<std::string(AssetId)>& asset_name) {
  const auto transfer = [&](char action, const auto& t) {
    return std::string(1, action) + ',' + std::to_string(command.timestamp) + ',' +
           std::to_string(t.account) + ',' + std::to_string(t.transfer) + ',' +
           (asset_name ? asset_name(t.asset) : std::string()) + ",,,,," + std::to_string(t.amount) +
           ",,,";
  };
  std::ostringstream out;
  const std::string ts = std::to_string(command.timestamp);
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, NewOrder>) {
          out << "N," << ts << ',' << c.account << ',' << c.order_id << ',' << name(c.symbol) << ','
              << ToString(c.side) << ',' << ToString(c.type) << ',' << ToString(c.tif) << ','
              << Num(c.price) << ',' << c.quantity << ',' << Num(c.stop_price) << ','
              << Num(c.display_quantity) << ','
              << (c.stp == StpMode::kInstrumentDefault ? "" : ToString(c.stp));
        } else if constexpr (std::is_same_v<T, CancelOrder>) {
          out << "C," << ts << ',' << c.account << ',' << c.order_id << ',' << name(c.symbol)
              << ",,,,,,,,";
        } else if constexpr (std::is_same_v<T, ReplaceOrder>) {
          out << "R," << ts << ',' << c.account << ',' << c.order_id << ',' << name(c.symbol)
              << ",,,," << Num(c.price) << ',' << Num(c.quantity) << ',' << Num(c.stop_price)
              << ",,";
        } else if constexpr (std::is_same_v<T, MassCancel>) {
          out << "M," << ts << ',' << c.account << ",,"
              << (c.symbol == kAllSymbols ? std::string() : name(c.symbol)) << ",,,,,,,,";
        } else if constexpr (std::is_same_v<T, HaltSymbol>) {
          out << "H," << ts << ",,," << name(c.symbol) << ",,,,,,,,";
        } else if constexpr (std::is_same_v<T, ResumeSymbol>) {
          out << "U," << ts << ",,," << name(c.symbol) << ",,,,,,,,";
        } else if constexpr (std::is_same_v<T, AddInstrument>) {
          out << "#add-instrument " << c.spec.symbol.view();
        } else if constexpr (std::is_same_v<T, AddAsset>) {
          out << "#add-asset " << c.spec.name.view() << " decimals=" << c.spec.decimals;
        } else if constexpr (std::is_same_v<T, Deposit>) {
          out << transfer('D', c);
        } else if constexpr (std::is_same_v<T, Withdraw>) {
          out << transfer('W', c);
        } else {
          static_assert(std::is_same_v<T, SetFees>);
          out << SetFeesComment(c, name(c.symbol));
        }
      },
      command.body);
  return out.str();
}

void ForEachOrderFlowLine(std::istream& in,
                          const std::function<void(std::string_view, std::size_t)>& f) {
  std::string line;
  std::size_t number = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++number;
    std::string_view view(line);
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    if (view.empty() || view.front() == '#') continue;
    if (!header_seen) {
      if (view != kOrderFlowHeader) {
        throw OrderFlowError(number, "expected the header '" + std::string(kOrderFlowHeader) + "'");
      }
      header_seen = true;
      continue;
    }
    f(view, number);
  }
  if (in.bad()) throw OrderFlowError(number, "read error");
  if (!header_seen) throw OrderFlowError(number, "empty file: no header");
}

std::vector<Command> ReadOrderFlow(std::istream& in, const SymbolResolver& symbols,
                                   const AssetResolver& assets) {
  std::vector<Command> out;
  ForEachOrderFlowLine(in, [&](std::string_view line, std::size_t number) {
    out.push_back(ParseOrderFlowLine(line, number, symbols, assets));
  });
  return out;
}

}  // namespace exchange
