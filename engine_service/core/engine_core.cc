#include "engine_service/core/engine_core.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "base/byte_io.h"

namespace exchange {

namespace {

// Resolves the name a command record carries: the symbol of an order or
// symbol command, the asset of a deposit or withdrawal.
void ResolveName(const Engine& engine, std::string_view name, Command& c) {
  std::visit(
      [&](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Deposit> || std::is_same_v<T, Withdraw>) {
          body.asset = engine.FindAsset(name).value_or(kUnknownAsset);
        } else if constexpr (std::is_same_v<T, AddInstrument> || std::is_same_v<T, AddAsset>) {
          // carries its own spec
        } else if constexpr (std::is_same_v<T, MassCancel>) {
          if (body.symbol != kAllSymbols) {
            body.symbol = engine.FindSymbol(name).value_or(kUnknownSymbol);
          }
        } else {
          body.symbol = engine.FindSymbol(name).value_or(kUnknownSymbol);
        }
      },
      c.body);
}

bool IsTransfer(const Command& c) {
  return std::holds_alternative<Deposit>(c.body) || std::holds_alternative<Withdraw>(c.body) ||
         std::holds_alternative<AddAsset>(c.body);
}

bool IsMassCancelAll(const Command& c) {
  const auto* m = std::get_if<MassCancel>(&c.body);
  return m && m->symbol == kAllSymbols;
}

}  // namespace

EngineCore::EngineCore(const Options& options, Sequence published_up_to, RecoveryReport* report,
                       const RecoveryHooks& hooks)
    : options_(options), snapshots_(options.data_dir + "/snapshots") {
  RecoveryReport local;
  RecoveryReport& r = report ? *report : local;
  JournalOpenReport opened;
  journal_ = Journal::Open(options.data_dir + "/journal", &opened);
  r.journal_damage = opened.damage;
  RestoreNewestPublishedSnapshot(std::min(published_up_to, hooks.base_at_most), &r);
  if (hooks.on_base) hooks.on_base(*engine_);

  std::vector<wire::EventRecord> events;
  journal_->Replay(r.snapshot_index, [&](std::uint64_t index, std::string_view payload) {
    wire::CommandBatch batch;
    if (auto error = wire::DecodeCommandBatch(payload, batch)) {
      throw std::runtime_error("journal record " + std::to_string(index) +
                               " does not decode: " + error->reason);
    }
    events.clear();
    ApplyRecords(batch, &events);
    ++r.replayed_records;
    for (const auto& e : events) {
      if (e.event.sequence > published_up_to) r.republish.push_back(e);
      if (hooks.on_replayed) hooks.on_replayed(e);
    }
  });
}

// The snapshot to start from: the newest one the journal can continue whose
// state holds no event above `published_up_to` (so every event the publisher
// had not confirmed is replayed, and republished). Falls back to the oldest
// usable one, saying which events may never have been published, when the
// journal no longer reaches further back.
void EngineCore::RestoreNewestPublishedSnapshot(Sequence published_up_to, RecoveryReport* r) {
  const std::uint64_t first = journal_->first_index();
  const std::uint64_t end = journal_->next_index();
  std::optional<SnapshotStore::Loaded> oldest_usable;
  std::uint64_t limit = UINT64_MAX;
  while (auto snap = snapshots_.LoadNewestBefore(limit, &r->snapshot_damage)) {
    limit = snap->journal_index;
    if (snap->journal_index < first || snap->journal_index > end) {
      r->snapshot_damage += snap->path + ": the journal (records " + std::to_string(first) + ".." +
                            std::to_string(end) + ") cannot continue it; skipped\n";
      continue;
    }
    ResetState();
    LoadState(snap->body);
    if (engine_->last_sequence() <= published_up_to) {
      r->from_snapshot = true;
      r->snapshot_index = snap->journal_index;
      held_[snap->journal_index] = engine_->last_sequence();
      return;
    }
    oldest_usable = std::move(snap);
  }
  ResetState();
  if (first == 0) return;  // the whole journal is there: start from nothing
  if (!oldest_usable) {
    throw std::runtime_error("the journal starts at record " + std::to_string(first) +
                             " and no usable snapshot covers what came before it: journal lost");
  }
  LoadState(oldest_usable->body);
  held_[oldest_usable->journal_index] = engine_->last_sequence();
  r->from_snapshot = true;
  r->snapshot_index = oldest_usable->journal_index;
  r->unpublished_gap = "events " + std::to_string(published_up_to + 1) + ".." +
                       std::to_string(engine_->last_sequence()) +
                       " were not confirmed as published and are no longer in the journal";
}

