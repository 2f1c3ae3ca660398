// `exchange-cli report reconcile` and `exchange-cli report balances`: the
// ledger's reads (persistence/ledger_reports.h) as an aligned table or one
// JSON document, amounts in each asset's decimals.
//
// Plain functions: any thread, each call touching only its arguments.
#pragma once

#include <ostream>
#include <string>

#include "persistence/ledger_reports.h"
#include "tools/cli/report.h"

namespace exchange::cli {

struct LedgerReportFlags {
  std::string at;       // balances: the time (ParseReportTime's formats)
  std::string account;  // balances: one account only
  bool json = false;
  std::string pg_url;  // empty: $EXCHANGE_PG_READER_URL
  std::string pg_schema = "public";
};

// Prints the reconciliation; returns 0 when every asset balances and every
// account adds up, kExitFailure (after printing what does not) otherwise.
int PrintReconciliation(const persistence::Reconciliation& r, bool json, std::ostream& out);
void PrintBalancesAt(const std::vector<persistence::BalanceAt>& rows, Timestamp at, bool json,
                     std::ostream& out);

// The whole subcommands. Throw CliError: kExitBadInput for bad flags,
// kExitFailure when PostgreSQL cannot be reached or fails.
int RunReconcile(const LedgerReportFlags& flags, std::ostream& out);
int RunBalancesAt(const LedgerReportFlags& flags, std::ostream& out);

}  // namespace exchange::cli
