// OrderJournal: see order_journal.h.
//
// On disk: an 8-byte file header "XGWORD01", then records in the record-log
// format (base/record_log.h) with a 1-byte key, the record type (1 put,
// 2 erase), and the payload, little-endian:
//   put:   u64 id, u64 exchange id, str owner, str symbol, str ClOrdID,
//          u8 side, u8 type, u8 time in force, i64 price, stop price,
//          quantity, cum qty, leaves, u64 notional low and high halves,
//          u64 last sequence, u8 flags (1 accepted, 2 done), u32 pending
//          requests, each u8 kind, u64 token, str ClOrdID, str OrigClOrdID,
//          then i64 accepted at (engine time; absent in records of gateways
//          before it, read as 0)
//   erase: u64 id
// where str is u32 length then bytes. Damage is treated as
// RecordFile::LoadRecords says: a torn tail is cut off, anything else is an
// error.
#include "gateway/order_journal.h"

#include <algorithm>

#include "base/byte_io.h"
#include "gateway/order_owner.h"

namespace exchange::fix {
namespace {

constexpr std::string_view kFileMagic = "XGWORD01";
constexpr RecordFormat kFormat{.key_bytes = 1, .max_payload = 1 << 20};
constexpr std::size_t kRecordHeaderBytes = kFormat.header_bytes();
constexpr std::uint64_t kCompactDeadBytes = 16 << 20;

enum RecordType : std::uint8_t { kPut = 1, kErase = 2 };

void PutString(ByteWriter& w, std::string_view s) {
  w.U32(static_cast<std::uint32_t>(s.size()));
  w.Bytes(s);
}

std::string GetString(ByteReader& r) {
  const std::uint32_t n = r.U32();
  return std::string(r.Bytes(n));
}

void AppendRecordOf(std::uint8_t type, std::string_view payload, std::string& out) {
  const char key = static_cast<char>(type);
  AppendRecord(kFormat, std::string_view(&key, 1), payload, out);
}

}  // namespace

std::string EncodeJournaledOrder(const JournaledOrder& j) {
  const TrackedOrder& o = j.order;
  std::string out;
  ByteWriter w(out);
  w.U64(o.id);
  w.U64(o.exchange_id);
  PutString(w, j.owner);
  PutString(w, j.symbol);
  PutString(w, o.cl_ord_id);
  w.U8(static_cast<std::uint8_t>(o.side));
  w.U8(static_cast<std::uint8_t>(o.type));
  w.U8(static_cast<std::uint8_t>(o.tif));
  w.I64(o.price);
  w.I64(o.stop_price);
  w.I64(o.quantity);
  w.I64(o.cum_qty);
  w.I64(o.leaves);
  const auto notional = static_cast<unsigned __int128>(o.notional);
  w.U64(static_cast<std::uint64_t>(notional));
  w.U64(static_cast<std::uint64_t>(notional >> 64));
  w.U64(o.last_sequence);
  w.U8(static_cast<std::uint8_t>((o.accepted ? 1 : 0) | (o.done ? 2 : 0)));
  w.U32(static_cast<std::uint32_t>(o.pending.size()));
  for (const PendingRequest& p : o.pending) {
    w.U8(static_cast<std::uint8_t>(p.kind));
    w.U64(p.token);
    PutString(w, p.cl_ord_id);
    PutString(w, p.orig_cl_ord_id);
  }
  w.I64(o.accepted_at);
  return out;
}

std::optional<JournaledOrder> DecodeJournaledOrder(std::string_view payload) {
  ByteReader r(payload);
  JournaledOrder j;
  TrackedOrder& o = j.order;
  o.id = r.U64();
  o.exchange_id = r.U64();
  j.owner = GetString(r);
  j.symbol = GetString(r);
  o.cl_ord_id = GetString(r);
  const std::uint8_t side = r.U8(), type = r.U8(), tif = r.U8();
  if (side > 1 || type > static_cast<std::uint8_t>(OrderType::kStopLimit) || tif > 2) {
    return std::nullopt;
  }
  o.side = static_cast<Side>(side);
  o.type = static_cast<OrderType>(type);
  o.tif = static_cast<TimeInForce>(tif);
  o.price = r.I64();
  o.stop_price = r.I64();
  o.quantity = r.I64();
  o.cum_qty = r.I64();
  o.leaves = r.I64();
  const std::uint64_t low = r.U64(), high = r.U64();
  o.notional = static_cast<__int128>((static_cast<unsigned __int128>(high) << 64) | low);
  o.last_sequence = r.U64();
  const std::uint8_t flags = r.U8();
  o.accepted = (flags & 1) != 0;
  o.done = (flags & 2) != 0;
  const std::uint32_t pending = r.U32();
  for (std::uint32_t i = 0; i < pending && !r.failed(); ++i) {
    PendingRequest p;
    const std::uint8_t kind = r.U8();
    if (kind > static_cast<std::uint8_t>(PendingRequest::Kind::kReplace)) return std::nullopt;
    p.kind = static_cast<PendingRequest::Kind>(kind);
    p.token = r.U64();
    p.cl_ord_id = GetString(r);
    p.orig_cl_ord_id = GetString(r);
    o.pending.push_back(std::move(p));
  }
  if (!r.failed() && r.remaining() == 8) o.accepted_at = r.I64();
  if (r.failed() || r.remaining() != 0) return std::nullopt;
  return j;
}

OrderJournal::OrderJournal(std::string path) : file_(std::move(path), "gateway order journal") {
  Load();
  Compact();
}

void OrderJournal::Load() {
  dropped_bytes_ = file_.LoadRecords(
      kFileMagic, kFormat,
      [this](const RecordScanner& record) {
        Apply(static_cast<std::uint8_t>(record.key()[0]), record.payload());
      },
      [](std::string_view key, std::uint32_t) {
        return key[0] == static_cast<char>(kPut) || key[0] == static_cast<char>(kErase);
      });
  std::vector<ClientOrderId> ids;
  for (const auto& [id, payload] : live_)
    ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const ClientOrderId id : ids)
    loaded_.push_back(*DecodeJournaledOrder(live_[id]));
}