void EngineCore::ResetState() {
  engine_ = std::make_unique<Engine>(EngineOptions{options_.expected_orders});
  last_sequence_.clear();
}

EngineCore::~EngineCore() {
  bool failed = false;
  snapshots_.Wait(&failed);
}

std::uint64_t EngineCore::last_producer_sequence(std::uint64_t producer_id) const {
  auto it = last_sequence_.find(producer_id);
  return it == last_sequence_.end() ? 0 : it->second;
}

bool EngineCore::IsDuplicate(std::uint64_t producer_id, std::uint64_t sequence) const {
  auto it = last_sequence_.find(producer_id);
  return it != last_sequence_.end() && sequence <= it->second;
}

ApplyResult EngineCore::Apply(const wire::CommandBatch& batch,
                              std::vector<wire::EventRecord>* events,
                              std::vector<DepthChange>* depth) {
  ApplyResult result;
  fresh_.producer_id = batch.producer_id;
  fresh_.records.clear();
  bool known = last_sequence_.contains(batch.producer_id);
  std::uint64_t last = last_producer_sequence(batch.producer_id);
  for (const auto& record : batch.records) {
    // Only strictly increasing sequences are new, within a batch too.
    if (known && record.producer_sequence <= last) {
      ++result.duplicates;
      continue;
    }
    known = true;
    last = record.producer_sequence;
    fresh_.records.push_back(record);
  }
  if (fresh_.records.empty()) return result;
  scratch_.clear();
  wire::AppendCommandBatch(fresh_, scratch_);
  journal_->Append(scratch_);
  result.journaled = true;
  ApplyRecords(fresh_, events, depth ? &depth_ : nullptr);
  if (depth) depth_.Finish(*engine_, depth);
  result.applied = fresh_.records.size();
  return result;
}

void EngineCore::ApplyRecords(const wire::CommandBatch& batch,
                              std::vector<wire::EventRecord>* events, DepthCollector* depth) {
  for (const auto& record : batch.records) {
    Command command = record.command;
    ResolveName(*engine_, record.symbol.view(), command);
    if (depth) depth->BeforeCommand(*engine_, command);
    const std::span<const Event> produced = engine_->Process(command);
    if (depth) depth->AfterEvents(produced);
    for (const Event& e : produced) {
      wire::EventRecord out;
      out.event = e;
      if (e.symbol < engine_->symbol_count()) {
        out.symbol = engine_->book(e.symbol).instrument.symbol;
      } else if (!IsMassCancelAll(command) && !IsTransfer(command)) {
        out.symbol = record.symbol;  // what was asked for (e.g. an unknown symbol)
      }
      if (e.asset < engine_->asset_count()) {
        out.asset = engine_->asset(e.asset).name;
      } else if (IsTransfer(command)) {
        out.asset = record.symbol;  // the asset asked for
      }
      events->push_back(out);
    }
    last_sequence_[batch.producer_id] = record.producer_sequence;
  }
}

