#include "wire/wire_format.h"

#include <utility>
#include <variant>

#include "base/byte_io.h"

namespace exchange::wire {
namespace {

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
// Version 1 event: type, symbol length (the symbol bytes follow), then a body
// of every field (the same for every type).
constexpr std::size_t kV1EventPrefixSize = 1 + 1;
constexpr std::size_t kOrderEventFieldsSize = 8 + 8 + 4 * 1 + 4 + 4 + 8 + 8 + 5 * 8 + 4 + 4 * 8;
constexpr std::size_t kV1EventBodySize = kOrderEventFieldsSize;
// Version 2 event: type, symbol length, asset length (the bytes of each
// follow its length), then a body by type (EventBodySize).
constexpr std::size_t kEventPrefixSize = 1 + 1 + 1;
// Version 2 bodies: an order event (types 0-8) is version 1's fields and the
// asset id; a BALANCE only what a balance change needs.
constexpr std::size_t kOrderEventBodySize = kOrderEventFieldsSize + 2;
constexpr std::size_t kBalanceBodySize = 8 + 8 + 1 + 1 + 4 + 4 + 2 + 3 * 8 + 4 * 8;
constexpr std::size_t kAssetAddedBodySize = 8 + 8 + 2 + 8;
constexpr std::size_t kFeesSetBodySize = 8 + 8 + 4 + 4 + 8 + 4 + 4;
// Smallest records: a command with no symbol and no body; an event with no
// symbol (version 1), an ASSET_ADDED with no names (version 2).
constexpr std::size_t kMinCommandRecordSize = kCommandPrefixSize;
constexpr std::size_t MinEventRecordSize(std::uint8_t version) {
  return version == 1 ? kV1EventPrefixSize + kV1EventBodySize
                      : kEventPrefixSize + kAssetAddedBodySize;
}

// Version 2 event bodies after the prefix, by type.
std::size_t EventBodySize(EventType type) {
  switch (type) {
    case EventType::kBalance: return kBalanceBodySize;
    case EventType::kAssetAdded: return kAssetAddedBodySize;
    case EventType::kFeesSet: return kFeesSetBodySize;
    default: return kOrderEventBodySize;
  }
}

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

// Appends little-endian integers (ByteWriter), enumerations and symbols to a string.
class Writer : public ByteWriter {
 public:
  using ByteWriter::ByteWriter;

