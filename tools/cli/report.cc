#include "tools/cli/report.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "candles/candle_interval.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

using persistence::Report;

constexpr Timestamp kNanosPerSecond = 1'000'000'000;
constexpr Timestamp kNanosPerDay = 86'400 * kNanosPerSecond;
constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2261;  // nanoseconds since 1970 in 64 bits end in April 2262
constexpr const char* kTimeFormats =
    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff]Z (UTC, up to 9 fraction digits)";

// The digits text[at, at + n) as a number; nullopt unless all are digits.
std::optional<int> Digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// A cell of a report: its text in the table and its value in JSON.
struct Cell {
  std::string text;
  nlohmann::ordered_json json;
};

Cell Text(const std::string& s) {
  return {s, s};
}
Cell Number(std::int64_t v) {
  return {std::to_string(v), v};
}
Cell Unsigned(std::uint64_t v) {
  return {std::to_string(v), v};
}
Cell Null() {
  return {"-", nullptr};
}
Cell Time(Timestamp t) {
  return Text(FormatReportTime(t));
}

struct Column {
  std::string key;  // in JSON
  std::string title;
  bool right = true;
};

// What a report prints: a title line (text) or the head fields (JSON), and
// its rows.
struct Output {
  std::string title;
  nlohmann::ordered_json head = nlohmann::ordered_json::object();
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

void Print(const Output& o, bool json, std::ostream& out) {
  if (json) {
    nlohmann::ordered_json j = o.head;
    j["rows"] = nlohmann::ordered_json::array();
    for (const auto& row : o.rows) {
      nlohmann::ordered_json r = nlohmann::ordered_json::object();
      for (std::size_t i = 0; i < o.columns.size(); ++i)
        r[o.columns[i].key] = row[i].json;
      j["rows"].push_back(std::move(r));
    }
    out << j.dump() << "\n";
    return;
  }
  out << o.title << "\n";
  if (o.rows.empty()) {
    out << "  (no rows)\n";
    return;
  }
  std::vector<TableColumn> columns;
  for (const Column& c : o.columns)
    columns.push_back({c.title, c.right});
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : o.rows) {
    rows.emplace_back();
    for (const Cell& c : row)
      rows.back().push_back(c.text);
  }
  PrintTable(columns, rows, out);
}

struct Decimals {
  int price = 0;
  int quantity = 0;
};

Decimals DecimalsOf(const persistence::InstrumentRow& i) {
  return {i.price_decimals, i.quantity_decimals};
}

Cell Price(Price p, Decimals d) {
  return Text(persistence::FixedPoint(p, d.price));
}
Cell Quantity(__int128 q, Decimals d) {
  return Text(persistence::FixedPoint(q, d.quantity));
}
Cell QuoteVolume(__int128 q, Decimals d) {
  return Text(persistence::FixedPoint(q, d.price + d.quantity));
}

std::string Window(const persistence::ReportRequest& r) {
  std::string s = "[";
  s += FormatReportTime(r.from);
  s += ", ";
  s += FormatReportTime(r.to);
  s += ")";
  return s;
}

// The JSON head: the request, then the decimals the numbers are shown with
// (none for an account's trades: each row has its instrument's).
void Head(Output& o, const persistence::ReportRequest& r, std::optional<Decimals> d) {
  auto& h = o.head;
  h["report"] = std::string(persistence::ReportName(r.report));
  if (r.report == Report::kAccountTrades) {
    h["account"] = r.account;
  } else if (r.symbol.empty()) {
    h["symbol"] = nullptr;  // top-accounts: all symbols
  } else {
    h["symbol"] = r.symbol;
  }
  if (r.report == Report::kCandles) h["interval"] = std::string(candles::IntervalName(r.interval));
  h["from"] = FormatReportTime(r.from);
  h["to"] = FormatReportTime(r.to);
  if (r.report == Report::kAccountTrades || r.report == Report::kTopAccounts) h["limit"] = r.limit;
  if (d) {
    h["price_decimals"] = d->price;
    h["quantity_decimals"] = d->quantity;
  }
}

