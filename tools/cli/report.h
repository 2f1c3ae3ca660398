// `exchange-cli report vwap|account|daily|top-accounts|candles`: the
// analytical reads of the trade history in PostgreSQL
// (persistence/history_reports.h) as an aligned table or one JSON
// document, or (--explain) PostgreSQL's plan of the query instead.
//
// Prices print with the instrument's price_decimals (price 6543210 with
// price_decimals 2 is 65432.10), quantities with its quantity_decimals,
// quote volumes with both; in JSON these are decimal strings, counts and
// ids numbers, times "YYYY-MM-DDTHH:MM:SS.ffffffZ" strings.
//
// Plain functions: any thread, each call touching only its arguments.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types.h"
#include "persistence/history_reports.h"

namespace exchange::cli {

// The flags as typed; checked by ReportRequestOf (exit 2 for bad input).
struct ReportFlags {
  std::string symbol;
  std::string account;
  std::string interval;
  std::string from;
  std::string to;
  std::string limit = "100";
  bool json = false;
  bool explain = false;
  std::string pg_url;  // empty: $EXCHANGE_PG_READER_URL
  std::string pg_schema = "public";
};

// "YYYY-MM-DD" (00:00 UTC) or "YYYY-MM-DDTHH:MM:SS[.f]Z" with 1 to 9
// fraction digits, UTC, years 1970 to 2261, as nanoseconds since the epoch.
// Throws CliError(kExitBadInput) naming `flag` and what is expected.
Timestamp ParseReportTime(std::string_view text, std::string_view flag);

// "2026-11-28T00:00:00.000000Z" (microseconds: what PostgreSQL stores);
// ParseReportTime reads it back.
std::string FormatReportTime(Timestamp t);

// The request of `report` from the flags: the ones it needs present
// (--symbol, --account, --interval, --from, --to), numbers and times well
// formed, --limit >= 1, --from before --to. Throws CliError(kExitBadInput).
persistence::ReportRequest ReportRequestOf(persistence::Report report, const ReportFlags& flags);

// --pg-url, else $EXCHANGE_PG_READER_URL; CliError(kExitBadInput) when
// neither is set.
std::string ReportPgUrl(const ReportFlags& flags);

// A column of a printed table: left-aligned text, or right-aligned numbers.
struct TableColumn {
  std::string title;
  bool right = true;
};
// The columns under their titles, two spaces apart, each as wide as its
// widest cell.
void PrintTable(const std::vector<TableColumn>& columns,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out);

// Runs `request` on `reports` and prints it: a title line and a table, or
// (json) one JSON document on one line; explain: the query, its parameters
// and its plan instead. Throws persistence::ReportError (and
// UnknownSymbolError), PgError.
void PrintReport(persistence::HistoryReports& reports, const persistence::ReportRequest& request,
                 bool json, bool explain, std::ostream& out);

// The whole subcommand: checks the flags, connects, PrintReport. Returns 0.
// Throws CliError: kExitBadInput for bad flags or an empty window,
// kExitNotFound for a symbol not in `instruments`, kExitFailure when
// PostgreSQL cannot be reached or fails.
int RunReport(persistence::Report report, const ReportFlags& flags, std::ostream& out);

}  // namespace exchange::cli
