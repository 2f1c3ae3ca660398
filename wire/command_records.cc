// The command half of the wire format (FORMAT.md, "Command records"):
// command record types and sizes, their encoding and decoding, and the
// public AppendCommandBatch / DecodeCommandBatch.
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "wire/wire_codec.h"
#include "wire/wire_format.h"

namespace exchange::wire {
namespace {

using codec::DecodeToResult;
using codec::Reader;
using codec::ReadHeaderStart;
using codec::ReadRecords;
using codec::Truncated;
using codec::WriteHeader;
using codec::Writer;

// Record type byte of each command (FORMAT.md, "Command records").
enum class CommandType : std::uint8_t {
  kNewOrder = 1,
  kCancelOrder = 2,
  kReplaceOrder = 3,
  kMassCancel = 4,
  kHaltSymbol = 5,
  kResumeSymbol = 6,
  kAddInstrument = 7,
  // version 2
  kAddAsset = 8,
  kDeposit = 9,
  kWithdraw = 10,
  kSetFees = 11,
};

// The last command type of each version.
constexpr CommandType LastCommandType(std::uint8_t version) {
  return version == 1 ? CommandType::kAddInstrument : CommandType::kSetFees;
}

// type, producer_sequence, timestamp, symbol length (the symbol bytes follow).
constexpr std::size_t kCommandPrefixSize = 1 + 8 + 8 + 1;
// Smallest record: a command with no symbol and no body.
constexpr std::size_t kMinCommandRecordSize = kCommandPrefixSize;

// Bytes after the symbol, by command type; nullopt for a type the version lacks.
std::optional<std::size_t> CommandBodySize(std::uint8_t type, std::uint8_t version) {
  if (type > static_cast<std::uint8_t>(LastCommandType(version))) return std::nullopt;
  const std::size_t v2 = version >= 2 ? 1 : 0;
  switch (static_cast<CommandType>(type)) {
    case CommandType::kNewOrder: return 4 + 8 + 4 * 1 + 4 * 8 + v2 * 8;
    case CommandType::kCancelOrder: return 4 + 8 + 8;
    case CommandType::kReplaceOrder: return 4 + 8 + 8 + 8 + 3 * 8;
    case CommandType::kMassCancel: return 4;
    case CommandType::kHaltSymbol: return 0;
    case CommandType::kResumeSymbol: return 0;
    case CommandType::kAddInstrument: return 7 * 8 + 1 + v2 * (1 + 2 + 2 + 8 + 4 + 4 + 4);
    case CommandType::kAddAsset: return 4;
    case CommandType::kDeposit:
    case CommandType::kWithdraw: return 4 + 8 + 8;
    case CommandType::kSetFees: return 1 + 4 + 1 + 4 + 4;
  }
  return std::nullopt;
}

constexpr CommandType TypeOf(const NewOrder&) {
  return CommandType::kNewOrder;
}
constexpr CommandType TypeOf(const CancelOrder&) {
  return CommandType::kCancelOrder;
}
constexpr CommandType TypeOf(const ReplaceOrder&) {
  return CommandType::kReplaceOrder;
}
constexpr CommandType TypeOf(const MassCancel&) {
  return CommandType::kMassCancel;
}
constexpr CommandType TypeOf(const HaltSymbol&) {
  return CommandType::kHaltSymbol;
}
constexpr CommandType TypeOf(const ResumeSymbol&) {
  return CommandType::kResumeSymbol;
}
constexpr CommandType TypeOf(const AddInstrument&) {
  return CommandType::kAddInstrument;
}
constexpr CommandType TypeOf(const AddAsset&) {
  return CommandType::kAddAsset;
}
constexpr CommandType TypeOf(const Deposit&) {
  return CommandType::kDeposit;
}
constexpr CommandType TypeOf(const Withdraw&) {
  return CommandType::kWithdraw;
}
constexpr CommandType TypeOf(const SetFees&) {
  return CommandType::kSetFees;
}

// ------------------------------------------------------------------ writing

// Writes the fields after the symbol, one overload per command type.
struct BodyWriter {
  Writer& w;

