#include "tools/cli/ledger_report.h"

#include <nlohmann/json.hpp>

#include "base/fixed_point_text.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

std::string AccountName(AccountId a) {
  if (a == kFeeAccount) return "fees";
  if (a == kRoundingAccount) return "rounding";
  return std::to_string(a);
}

std::string PgUrlOf(const LedgerReportFlags& f) {
  ReportFlags report;
  report.pg_url = f.pg_url;
  return ReportPgUrl(report);
}

template <typename Work>
auto WithReports(const LedgerReportFlags& f, Work work) {
  const std::string url = PgUrlOf(f);
  try {
    persistence::LedgerReports reports(url, f.pg_schema);
    return work(reports);
  } catch (const persistence::PgError& e) {
    throw CliError(kExitFailure, e.what());
  }
}

}  // namespace

int PrintReconciliation(const persistence::Reconciliation& r, bool json, std::ostream& out) {
  if (json) {
    nlohmann::ordered_json doc;
    doc["ok"] = r.ok();
    doc["rows"] = r.rows;
    doc["accounts_checked"] = r.accounts_checked;
    doc["assets"] = nlohmann::ordered_json::array();
    for (const auto& a : r.assets) {
      doc["assets"].push_back({{"asset", a.asset},
                               {"deposited", FixedPoint(a.deposited, a.decimals)},
                               {"withdrawn", FixedPoint(a.withdrawn, a.decimals)},
                               {"balances", FixedPoint(a.balances, a.decimals)},
                               {"fees", FixedPoint(a.fees, a.decimals)},
                               {"rounding", FixedPoint(a.rounding, a.decimals)},
                               {"balanced", a.balanced()}});
    }
    doc["mismatches"] = nlohmann::ordered_json::array();
    for (const auto& m : r.mismatches) {
      doc["mismatches"].push_back({{"shard", m.shard},
                                   {"account", m.account},
                                   {"asset", m.asset},
                                   {"available", m.available},
                                   {"held", m.held},
                                   {"available_sum", FixedPoint(m.available_sum, 0)},
                                   {"held_sum", FixedPoint(m.held_sum, 0)}});
    }
    out << doc.dump() << "\n";
    return r.ok() ? 0 : kExitFailure;
  }
  out << "reconciliation of " << r.rows << " ledger rows over " << r.accounts_checked
      << " account balances: deposits - withdrawals = balances (fees and rounding included)\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : r.assets) {
    rows.push_back({a.asset, FixedPoint(a.deposited, a.decimals),
                    FixedPoint(a.withdrawn, a.decimals), FixedPoint(a.balances, a.decimals),
                    FixedPoint(a.fees, a.decimals), FixedPoint(a.rounding, a.decimals),
                    a.balanced() ? "ok" : "MISMATCH"});
  }
  PrintTable({{"asset", false},
              {"deposited"},
              {"withdrawn"},
              {"balances"},
              {"of which fees"},
              {"rounding"},
              {"check", false}},
             rows, out);
  for (const auto& m : r.mismatches) {
    out << "MISMATCH shard " << m.shard << " account " << AccountName(m.account) << " " << m.asset
        << ": rows add up to available " << FixedPoint(m.available_sum, 0) << " held "
        << FixedPoint(m.held_sum, 0) << ", the newest row says " << m.available << " " << m.held
        << "\n";
  }
  out << (r.ok() ? "every asset balances and every account's ledger adds up to its balance\n"
                 : "RECONCILIATION FAILED\n");
  return r.ok() ? 0 : kExitFailure;
}

void PrintBalancesAt(const std::vector<persistence::BalanceAt>& rows, Timestamp at, bool json,
                     std::ostream& out) {
  if (json) {
    nlohmann::ordered_json doc;
    doc["at"] = FormatReportTime(at);
    doc["balances"] = nlohmann::ordered_json::array();
    for (const auto& b : rows) {
      doc["balances"].push_back({{"account", b.account},
                                 {"asset", b.asset},
                                 {"available", FixedPoint(b.available, b.decimals)},
                                 {"held", FixedPoint(b.held, b.decimals)}});
    }
    out << doc.dump() << "\n";
    return;
  }
  out << "balances before " << FormatReportTime(at) << "\n";
  std::vector<std::vector<std::string>> table;
  for (const auto& b : rows) {
    table.push_back({AccountName(b.account), b.asset, FixedPoint(b.available, b.decimals),
                     FixedPoint(b.held, b.decimals)});
  }
  PrintTable({{"account"}, {"asset", false}, {"available"}, {"held"}}, table, out);
}

int RunReconcile(const LedgerReportFlags& flags, std::ostream& out) {
  return WithReports(flags, [&](persistence::LedgerReports& reports) {
    return PrintReconciliation(reports.Reconcile(), flags.json, out);
  });
}

int RunBalancesAt(const LedgerReportFlags& flags, std::ostream& out) {
  if (flags.at.empty()) throw CliError(kExitBadInput, "--at is required");
  const Timestamp at = ParseReportTime(flags.at, "--at");
  std::optional<AccountId> account;
  if (!flags.account.empty()) {
    if (flags.account.find_first_not_of("0123456789") != std::string::npos ||
        flags.account.size() > 10 || std::stoull(flags.account) > UINT32_MAX) {
      throw CliError(kExitBadInput, "--account: '" + flags.account + "' is not an account number");
    }
    account = static_cast<AccountId>(std::stoull(flags.account));
  }
  return WithReports(flags, [&](persistence::LedgerReports& reports) {
    PrintBalancesAt(reports.BalancesAt(at, account), at, flags.json, out);
    return 0;
  });
}

}  // namespace exchange::cli