std::string DecimalsNote(Decimals d) {
  std::string s = "prices with ";
  s += std::to_string(d.price);
  s += " decimals, quantities with ";
  s += std::to_string(d.quantity);
  return s;
}

Output VwapOutput(persistence::HistoryReports& reports, const persistence::ReportRequest& r) {
  const Decimals d = DecimalsOf(reports.Instrument(r.symbol));
  const persistence::VwapReport v = reports.Vwap(r.symbol, r.from, r.to);
  Output o;
  o.title = "VWAP of " + r.symbol;
  o.title += " over " + Window(r);
  o.title += ": " + DecimalsNote(d);
  Head(o, r, d);
  o.columns = {{"trade_count", "trades"},
               {"volume", "volume"},
               {"quote_volume", "quote volume"},
               {"vwap", "vwap"},
               {"first_trade", "first trade", false},
               {"last_trade", "last trade", false}};
  const bool any = v.trade_count > 0;
  o.rows.push_back({Number(v.trade_count), Quantity(v.volume, d), QuoteVolume(v.quote_volume, d),
                    any ? Text(v.VwapText(d.price)) : Null(), any ? Time(v.first_trade) : Null(),
                    any ? Time(v.last_trade) : Null()});
  return o;
}

Output AccountOutput(persistence::HistoryReports& reports, const persistence::ReportRequest& r) {
  std::map<std::string, Decimals, std::less<>> decimals;
  for (const auto& i : reports.Instruments())
    decimals[i.symbol] = DecimalsOf(i);
  const auto trades = reports.AccountTrades(r.account, r.from, r.to, r.limit);
  Output o;
  o.title = "trades of account " + std::to_string(r.account);
  o.title += " over " + Window(r);
  o.title += " (at most " + std::to_string(r.limit);
  o.title += "), in time order; prices and quantities with each instrument's decimals";
  Head(o, r, std::nullopt);
  o.columns = {{"time", "time", false},
               {"symbol", "symbol", false},
               {"trade_id", "trade id"},
               {"role", "role", false},
               {"side", "side", false},
               {"price", "price"},
               {"quantity", "quantity"},
               {"order_id", "order id"},
               {"counterparty_account", "counterparty"},
               {"counterparty_order_id", "their order id"}};
  for (const auto& t : trades) {
    const auto it = decimals.find(t.symbol);
    const Decimals d = it != decimals.end() ? it->second : Decimals{};
    o.rows.push_back({Time(t.time), Text(t.symbol), Unsigned(t.trade_id),
                      Text(std::string(persistence::RoleName(t.role))),
                      Text(std::string(ToString(t.side))), Price(t.price, d),
                      Quantity(t.quantity, d), Unsigned(t.order_id),
                      Unsigned(t.counterparty_account), Unsigned(t.counterparty_order_id)});
  }
  return o;
}

std::vector<Column> CandleColumns(bool with_ids) {
  std::vector<Column> c = {{"open", "open"},         {"high", "high"},
                           {"low", "low"},           {"close", "close"},
                           {"volume", "volume"},     {"quote_volume", "quote volume"},
                           {"trade_count", "trades"}};
  if (with_ids) {
    c.push_back({"first_trade_id", "first id"});
    c.push_back({"last_trade_id", "last id"});
  }
  return c;
}

std::vector<Cell> CandleCells(const candles::Candle& c, Decimals d, bool with_ids) {
  std::vector<Cell> cells = {Price(c.open, d),       Price(c.high, d),
                             Price(c.low, d),        Price(c.close, d),
                             Quantity(c.volume, d),  QuoteVolume(c.quote_volume, d),
                             Unsigned(c.trade_count)};
  if (with_ids) {
    cells.push_back(Unsigned(c.first_trade_id));
    cells.push_back(Unsigned(c.last_trade_id));
  }
  return cells;
}

