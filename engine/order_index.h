// OrderIndex: finds a live order in O(1), by (account, client order id) or by
// exchange order id. Holds every resting and every held stop order.
//
// By client id: boost::unordered_flat_map (open addressing, no node
// allocation), its memory touched up front. It is sized for at most 65,536
// orders whatever the engine expects, and doubles when more are live: a hash
// map spreads its inserts over its whole array, so one sized for a million
// orders made every insert a cache miss: with a few thousand live orders the
// engine ran at 0.34x of its default sizing (public harness, bench/harness/,
// README "The public matching-engine benchmark"). The doubling is
// a one-time rehash each time the live count passes a new power of two.
// By exchange id: an ExchangeIdTable, sized for all expected orders, as its
// footprint follows the live orders, not its size.
// Owned by the Engine; engine thread only.
#pragma once

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>

#include "engine/exchange_id_table.h"
#include "engine/order.h"
#include "engine/prefault_allocator.h"

namespace exchange {

class OrderIndex {
 public:
  static constexpr std::size_t kInitialClientCapacity = 1 << 16;

  explicit OrderIndex(std::size_t expected_orders = 1 << 16) : by_exchange_(expected_orders) {
    by_client_.reserve(std::min(expected_orders, kInitialClientCapacity));
  }

  Order* FindByClient(AccountId account, ClientOrderId id) const {
    auto it = by_client_.find(ClientKey{account, id});
    return it == by_client_.end() ? nullptr : it->second;
  }

  Order* FindByExchange(OrderId id) const { return by_exchange_.Find(id); }

  bool ContainsClient(AccountId account, ClientOrderId id) const {
    return by_client_.contains(ClientKey{account, id});
  }

  void Insert(Order* o) {
    by_client_.emplace(ClientKey{o->account, o->client_id}, o);
    by_exchange_.Insert(o);
  }

  void Erase(const Order* o) {
    by_client_.erase(ClientKey{o->account, o->client_id});
    by_exchange_.Erase(o);
  }

  // Changes the client id under which `o` is found (replace with a new id).
  void Rekey(Order* o, ClientOrderId new_id) {
    by_client_.erase(ClientKey{o->account, o->client_id});
    o->client_id = new_id;
    by_client_.emplace(ClientKey{o->account, new_id}, o);
  }

  std::size_t size() const { return by_client_.size(); }

  // Calls f(const Order&) for every live order, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [key, order] : by_client_)
      f(static_cast<const Order&>(*order));
  }

 private:
  struct ClientKey {
    AccountId account;
    ClientOrderId id;
    bool operator==(const ClientKey&) const = default;
  };
  struct ClientKeyHash {
    std::size_t operator()(const ClientKey& k) const {
      // Mix both parts; boost's flat map applies its own post-mixing too.
      std::uint64_t x = k.id * 0x9E3779B97F4A7C15ull ^ (std::uint64_t{k.account} << 17);
      x ^= x >> 29;
      return static_cast<std::size_t>(x * 0xBF58476D1CE4E5B9ull);
    }
  };

  template <typename K, typename H>
  using Map = boost::unordered_flat_map<K, Order*, H, std::equal_to<K>,
                                        PrefaultAllocator<std::pair<const K, Order*>>>;

  Map<ClientKey, ClientKeyHash> by_client_;
  ExchangeIdTable by_exchange_;
};

}  // namespace exchange