void OrderJournal::Apply(std::uint8_t type, std::string_view payload) {
  ByteReader r(payload);
  const ClientOrderId id = r.U64();
  if (type == kErase) {
    if (r.failed() || r.remaining() != 0) file_.Fail("malformed erase record");
    live_.erase(id);
    return;
  }
  if (!DecodeJournaledOrder(payload)) file_.Fail("malformed order record");
  live_[id] = std::string(payload);
}

std::vector<JournaledOrder> OrderJournal::TakeLoaded() {
  return std::exchange(loaded_, {});
}

void OrderJournal::Put(const TrackedOrder& order) {
  JournaledOrder j;
  j.owner = order.owner->name();
  j.symbol = order.instrument->spec.symbol.view();
  j.order = order;
  std::string payload = EncodeJournaledOrder(j);
  AppendRecord(kPut, payload);
  std::string& live = live_[order.id];
  live_bytes_ -= live.empty() ? 0 : kRecordHeaderBytes + live.size();
  live_bytes_ += kRecordHeaderBytes + payload.size();
  live = std::move(payload);
}

void OrderJournal::Erase(ClientOrderId id) {
  const auto it = live_.find(id);
  if (it == live_.end()) return;
  live_bytes_ -= kRecordHeaderBytes + it->second.size();
  live_.erase(it);
  payload_.clear();
  ByteWriter w(payload_);
  w.U64(id);
  AppendRecord(kErase, payload_);
}

void OrderJournal::AppendRecord(std::uint8_t type, std::string_view payload) {
  AppendRecordOf(type, payload, buffer_);
}

void OrderJournal::Flush() {
  if (buffer_.empty()) return;
  file_.Append(buffer_);
  buffer_.clear();
  const std::uint64_t dead = file_.size() - kFileMagic.size() - live_bytes_;
  if (dead > kCompactDeadBytes && dead > 3 * live_bytes_) Compact();
}

void OrderJournal::Compact() {
  std::string contents(kFileMagic);
  live_bytes_ = 0;
  for (const auto& [id, payload] : live_) {
    AppendRecordOf(kPut, payload, contents);
    live_bytes_ += kRecordHeaderBytes + payload.size();
  }
  file_.Replace(contents);
}

}  // namespace exchange::fix