Output DailyOutput(persistence::HistoryReports& reports, const persistence::ReportRequest& r) {
  const Decimals d = DecimalsOf(reports.Instrument(r.symbol));
  const auto days = reports.DailyOhlc(r.symbol, r.from, r.to);
  Output o;
  o.title = "daily OHLC of " + r.symbol;
  o.title += " (UTC days with trades that overlap " + Window(r);
  o.title += "): " + DecimalsNote(d);
  Head(o, r, d);
  o.columns = {{"day", "day", false}};
  for (const Column& c : CandleColumns(false))
    o.columns.push_back(c);
  for (const auto& c : days) {
    o.rows.push_back({Text(FormatReportTime(c.open_time).substr(0, 10))});
    for (Cell& cell : CandleCells(c, d, false))
      o.rows.back().push_back(std::move(cell));
  }
  return o;
}

Output TopAccountsOutput(persistence::HistoryReports& reports,
                         const persistence::ReportRequest& r) {
  Decimals d;
  std::string units;
  if (!r.symbol.empty()) {
    d = DecimalsOf(reports.Instrument(r.symbol));
    units = DecimalsNote(d);
  } else {
    const auto all = reports.Instruments();
    const bool same = std::all_of(all.begin(), all.end(), [&](const auto& i) {
      return i.price_decimals == all.front().price_decimals &&
             i.quantity_decimals == all.front().quantity_decimals;
    });
    if (same && !all.empty()) {
      d = DecimalsOf(all.front());
      units = DecimalsNote(d);
    } else {
      units = "raw integer units (the instruments' decimals differ)";
    }
  }
  const auto accounts = reports.TopAccounts(r.from, r.to, r.limit, r.symbol);
  Output o;
  o.title = "top " + std::to_string(r.limit);
  o.title += " accounts by volume (as taker plus as maker) in ";
  o.title += r.symbol.empty() ? std::string("all symbols") : r.symbol;
  o.title += " over " + Window(r);
  o.title += ": " + units;
  Head(o, r, d);
  o.columns = {{"rank", "rank"},
               {"account", "account"},
               {"volume", "volume"},
               {"quote_volume", "quote volume"},
               {"trade_count", "trades"}};
  std::int64_t rank = 0;
  for (const auto& a : accounts) {
    o.rows.push_back({Number(++rank), Unsigned(a.account), Quantity(a.volume, d),
                      QuoteVolume(a.quote_volume, d), Number(a.trade_count)});
  }
  return o;
}

Output CandlesOutput(persistence::HistoryReports& reports, const persistence::ReportRequest& r) {
  const Decimals d = DecimalsOf(reports.Instrument(r.symbol));
  const auto candles = reports.CandlesFromTrades(r.symbol, r.interval, r.from, r.to);
  const std::string interval(candles::IntervalName(r.interval));
  Output o;
  o.title = interval + " candles of " + r.symbol;
  o.title += " recomputed from the trades of " + Window(r);
  o.title += ": " + DecimalsNote(d);
  Head(o, r, d);
  o.columns = {{"open_time", "open time", false}};
  for (const Column& c : CandleColumns(true))
    o.columns.push_back(c);
  for (const auto& c : candles) {
    o.rows.push_back({Time(c.open_time)});
    for (Cell& cell : CandleCells(c, d, true))
      o.rows.back().push_back(std::move(cell));
  }
  return o;
}