void EngineCore::EnsureInstruments(const std::vector<AssetSpec>& assets,
                                   const std::vector<InstrumentSpec>& specs,
                                   std::vector<wire::EventRecord>* events) {
  wire::CommandBatch batch;
  batch.producer_id = 0;
  std::uint64_t seq = last_producer_sequence(0);
  const auto add = [&](const SymbolName& name, CommandBody body) {
    wire::CommandRecord record;
    record.producer_sequence = ++seq;
    record.symbol = name;
    record.command = Command{0, std::move(body)};
    batch.records.push_back(std::move(record));
  };
  for (const AssetSpec& asset : assets) {
    if (!engine_->FindAsset(asset.name.view())) add(asset.name, AddAsset{asset});
  }
  if (!batch.records.empty()) Apply(batch, events);
  batch.records.clear();
  for (InstrumentSpec spec : specs) {
    if (engine_->FindSymbol(spec.symbol.view())) continue;
    if (spec.risk == RiskMode::kCash) {
      const auto id_of = [&](AssetId file_id) {
        if (file_id >= assets.size()) return kUnknownAsset;  // the engine rejects it
        return engine_->FindAsset(assets[file_id].name.view()).value_or(kUnknownAsset);
      };
      spec.base_asset = id_of(spec.base_asset);
      spec.quote_asset = id_of(spec.quote_asset);
    }
    add(spec.symbol, AddInstrument{spec});
  }
  if (!batch.records.empty()) Apply(batch, events);
}

// Snapshot body: u32 engine image length, engine image, u32 producer count,
// then (u64 producer id, u64 last sequence) sorted by producer id.
std::string EngineCore::SerializeState() const {
  std::string image;
  engine_->SaveState(image);
  std::string body;
  ByteWriter w(body);
  w.U32(static_cast<std::uint32_t>(image.size()));
  w.Bytes(image);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> producers(last_sequence_.begin(),
                                                                 last_sequence_.end());
  std::sort(producers.begin(), producers.end());
  w.U32(static_cast<std::uint32_t>(producers.size()));
  for (const auto& [id, seq] : producers) {
    w.U64(id);
    w.U64(seq);
  }
  return body;
}

void EngineCore::LoadState(std::string_view body) {
  ByteReader r(body);
  const std::string_view image = r.Bytes(r.U32());
  if (r.failed()) throw std::runtime_error("snapshot body truncated");
  if (const std::string error = engine_->LoadState(image); !error.empty()) {
    throw std::runtime_error("snapshot engine image: " + error);
  }
  const std::uint32_t producers = r.U32();
  for (std::uint32_t i = 0; i < producers && !r.failed(); ++i) {
    const std::uint64_t id = r.U64();
    last_sequence_[id] = r.U64();
  }
  if (r.failed() || r.remaining() != 0) throw std::runtime_error("snapshot producer table damaged");
}

bool EngineCore::StartSnapshot() {
  if (snapshots_.running()) return false;
  journal_->Rotate();  // so that whole segments can go once snapshots cover them
  const std::uint64_t index = journal_->next_index();
  if (!snapshots_.StartBackground(index, [this] { return SerializeState(); })) return false;
  running_ = {index, engine_->last_sequence()};
  return true;
}

bool EngineCore::PollSnapshot() {
  bool failed = false;
  if (auto index = snapshots_.Poll(&failed); index && *index == running_.first) {
    held_[running_.first] = running_.second;
    last_snapshot_index_ = running_.first;
  }
  return !failed;
}

void EngineCore::SnapshotNow() {
  journal_->Flush();
  journal_->Sync();
  const std::uint64_t index = journal_->next_index();
  snapshots_.Write(index, SerializeState());
  held_[index] = engine_->last_sequence();
  last_snapshot_index_ = index;
}

// Recovery must be able to start from a snapshot holding no event above what
// the publisher confirmed (RestoreNewestPublishedSnapshot): keep the newest
// such snapshot, every newer one, and the journal from it on; also the
// newest `snapshots_kept`. Everything older goes.
void EngineCore::Retain(Sequence published_up_to) {
  std::uint64_t keep_from = 0;
  for (const auto& [index, sequence] : held_) {
    if (sequence <= published_up_to) keep_from = index;
  }
  if (held_.empty()) return;
  const std::size_t kept = std::max<std::size_t>(1, options_.snapshots_kept);
  keep_from = std::min(keep_from, held_.size() <= kept
                                      ? held_.begin()->first
                                      : std::prev(held_.end(), static_cast<long>(kept))->first);
  if (keep_from <= retained_from_) return;
  snapshots_.PruneBefore(keep_from);
  journal_->DropSegmentsBefore(keep_from);
  held_.erase(held_.begin(), held_.lower_bound(keep_from));
  retained_from_ = keep_from;
}

}  // namespace exchange
