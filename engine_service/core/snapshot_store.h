// SnapshotStore: the engine service's snapshot files. A snapshot is the
// service's state (the engine's SaveState image plus what the service adds)
// as of a journal index: restart loads the newest good snapshot and replays
// the journal from that index.
//
// On disk: `snapshot-<journal index, 20 digits>.snap` in one folder: u32
// magic "XSS1", u8 version 1, u64 journal index, u64 body length, u32
// CRC-32C of the body, then the body. Written to a temporary name, fsynced,
// renamed, and the folder fsynced, so a crash leaves either the old set or
// the new one.
//
// Background snapshots fork(): the child is a copy-on-write image of the
// process at that instant, produces the bytes and writes them, while the
// parent (the engine thread) goes on at once. The pause is the fork itself
// (copying page tables), measured by engine-microbench BM_ForkSnapshot.
// The child closes every inherited descriptor, dies with the thread that
// forked it (so a snapshot in flight at shutdown or kill is dropped; the
// journal covers it), and is killed by a watchdog after two minutes.
//
// Owned by the engine service; one thread (the engine thread) uses it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace exchange {

class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SnapshotStore {
 public:
  struct Loaded {
    std::uint64_t journal_index = 0;  // the first journal record it does not cover
    std::string body;
    std::string path;
  };

  explicit SnapshotStore(std::string dir);

  // The newest snapshot whose checksum holds; damaged newer ones are skipped
  // and named in *report. nullopt when there is none.
  std::optional<Loaded> LoadNewest(std::string* report) const {
    return LoadNewestBefore(UINT64_MAX, report);
  }
  // The same among snapshots whose journal index is below `limit`.
  std::optional<Loaded> LoadNewestBefore(std::uint64_t limit, std::string* report) const;

  // Writes a snapshot now, durably. Throws SnapshotError.
  void Write(std::uint64_t journal_index, std::string_view body) const;

  // Forks a child that calls produce() and writes the result as the snapshot
  // at `journal_index`. False when one is still running (or fork failed).
  bool StartBackground(std::uint64_t journal_index, const std::function<std::string()>& produce);
  // Reaps a finished child without waiting. Returns its journal index when it
  // succeeded; sets *failed when it did not.
  std::optional<std::uint64_t> Poll(bool* failed);
  // Waits for a running child (shutdown, tests).
  std::optional<std::uint64_t> Wait(bool* failed);
  bool running() const { return child_ > 0; }

  // Deletes the snapshots whose journal index is below `index`.
  void PruneBefore(std::uint64_t index) const;

 private:
  std::optional<std::uint64_t> Reap(int options, bool* failed);

  std::string dir_;
  pid_t child_ = -1;
  std::uint64_t child_index_ = 0;
};

}  // namespace exchange