void PrintExplain(persistence::HistoryReports& reports, const persistence::ReportRequest& r,
                  bool json, std::ostream& out) {
  const auto query = reports.QueryOf(r);
  const auto plan = reports.ExplainPlan(r);
  if (json) {
    nlohmann::ordered_json j;
    j["report"] = std::string(persistence::ReportName(r.report));
    j["sql"] = query.sql;
    j["params"] = query.params;
    j["plan"] = plan;
    out << j.dump() << "\n";
    return;
  }
  out << "-- exchange-cli report " << persistence::ReportName(r.report) << ": the query\n"
      << query.sql << "\n-- parameters:";
  for (std::size_t i = 0; i < query.params.size(); ++i)
    out << (i ? ", $" : " $") << i + 1 << " = '" << query.params[i] << "'";
  out << "\n-- plan\n";
  for (const auto& line : plan)
    out << line << "\n";
}

}  // namespace

Timestamp ParseReportTime(std::string_view text, std::string_view flag) {
  auto bad = [&](const char* why) {
    std::string message(flag);
    message += ": '";
    message += text;
    message += "' ";
    message += why;
    throw CliError(kExitBadInput, message);
  };
  const std::string expected = std::string("is not ") + kTimeFormats;
  const auto year = Digits(text, 0, 4);
  const auto month = Digits(text, 5, 2);
  const auto day = Digits(text, 8, 2);
  if (text.size() < 10 || !year || text[4] != '-' || !month || text[7] != '-' || !day) {
    bad(expected.c_str());
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(*year),
                            std::chrono::month(static_cast<unsigned>(*month)),
                            std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) bad("is not a date");
  if (*year < kFirstYear || *year > kLastYear) bad("is not between the years 1970 and 2261");
  Timestamp t = sys_days(date).time_since_epoch().count() * kNanosPerDay;
  if (text.size() == 10) return t;
  const auto hour = Digits(text, 11, 2);
  const auto minute = Digits(text, 14, 2);
  const auto second = Digits(text, 17, 2);
  if (text.size() < 20 || text[10] != 'T' || !hour || text[13] != ':' || !minute ||
      text[16] != ':' || !second) {
    bad(expected.c_str());
  }
  std::size_t at = 19;
  Timestamp fraction = 0;
  if (text[at] == '.') {
    Timestamp scale = kNanosPerSecond;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      scale /= 10;
      if (scale == 0) bad("has more than 9 fraction digits");
      fraction += (text[at] - '0') * scale;
    }
    if (at == 20) bad(expected.c_str());  // "." without digits
  }
  if (at + 1 != text.size() || text[at] != 'Z') bad(expected.c_str());
  if (*hour > 23 || *minute > 59 || *second > 59) bad("is not a time of day");
  return t + ((*hour * 60 + *minute) * 60 + *second) * kNanosPerSecond + fraction;
}

std::string FormatReportTime(Timestamp t) {
  using namespace std::chrono;
  const sys_time<nanoseconds> time{nanoseconds(t)};
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const auto in_day = (time - day).count();
  const auto micros = in_day / 1000;
  char text[160];  // room for any int64 in each field (GCC checks the worst case)
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(micros / 3'600'000'000),
                static_cast<long long>(micros / 60'000'000 % 60),
                static_cast<long long>(micros / 1'000'000 % 60),
                static_cast<long long>(micros % 1'000'000));
  return text;
}