  template <typename E>
  void Enum(E v) {
    U8(static_cast<std::uint8_t>(v));
  }
  void Symbol(const SymbolName& s) { ShortString(s.view()); }
  void I32(std::int32_t v) { U32(static_cast<std::uint32_t>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
};

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

void WriteHeader(Writer& w, MessageKind kind) {
  w.U8(kMagic0);
  w.U8(kMagic1);
  w.U8(kVersion);
  w.Enum(kind);
}

void WriteCommandRecord(Writer& w, const CommandRecord& r) {
  const CommandBody& body = r.command.body;
  w.Enum(std::visit([](const auto& b) { return TypeOf(b); }, body));
  w.U64(r.producer_sequence);
  w.I64(r.command.timestamp);
  w.Symbol(WireName(r));
  std::visit(BodyWriter{w}, body);
}

// Types 0-8: version 1's fields, then the asset id.
void WriteOrderEventBody(Writer& w, const Event& e) {
  w.Enum(e.side);
  w.Enum(e.order_type);
  w.Enum(e.reject_reason);
  w.Enum(e.cancel_reason);
  w.U32(e.symbol);
  w.U32(e.account);
  w.U64(e.order_id);
  w.U64(e.exchange_order_id);
  w.I64(e.price);
  w.I64(e.quantity);
  w.I64(e.leaves);
  w.I64(e.filled);
  w.I64(e.stop_price);
  w.U32(e.maker_account);
  w.U64(e.maker_order_id);
  w.U64(e.maker_exchange_order_id);
  w.I64(e.maker_leaves);
  w.I64(e.maker_filled);
  w.U16(e.asset);
}

void WriteBalanceBody(Writer& w, const Event& e) {
  w.Enum(e.side);
  w.Enum(e.balance_reason);
  w.U32(e.symbol);
  w.U32(e.account);
  w.U16(e.asset);
  w.U64(e.order_id);
  w.U64(e.exchange_order_id);
  w.U64(e.trade_sequence);
  w.I64(e.available);
  w.I64(e.held);
  w.I64(e.available_delta);
  w.I64(e.held_delta);
}

void WriteAssetAddedBody(Writer& w, const Event& e) {
  w.U16(e.asset);
  w.I64(e.quantity);
}

void WriteFeesSetBody(Writer& w, const Event& e) {
  w.U32(e.symbol);
  w.U32(e.account);
  w.I64(e.price);
  w.I32(e.maker_ppm);
  w.I32(e.taker_ppm);
}

void WriteEventRecord(Writer& w, const EventRecord& r) {
  const Event& e = r.event;
  w.Enum(e.type);
  w.Symbol(r.symbol);
  w.Symbol(r.asset);
  w.U64(e.sequence);
  w.I64(e.timestamp);
  switch (e.type) {
    case EventType::kBalance: return WriteBalanceBody(w, e);
    case EventType::kAssetAdded: return WriteAssetAddedBody(w, e);
    case EventType::kFeesSet: return WriteFeesSetBody(w, e);
    default: return WriteOrderEventBody(w, e);
  }
}

// ------------------------------------------------------------------ reading

std::string Hex2(std::uint8_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string{kDigits[v >> 4], kDigits[v & 0xf]};
}

// Reads little-endian fields (ByteReader) and checks enumerations and
// symbols. Never reads past the end: a read that does not fit records an
// error and yields zero, so the callers' size checks are a convenience for
// good messages, not for safety. Every check records the first error only;
// callers test error() when done.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes), in_(bytes) {}

  std::size_t offset() const { return in_.position(); }
  std::size_t left() const { return in_.remaining(); }
  const std::optional<DecodeError>& error() const { return error_; }
  std::optional<DecodeError> TakeError() { return std::move(error_); }

  void Fail(std::size_t offset, std::string reason) {
    if (!error_) error_ = DecodeError{std::move(reason), offset};
  }

  // The byte `ahead` bytes past the current one, without consuming; 0 past the end.
  std::uint8_t Peek(std::size_t ahead) const {
    return ahead < left() ? static_cast<std::uint8_t>(bytes_[offset() + ahead]) : 0;
  }

  std::uint8_t U8() { return Checked(in_.U8()); }
  std::uint16_t U16() { return Checked(in_.U16()); }
  std::uint32_t U32() { return Checked(in_.U32()); }
  std::int32_t I32() { return static_cast<std::int32_t>(U32()); }  // two's complement
  std::uint64_t U64() { return Checked(in_.U64()); }
  std::int64_t I64() { return Checked(in_.I64()); }  // two's complement

  // An enumeration byte; values above `last` are an error "bad field: <name> <value>".
  template <typename E>
  E Enum(std::string_view name, E last) {
    const std::size_t at = offset();
    const std::uint8_t v = U8();
    if (v > static_cast<std::uint8_t>(last)) {
      Fail(at, "bad field: " + std::string(name) + " " + std::to_string(v));
      return E{};
    }
    return static_cast<E>(v);
  }

  // A flag byte: 0 or 1; anything else is an error "bad field: <name> <value>".
  bool Bool(std::string_view name) {
    const std::size_t at = offset();
    const std::uint8_t v = U8();
    if (v > 1) Fail(at, "bad field: " + std::string(name) + " " + std::to_string(v));
    return v == 1;
  }

  // The version of the message, once its header is read.
  std::uint8_t version() const { return version_; }
  void set_version(std::uint8_t v) { version_ = v; }

  // A symbol: u8 length, then that many bytes of printable ASCII ('!'..'~').
  SymbolName Symbol(bool may_be_empty) {
    const std::size_t at = offset();
    const std::size_t length = U8();
    if (length > SymbolName::kMaxLength) {
      Fail(at, "bad field: symbol length " + std::to_string(length));
      return SymbolName();
    }
    if (length == 0 && !may_be_empty) Fail(at, "bad field: empty symbol");
    const std::string_view s = Checked(in_.Bytes(length));
    CheckSymbolBytes(s, at + 1);
    return SymbolName(s);
  }

 private:
  template <typename T>
  T Checked(T value) {
    if (in_.failed()) Fail(offset(), "truncated: field past the end");
    return value;
  }

  void CheckSymbolBytes(std::string_view s, std::size_t at) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<std::uint8_t>(s[i]);
      if (c < '!' || c > '~') Fail(at + i, "bad field: symbol byte 0x" + Hex2(c));
    }
  }