  void operator()(const NewOrder& o) const {
    w.U32(o.account);
    w.U64(o.order_id);
    w.Enum(o.side);
    w.Enum(o.type);
    w.Enum(o.tif);
    w.Enum(o.stp);
    w.I64(o.price);
    w.I64(o.quantity);
    w.I64(o.stop_price);
    w.I64(o.display_quantity);
    w.I64(o.quote_quantity);
  }
  void operator()(const CancelOrder& c) const {
    w.U32(c.account);
    w.U64(c.order_id);
    w.U64(c.exchange_order_id);
  }
  void operator()(const ReplaceOrder& r) const {
    w.U32(r.account);
    w.U64(r.order_id);
    w.U64(r.exchange_order_id);
    w.U64(r.new_order_id);
    w.I64(r.price);
    w.I64(r.quantity);
    w.I64(r.stop_price);
  }
  void operator()(const MassCancel& m) const { w.U32(m.account); }
  void operator()(const HaltSymbol&) const {}
  void operator()(const ResumeSymbol&) const {}
  void operator()(const AddInstrument& a) const {
    const InstrumentSpec& s = a.spec;
    w.I64(s.tick_size);
    w.I64(s.lot_size);
    w.I64(s.min_quantity);
    w.I64(s.max_quantity);
    w.I64(s.price_band_bps);
    w.I64(s.reference_price);
    w.I64(s.market_protection_ticks);
    w.Enum(s.default_stp);
    w.Enum(s.risk);
    w.U16(s.base_asset);
    w.U16(s.quote_asset);
    w.I64(s.base_multiplier);
    w.I32(s.quote_exponent);
    w.I32(s.fees.maker_ppm);
    w.I32(s.fees.taker_ppm);
  }
  void operator()(const AddAsset& a) const { w.I32(a.spec.decimals); }
  void operator()(const Deposit& d) const { Transfer(d.account, d.amount, d.transfer); }
  void operator()(const Withdraw& d) const { Transfer(d.account, d.amount, d.transfer); }
  void operator()(const SetFees& f) const {
    w.Bool(f.for_account);
    w.U32(f.account);
    w.Bool(f.clear);
    w.I32(f.rates.maker_ppm);
    w.I32(f.rates.taker_ppm);
  }
  void Transfer(AccountId account, Amount amount, TransferId transfer) const {
    w.U32(account);
    w.I64(amount);
    w.U64(transfer);
  }
};

// The name a record carries: spec.symbol for AddInstrument, spec.name for
// AddAsset, `symbol` otherwise.
const SymbolName& WireName(const CommandRecord& r) {
  if (const auto* add = std::get_if<AddInstrument>(&r.command.body)) return add->spec.symbol;
  if (const auto* asset = std::get_if<AddAsset>(&r.command.body)) return asset->spec.name;
  return r.symbol;
}

void WriteCommandRecord(Writer& w, const CommandRecord& r) {
  const CommandBody& body = r.command.body;
  w.Enum(std::visit([](const auto& b) { return TypeOf(b); }, body));
  w.U64(r.producer_sequence);
  w.I64(r.command.timestamp);
  w.Symbol(WireName(r));
  std::visit(BodyWriter{w}, body);
}

// ------------------------------------------------------------------ reading

NewOrder ReadNewOrder(Reader& r) {
  NewOrder o;
  o.account = r.U32();
  o.order_id = r.U64();
  o.side = r.Enum("side", Side::kSell);
  o.type = r.Enum("order type", OrderType::kIceberg);
  o.tif = r.Enum("tif", TimeInForce::kFok);
  o.stp = r.Enum("stp", StpMode::kCancelBoth);
  o.price = r.I64();
  o.quantity = r.I64();
  o.stop_price = r.I64();
  o.display_quantity = r.I64();
  if (r.version() >= 2) o.quote_quantity = r.I64();
  return o;
}

CancelOrder ReadCancelOrder(Reader& r) {
  CancelOrder c;
  c.account = r.U32();
  c.order_id = r.U64();
  c.exchange_order_id = r.U64();
  return c;
}

ReplaceOrder ReadReplaceOrder(Reader& r) {
  ReplaceOrder o;
  o.account = r.U32();
  o.order_id = r.U64();
  o.exchange_order_id = r.U64();
  o.new_order_id = r.U64();
  o.price = r.I64();
  o.quantity = r.I64();
  o.stop_price = r.I64();
  return o;
}

MassCancel ReadMassCancel(Reader& r, const SymbolName& symbol) {
  MassCancel m;
  m.account = r.U32();
  m.symbol = symbol.view().empty() ? kAllSymbols : kUnknownSymbol;
  return m;
}

// Version 2's fields of an InstrumentSpec (risk, assets, fees).
void ReadCashRiskFields(Reader& r, InstrumentSpec& s) {
  s.risk = r.Enum("risk", RiskMode::kCash);
  s.base_asset = r.U16();
  s.quote_asset = r.U16();
  s.base_multiplier = r.I64();
  s.quote_exponent = r.I32();
  s.fees.maker_ppm = r.I32();
  s.fees.taker_ppm = r.I32();
}

AddInstrument ReadAddInstrument(Reader& r, const SymbolName& symbol) {
  AddInstrument a;
  InstrumentSpec& s = a.spec;
  s.symbol = symbol;
  s.tick_size = r.I64();
  s.lot_size = r.I64();
  s.min_quantity = r.I64();
  s.max_quantity = r.I64();
  s.price_band_bps = r.I64();
  s.reference_price = r.I64();
  s.market_protection_ticks = r.I64();
  s.default_stp = r.Enum("default stp", StpMode::kCancelBoth);
  if (r.version() >= 2) ReadCashRiskFields(r, s);
  return a;
}

AddAsset ReadAddAsset(Reader& r, const SymbolName& name) {
  AddAsset a;
  a.spec.name = name;
  a.spec.decimals = r.I32();
  return a;
}

// A Deposit or Withdraw; the asset is the receiver's to resolve.
template <typename Transfer>
Transfer ReadTransfer(Reader& r) {
  Transfer t;
  t.account = r.U32();
  t.asset = kUnknownAsset;
  t.amount = r.I64();
  t.transfer = r.U64();
  return t;
}

SetFees ReadSetFees(Reader& r) {
  SetFees f;
  f.symbol = kUnknownSymbol;
  f.for_account = r.Bool("for_account");
  f.account = r.U32();
  f.clear = r.Bool("clear");
  f.rates.maker_ppm = r.I32();
  f.rates.taker_ppm = r.I32();
  return f;
}

CommandBody ReadCommandBody(Reader& r, CommandType type, const SymbolName& symbol) {
  switch (type) {
    case CommandType::kNewOrder: return ReadNewOrder(r);
    case CommandType::kCancelOrder: return ReadCancelOrder(r);
    case CommandType::kReplaceOrder: return ReadReplaceOrder(r);
    case CommandType::kMassCancel: return ReadMassCancel(r, symbol);
    case CommandType::kHaltSymbol: return HaltSymbol{};
    case CommandType::kResumeSymbol: return ResumeSymbol{};
    case CommandType::kAddInstrument: return ReadAddInstrument(r, symbol);
    case CommandType::kAddAsset: return ReadAddAsset(r, symbol);
    case CommandType::kDeposit: return ReadTransfer<Deposit>(r);
    case CommandType::kWithdraw: return ReadTransfer<Withdraw>(r);
    case CommandType::kSetFees: return ReadSetFees(r);
  }
  return HaltSymbol{};  // unreachable: the type was checked
}

// Checks that command record `index` is whole: known type, symbol length in
// range, all its bytes present. Consumes nothing.
bool CheckCommandRecordFits(Reader& r, std::uint32_t index) {
  const std::size_t at = r.offset();
  if (r.left() < kCommandPrefixSize) {
    r.Fail(at, Truncated("record " + std::to_string(index), kCommandPrefixSize, r.left()));
    return false;
  }
  const std::optional<std::size_t> body = CommandBodySize(r.Peek(0), r.version());
  if (!body) {
    r.Fail(at, "bad field: record type " + std::to_string(r.Peek(0)));
    return false;
  }
  const std::size_t symbol_length = r.Peek(kCommandPrefixSize - 1);
  if (symbol_length > SymbolName::kMaxLength) {
    r.Fail(at + kCommandPrefixSize - 1,
           "bad field: symbol length " + std::to_string(symbol_length));
    return false;
  }
  const std::size_t need = kCommandPrefixSize + symbol_length + *body;
  if (r.left() < need) {
    r.Fail(at, Truncated("record " + std::to_string(index), need, r.left()));
    return false;
  }
  return true;
}

bool ReadCommandRecord(Reader& r, std::uint32_t index, CommandRecord& out) {
  if (!CheckCommandRecordFits(r, index)) return false;
  const auto type = static_cast<CommandType>(r.U8());
  out.producer_sequence = r.U64();
  out.command.timestamp = r.I64();
  out.symbol = r.Symbol(/*may_be_empty=*/type == CommandType::kMassCancel);
  out.command.body = ReadCommandBody(r, type, out.symbol);
  return !r.error();
}

}  // namespace

void AppendCommandBatch(const CommandBatch& batch, std::string& out) {
  Writer w(out);
  WriteHeader(w, MessageKind::kCommandBatch);
  w.U64(batch.producer_id);
  w.U32(static_cast<std::uint32_t>(batch.records.size()));
  for (const CommandRecord& r : batch.records)
    WriteCommandRecord(w, r);
}

std::optional<DecodeError> DecodeCommandBatch(std::string_view bytes, CommandBatch& out) {
  out.records.clear();
  Reader r(bytes);
  std::optional<DecodeError> error;
  if (!ReadHeaderStart(r, MessageKind::kCommandBatch, kCommandHeaderSize)) {
    error = r.TakeError();
  } else {
    out.version = r.version();
    out.producer_id = r.U64();
    error = ReadRecords(r, kMinCommandRecordSize, out.records, ReadCommandRecord);
  }
  if (error) out.records.clear();
  return error;
}

Result<CommandBatch> DecodeCommandBatch(std::string_view bytes) {
  return DecodeToResult<CommandBatch>(
      bytes, [](std::string_view b, CommandBatch& out) { return DecodeCommandBatch(b, out); });
}

}  // namespace exchange::wire