persistence::ReportRequest ReportRequestOf(Report report, const ReportFlags& f) {
  auto required = [](const std::string& value, const char* flag, const char* what) {
    if (value.empty()) {
      std::string message = flag;
      message += " is required: ";
      message += what;
      throw CliError(kExitBadInput, message);
    }
  };
  persistence::ReportRequest r;
  r.report = report;
  required(f.from, "--from", kTimeFormats);
  required(f.to, "--to", kTimeFormats);
  r.from = ParseReportTime(f.from, "--from");
  r.to = ParseReportTime(f.to, "--to");
  if (r.from >= r.to) {
    std::string message = "--from (";
    message += FormatReportTime(r.from);
    message += ") must be before --to (";
    message += FormatReportTime(r.to);
    message += "): the window is [from, to)";
    throw CliError(kExitBadInput, message);
  }
  if (report == Report::kVwap || report == Report::kDailyOhlc || report == Report::kCandles) {
    required(f.symbol, "--symbol", "the instrument");
  }
  r.symbol = f.symbol;
  if (report == Report::kAccountTrades) {
    required(f.account, "--account", "the account number");
    std::uint32_t account = 0;
    const auto [end, ec] =
        std::from_chars(f.account.data(), f.account.data() + f.account.size(), account);
    if (ec != std::errc() || end != f.account.data() + f.account.size()) {
      throw CliError(kExitBadInput, "--account: '" + f.account + "' is not an account number");
    }
    r.account = account;
  }
  if (report == Report::kCandles) {
    required(f.interval, "--interval", "1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M");
    const auto interval = candles::ParseInterval(f.interval);
    if (!interval) {
      throw CliError(kExitBadInput,
                     "--interval: '" + f.interval +
                         "' is not one of 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M");
    }
    r.interval = *interval;
  }
  if (report == Report::kAccountTrades || report == Report::kTopAccounts) {
    std::int64_t limit = 0;
    const auto [end, ec] = std::from_chars(f.limit.data(), f.limit.data() + f.limit.size(), limit);
    if (ec != std::errc() || end != f.limit.data() + f.limit.size() || limit < 1) {
      throw CliError(kExitBadInput, "--limit: '" + f.limit + "' is not a whole number >= 1");
    }
    r.limit = limit;
  }
  return r;
}

std::string ReportPgUrl(const ReportFlags& flags) {
  if (!flags.pg_url.empty()) return flags.pg_url;
  const char* env = std::getenv("EXCHANGE_PG_READER_URL");
  if (env != nullptr && *env != '\0') return env;
  throw CliError(kExitBadInput,
                 "no PostgreSQL URL: pass --pg-url or set EXCHANGE_PG_READER_URL (eval \"$(scripts/"
                 "services.sh env)\")");
}

void PrintTable(const std::vector<TableColumn>& columns,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> width(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i)
    width[i] = columns[i].title.size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](auto cell) {
    std::string s = " ";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string text = cell(i);
      const std::size_t pad = width[i] - std::min(width[i], text.size());
      s += " ";
      if (columns[i].right) s.append(pad, ' ');
      s += text;
      if (!columns[i].right && i + 1 < columns.size()) s.append(pad, ' ');
      if (i + 1 < columns.size()) s += " ";
    }
    out << s << "\n";
  };
  line([&](std::size_t i) { return columns[i].title; });
  for (const auto& row : rows)
    line([&](std::size_t i) { return i < row.size() ? row[i] : std::string(); });
}

void PrintReport(persistence::HistoryReports& reports, const persistence::ReportRequest& request,
                 bool json, bool explain, std::ostream& out) {
  if (explain) {
    PrintExplain(reports, request, json, out);
    return;
  }
  switch (request.report) {
    case Report::kVwap: Print(VwapOutput(reports, request), json, out); return;
    case Report::kAccountTrades: Print(AccountOutput(reports, request), json, out); return;
    case Report::kDailyOhlc: Print(DailyOutput(reports, request), json, out); return;
    case Report::kTopAccounts: Print(TopAccountsOutput(reports, request), json, out); return;
    case Report::kCandles: Print(CandlesOutput(reports, request), json, out); return;
  }
}

int RunReport(Report report, const ReportFlags& flags, std::ostream& out) {
  const persistence::ReportRequest request = ReportRequestOf(report, flags);
  const std::string url = ReportPgUrl(flags);
  try {
    persistence::HistoryReports reports(url, flags.pg_schema);
    PrintReport(reports, request, flags.json, flags.explain, out);
    return 0;
  } catch (const persistence::UnknownSymbolError& e) {
    throw CliError(kExitNotFound, e.what());
  } catch (const persistence::ReportError& e) {
    throw CliError(kExitBadInput, e.what());
  } catch (const persistence::PgError& e) {
    throw CliError(kExitFailure, e.what());
  }
}

}  // namespace exchange::cli