  std::string_view bytes_;
  ByteReader in_;
  std::optional<DecodeError> error_;
  std::uint8_t version_ = kVersion;
};

std::string Truncated(std::string_view what, std::size_t need, std::size_t left) {
  return "truncated: " + std::string(what) + " needs " + std::to_string(need) + " bytes, " +
         std::to_string(left) + " left";
}

std::string_view KindName(MessageKind k) {
  return k == MessageKind::kCommandBatch ? "command batch" : "event batch";
}

// Checks magic, version and kind, consuming them and setting r's version.
// False after recording an error.
bool ReadHeaderStart(Reader& r, MessageKind expected, std::size_t header_size) {
  if (r.left() < header_size) {
    r.Fail(0, Truncated("header", header_size, r.left()));
    return false;
  }
  const std::uint8_t m0 = r.U8();
  const std::uint8_t m1 = r.U8();
  if (m0 != kMagic0 || m1 != kMagic1) {
    r.Fail(0, "bad magic 0x" + Hex2(m0) + Hex2(m1));
    return false;
  }
  const std::uint8_t version = r.U8();
  if (version < kOldestVersion || version > kVersion) {
    r.Fail(2, "unsupported version " + std::to_string(version));
    return false;
  }
  r.set_version(version);
  const std::uint8_t kind = r.U8();
  if (kind != static_cast<std::uint8_t>(expected)) {
    r.Fail(3, "bad kind " + std::to_string(kind) + ": expected " +
                  std::to_string(static_cast<int>(expected)) + " (" +
                  std::string(KindName(expected)) + ")");
    return false;
  }
  return true;
}

// Reads the record count and checks that many records can fit in what is left.
std::optional<std::uint32_t> ReadCount(Reader& r, std::size_t min_record_size) {
  const std::size_t at = r.offset();
  const std::uint32_t count = r.U32();
  const std::uint64_t need = std::uint64_t{count} * min_record_size;
  if (need > r.left()) {
    r.Fail(at, "bad count: " + std::to_string(count) + " records need at least " +
                   std::to_string(need) + " bytes, " + std::to_string(r.left()) + " left");
    return std::nullopt;
  }
  return count;
}

bool CheckNoTrailingBytes(Reader& r) {
  if (r.left() == 0) return true;
  r.Fail(r.offset(), "trailing bytes: " + std::to_string(r.left()) + " after the last record");
  return false;
}

// The last RejectReason each version knows.
RejectReason LastRejectReason(std::uint8_t version) {
  return version == 1 ? RejectReason::kInvalidInstrument : RejectReason::kDuplicateAsset;
}

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

// Checks that `length` bytes of event record `index` (starting at `at`) are there.
bool CheckEventBytes(Reader& r, std::uint32_t index, std::size_t at, std::size_t length) {
  if (r.left() >= length) return true;
  r.Fail(at, Truncated("record " + std::to_string(index), length, r.left()));
  return false;
}

// Checks a name length byte `ahead` bytes into the record. Consumes nothing.
bool CheckNameLength(Reader& r, std::size_t ahead) {
  const std::size_t length = r.Peek(ahead);
  if (length <= SymbolName::kMaxLength) return true;
  r.Fail(r.offset() + ahead, "bad field: symbol length " + std::to_string(length));
  return false;
}

// Checks that version 1 event record `index` is whole. Consumes nothing.
bool CheckV1EventRecordFits(Reader& r, std::uint32_t index) {
  const std::size_t at = r.offset();
  if (!CheckEventBytes(r, index, at, kV1EventPrefixSize)) return false;
  if (!CheckNameLength(r, 1)) return false;
  return CheckEventBytes(r, index, at, kV1EventPrefixSize + r.Peek(1) + kV1EventBodySize);
}

// Checks that version 2 event record `index` is whole: known type, name
// lengths in range, all its bytes present. Consumes nothing.
bool CheckEventRecordFits(Reader& r, std::uint32_t index) {
  const std::size_t at = r.offset();
  if (!CheckEventBytes(r, index, at, kEventPrefixSize)) return false;
  if (r.Peek(0) > static_cast<std::uint8_t>(EventType::kFeesSet)) {
    r.Fail(at, "bad field: event type " + std::to_string(r.Peek(0)));
    return false;
  }
  if (!CheckNameLength(r, 1)) return false;
  const std::size_t symbol_length = r.Peek(1);
  if (!CheckEventBytes(r, index, at, kEventPrefixSize + symbol_length)) return false;
  if (!CheckNameLength(r, 2 + symbol_length)) return false;
  const std::size_t need = kEventPrefixSize + symbol_length + r.Peek(2 + symbol_length) +
                           EventBodySize(static_cast<EventType>(r.Peek(0)));
  return CheckEventBytes(r, index, at, need);
}

// Types 0-8 after sequence and timestamp: version 1's fields (then, version 2, the asset id).
void ReadOrderEventBody(Reader& r, Event& e) {
  e.side = r.Enum("side", Side::kSell);
  e.order_type = r.Enum("order type", OrderType::kIceberg);
  e.reject_reason = r.Enum("reject reason", LastRejectReason(r.version()));
  e.cancel_reason = r.Enum("cancel reason", CancelReason::kFokCannotFill);
  e.symbol = r.U32();
  e.account = r.U32();
  e.order_id = r.U64();
  e.exchange_order_id = r.U64();
  e.price = r.I64();
  e.quantity = r.I64();
  e.leaves = r.I64();
  e.filled = r.I64();
  e.stop_price = r.I64();
  e.maker_account = r.U32();
  e.maker_order_id = r.U64();
  e.maker_exchange_order_id = r.U64();
  e.maker_leaves = r.I64();
  e.maker_filled = r.I64();
  if (r.version() >= 2) e.asset = r.U16();
}

void ReadBalanceBody(Reader& r, Event& e) {
  e.side = r.Enum("side", Side::kSell);
  e.balance_reason = r.Enum("balance reason", BalanceReason::kRounding);
  e.symbol = r.U32();
  e.account = r.U32();
  e.asset = r.U16();
  e.order_id = r.U64();
  e.exchange_order_id = r.U64();
  e.trade_sequence = r.U64();
  e.available = r.I64();
  e.held = r.I64();
  e.available_delta = r.I64();
  e.held_delta = r.I64();
}

void ReadAssetAddedBody(Reader& r, Event& e) {
  e.asset = r.U16();
  e.quantity = r.I64();
}

void ReadFeesSetBody(Reader& r, Event& e) {
  e.symbol = r.U32();
  e.account = r.U32();
  e.price = r.I64();
  e.maker_ppm = r.I32();
  e.taker_ppm = r.I32();
}

bool ReadV1EventRecord(Reader& r, std::uint32_t index, EventRecord& out) {
  if (!CheckV1EventRecordFits(r, index)) return false;
  out = EventRecord{};
  out.event.type = r.Enum("event type", EventType::kInstrumentAdded);
  out.symbol = r.Symbol(/*may_be_empty=*/true);
  out.event.sequence = r.U64();
  out.event.timestamp = r.I64();
  ReadOrderEventBody(r, out.event);
  return !r.error();
}

bool ReadEventRecord(Reader& r, std::uint32_t index, EventRecord& out) {
  if (r.version() == 1) return ReadV1EventRecord(r, index, out);
  if (!CheckEventRecordFits(r, index)) return false;
  out = EventRecord{};
  Event& e = out.event;
  e.type = r.Enum("event type", EventType::kFeesSet);
  out.symbol = r.Symbol(/*may_be_empty=*/true);
  out.asset = r.Symbol(/*may_be_empty=*/true);
  e.sequence = r.U64();
  e.timestamp = r.I64();
  switch (e.type) {
    case EventType::kBalance: ReadBalanceBody(r, e); break;
    case EventType::kAssetAdded: ReadAssetAddedBody(r, e); break;
    case EventType::kFeesSet: ReadFeesSetBody(r, e); break;
    default: ReadOrderEventBody(r, e); break;
  }
  return !r.error();
}

// Decodes the records of a batch whose header has been read.
template <typename Record, typename ReadRecord>
std::optional<DecodeError> ReadRecords(Reader& r, std::size_t min_record_size,
                                       std::vector<Record>& out, ReadRecord read_record) {
  const std::optional<std::uint32_t> count = ReadCount(r, min_record_size);
  if (!count) return r.TakeError();
  out.reserve(*count);  // bounded by the message size: ReadCount checked it
  for (std::uint32_t i = 0; i < *count; ++i) {
    Record& record = out.emplace_back();
    if (!read_record(r, i, record)) return r.TakeError();
  }
  if (!CheckNoTrailingBytes(r)) return r.TakeError();
  return std::nullopt;
}

template <typename Batch, typename Decode>
Result<Batch> DecodeToResult(std::string_view bytes, Decode decode) {
  Result<Batch> result;
  Batch batch;
  if (std::optional<DecodeError> error = decode(bytes, batch)) {
    result.error = std::move(*error);
  } else {
    result.value = std::move(batch);
  }
  return result;
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

void AppendEventBatch(std::span<const EventRecord> records, std::string& out) {
  Writer w(out);
  WriteHeader(w, MessageKind::kEventBatch);
  w.U32(static_cast<std::uint32_t>(records.size()));
  for (const EventRecord& r : records)
    WriteEventRecord(w, r);
}

void AppendEventBatch(const EventBatch& batch, std::string& out) {
  AppendEventBatch(std::span<const EventRecord>(batch.records), out);
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

std::optional<DecodeError> DecodeEventBatch(std::string_view bytes, EventBatch& out) {
  out.records.clear();
  Reader r(bytes);
  std::optional<DecodeError> error;
  if (!ReadHeaderStart(r, MessageKind::kEventBatch, kEventHeaderSize)) {
    error = r.TakeError();
  } else {
    out.version = r.version();
    error = ReadRecords(r, MinEventRecordSize(r.version()), out.records, ReadEventRecord);
  }
  if (error) out.records.clear();
  return error;
}

Result<CommandBatch> DecodeCommandBatch(std::string_view bytes) {
  return DecodeToResult<CommandBatch>(
      bytes, [](std::string_view b, CommandBatch& out) { return DecodeCommandBatch(b, out); });
}

Result<EventBatch> DecodeEventBatch(std::string_view bytes) {
  return DecodeToResult<EventBatch>(
      bytes, [](std::string_view b, EventBatch& out) { return DecodeEventBatch(b, out); });
}

MessageKind PeekKind(std::string_view bytes) {
  if (bytes.size() < 4) return MessageKind::kUnknown;
  const auto byte = [&bytes](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  if (byte(0) != kMagic0 || byte(1) != kMagic1 || byte(2) < kOldestVersion || byte(2) > kVersion) {
    return MessageKind::kUnknown;
  }
  switch (static_cast<MessageKind>(byte(3))) {
    case MessageKind::kCommandBatch: return MessageKind::kCommandBatch;
    case MessageKind::kEventBatch: return MessageKind::kEventBatch;
    case MessageKind::kUnknown: break;
  }
  return MessageKind::kUnknown;
}

}  // namespace exchange::wire
