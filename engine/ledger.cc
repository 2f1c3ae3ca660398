#include "engine/ledger.h"

#include <algorithm>

namespace exchange {

namespace {

constexpr std::uint32_t kImageVersion = 1;

Amount ValueOr0(const std::unordered_map<AssetId, Amount>& totals, AssetId asset) {
  const auto it = totals.find(asset);
  return it == totals.end() ? 0 : it->second;
}

// a + b into *out; false when it would pass the largest int64.
bool AddFits(Amount a, Amount b, Amount* out) {
  return !__builtin_add_overflow(a, b, out);
}

}  // namespace

std::string_view ToString(LedgerResult r) {
  switch (r) {
    case LedgerResult::kDone: return "DONE";
    case LedgerResult::kInsufficientFunds: return "INSUFFICIENT_FUNDS";
    case LedgerResult::kDuplicateTransfer: return "DUPLICATE_TRANSFER";
    case LedgerResult::kInvalidAmount: return "INVALID_AMOUNT";
    case LedgerResult::kOverflow: return "OVERFLOW";
  }
  return "UNKNOWN";
}

LedgerResult Ledger::Deposit(AccountId account, AssetId asset, Amount amount, TransferId transfer) {
  if (amount <= 0) return LedgerResult::kInvalidAmount;
  if (TransferApplied(transfer)) return LedgerResult::kDuplicateTransfer;
  const Balance now = Get(account, asset);
  Amount available = 0, total = 0, in = 0;
  if (!AddFits(now.available, amount, &available) || !AddFits(now.held, available, &total) ||
      !AddFits(ValueOr0(deposited_, asset), amount, &in)) {
    return LedgerResult::kOverflow;
  }
  At(account, asset).available = available;
  deposited_[asset] = in;
  transfers_.insert(transfer);
  return LedgerResult::kDone;
}

LedgerResult Ledger::Withdraw(AccountId account, AssetId asset, Amount amount,
                              TransferId transfer) {
  if (amount <= 0) return LedgerResult::kInvalidAmount;
  if (TransferApplied(transfer)) return LedgerResult::kDuplicateTransfer;
  if (Get(account, asset).available < amount) return LedgerResult::kInsufficientFunds;
  Amount out = 0;
  if (!AddFits(ValueOr0(withdrawn_, asset), amount, &out)) return LedgerResult::kOverflow;
  At(account, asset).available -= amount;
  withdrawn_[asset] = out;
  transfers_.insert(transfer);
  return LedgerResult::kDone;
}

LedgerResult Ledger::Settle(AccountId from, AccountId to, AssetId asset, Amount amount) {
  if (amount < 0) return LedgerResult::kInvalidAmount;
  if (amount == 0) return LedgerResult::kDone;
  if (from == to) {  // to oneself: held back to available
    return Get(from, asset).held < amount ? LedgerResult::kInsufficientFunds
                                          : Release(from, asset, amount);
  }
  // The receiver first: inserting it may move the table's entries.
  Balance& receiver = balances_[Key(to, asset)];
  const auto payer = balances_.find(Key(from, asset));
  if (payer == balances_.end() || payer->second.held < amount) {
    return LedgerResult::kInsufficientFunds;
  }
  Amount available = 0, total = 0;
  if (!AddFits(receiver.available, amount, &available) ||
      !AddFits(receiver.held, available, &total)) {
    return LedgerResult::kOverflow;
  }
  payer->second.held -= amount;
  receiver.available = available;
  return LedgerResult::kDone;
}

LedgerResult Ledger::Move(AccountId from, AccountId to, AssetId asset, Amount amount) {
  if (amount < 0) return LedgerResult::kInvalidAmount;
  if (Get(from, asset).available < amount) return LedgerResult::kInsufficientFunds;
  if (amount == 0 || from == to) return LedgerResult::kDone;
  const Balance receiver = Get(to, asset);
  Amount available = 0, total = 0;
  if (!AddFits(receiver.available, amount, &available) ||
      !AddFits(receiver.held, available, &total)) {
    return LedgerResult::kOverflow;
  }
  At(from, asset).available -= amount;
  At(to, asset).available = available;
  return LedgerResult::kDone;
}

LedgerResult Ledger::SettleTrade(const TradeSettlement& s, SettledBalances* after) {
  // Room for the seven entries first: with no rehash, the references below
  // stay valid while the others are inserted. Only ever grow: reserve()
  // rehashes to the exact capacity it is asked for, smaller ones included.
  if (balances_.size() + 7 > balances_.max_load()) balances_.reserve(2 * (balances_.size() + 7));
  Balance& buyer_base = balances_[Key(s.buyer, s.base)];
  Balance& buyer_quote = balances_[Key(s.buyer, s.quote)];
  Balance& seller_base = balances_[Key(s.seller, s.base)];
  Balance& seller_quote = balances_[Key(s.seller, s.quote)];
  Balance& fee_base = balances_[Key(kFeeAccount, s.base)];
  Balance& fee_quote = balances_[Key(kFeeAccount, s.quote)];
  Balance& rounding = balances_[Key(kRoundingAccount, s.quote)];
  const Amount residue = s.pay - s.receive;
  if (seller_base.held < s.base_amount || buyer_quote.held < s.pay + s.over ||
      (residue < 0 && rounding.available < -residue) || s.buyer_fee > s.base_amount ||
      s.seller_fee > s.receive) {
    return LedgerResult::kInsufficientFunds;
  }
  seller_base.held -= s.base_amount;
  buyer_base.available += s.base_amount - s.buyer_fee;
  fee_base.available += s.buyer_fee;
  buyer_quote.held -= s.pay + s.over;
  buyer_quote.available += s.over;
  seller_quote.available += s.receive - s.seller_fee;
  fee_quote.available += s.seller_fee;
  rounding.available += residue;
  const Amount buyer_rebate = std::min(s.buyer_rebate, fee_base.available);
  fee_base.available -= buyer_rebate;
  buyer_base.available += buyer_rebate;
  const Amount seller_rebate = std::min(s.seller_rebate, fee_quote.available);
  fee_quote.available -= seller_rebate;
  seller_quote.available += seller_rebate;
  if (after) {
    *after = SettledBalances{buyer_base, buyer_quote, seller_base,  seller_quote, fee_base,
                             fee_quote,  rounding,    buyer_rebate, seller_rebate};
  }
  return LedgerResult::kDone;
}

Balance Ledger::Get(AccountId account, AssetId asset) const {
  const auto it = balances_.find(Key(account, asset));
  return it == balances_.end() ? Balance{} : it->second;
}

Amount Ledger::deposited(AssetId asset) const {
  return ValueOr0(deposited_, asset);
}

Amount Ledger::withdrawn(AssetId asset) const {
  return ValueOr0(withdrawn_, asset);
}

Amount Ledger::Total(AssetId asset) const {
  Amount total = 0;
  for (const auto& [key, b] : balances_) {
    if (static_cast<AssetId>(key & 0xFFFF) == asset) total += b.available + b.held;
  }
  return total;
}

std::vector<std::uint64_t> Ledger::SortedKeys() const {
  std::vector<std::uint64_t> keys;
  keys.reserve(balances_.size());
  for (const auto& [key, b] : balances_) {
    if (b != Balance{}) keys.push_back(key);  // an emptied balance is as good as none
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<TransferId> Ledger::SortedTransfers() const {
  std::vector<TransferId> ids(transfers_.begin(), transfers_.end());
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::uint64_t Ledger::Digest() const {
  std::string image;
  ByteWriter w(image);
  Save(w);
  std::uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a over the canonical image
  for (const char c : image) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

// Image: u32 version, u64 balances, each (u32 account, u16 asset, i64
// available, i64 held), u64 assets with transfers, each (u16 asset, i64
// deposited, i64 withdrawn), u64 transfer ids, each u64; all in key order.
void Ledger::Save(ByteWriter& out) const {
  out.U32(kImageVersion);
  const std::vector<std::uint64_t> keys = SortedKeys();
  out.U64(keys.size());
  for (const std::uint64_t key : keys) {
    const Balance& b = balances_.at(key);
    out.U32(static_cast<std::uint32_t>(key >> 16));
    out.U16(static_cast<std::uint16_t>(key & 0xFFFF));
    out.I64(b.available);
    out.I64(b.held);
  }
  std::vector<AssetId> assets;
  for (const auto& [asset, amount] : deposited_)
    assets.push_back(asset);
  for (const auto& [asset, amount] : withdrawn_)
    assets.push_back(asset);
  std::sort(assets.begin(), assets.end());
  assets.erase(std::unique(assets.begin(), assets.end()), assets.end());
  out.U64(assets.size());
  for (const AssetId asset : assets) {
    out.U16(asset);
    out.I64(deposited(asset));
    out.I64(withdrawn(asset));
  }
  const std::vector<TransferId> ids = SortedTransfers();
  out.U64(ids.size());
  for (const TransferId id : ids)
    out.U64(id);
}

std::string Ledger::Load(ByteReader& in) {
  if (!balances_.empty() || !transfers_.empty()) return "ledger: load into a used ledger";
  if (in.U32() != kImageVersion) return "ledger: unknown image version";
  const std::uint64_t balances = in.U64();
  for (std::uint64_t i = 0; i < balances && !in.failed(); ++i) {
    const AccountId account = in.U32();
    const AssetId asset = in.U16();
    const Balance b{in.I64(), in.I64()};
    if (b.available < 0 || b.held < 0) return "ledger: a negative balance in the image";
    balances_[Key(account, asset)] = b;
  }
  const std::uint64_t assets = in.U64();
  for (std::uint64_t i = 0; i < assets && !in.failed(); ++i) {
    const AssetId asset = in.U16();
    deposited_[asset] = in.I64();
    withdrawn_[asset] = in.I64();
  }
  const std::uint64_t ids = in.U64();
  for (std::uint64_t i = 0; i < ids && !in.failed(); ++i)
    transfers_.insert(in.U64());
  if (in.failed()) return "ledger: the image ends early";
  for (const auto& [asset, amount] : deposited_) {
    if (Total(asset) != amount - withdrawn(asset)) {
      return "ledger: the balances of asset " + std::to_string(asset) +
             " do not add up to its deposits less its withdrawals";
    }
  }
  return "";
}

}  // namespace exchange
