// BookSide against a sorted map (rapidcheck): random streams of orders added
// at prices that wander, cluster and jump by up to 40,000 ticks, and removed
// from random levels, so that levels live inside the 4,096-tick window, far
// above and below it, and the window moves often. After every step the side's
// best level, level count, level order (ForEachLevel) and Find agree with the
// map. Set RC_PARAMS="seed=S" to reproduce a run.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <map>
#include <vector>

#include "engine/book_side.h"

namespace exchange {
namespace {

struct Step {
  bool add = true;
  int jump = 0;    // the centre moves by jump × 100 ticks (0 most of the time)
  int offset = 0;  // ticks from the centre
  int pick = 0;    // which live level a removal takes from
};

rc::Gen<Step> GenStep() {
  namespace gen = rc::gen;
  return gen::build<Step>(
      gen::set(&Step::add, gen::weightedElement<bool>({{3, true}, {2, false}})),
      gen::set(&Step::jump,
               gen::weightedOneOf<int>(
                   {{20, gen::just(0)}, {3, gen::inRange(-30, 31)}, {1, gen::inRange(-400, 401)}})),
      gen::set(&Step::offset, gen::weightedOneOf<int>({{6, gen::inRange(-20, 21)},
                                                       {2, gen::inRange(-3000, 3001)},
                                                       {1, gen::inRange(-9000, 9001)}})),
      gen::set(&Step::pick, gen::inRange(0, 1000)));
}

class Checked {
 public:
  Checked(Side side, Price tick) : side_(side), tick_(tick), book_(side, tick) {}

  void Add(Price price) {
    PriceLevel* level = book_.FindOrInsert(price, pool_);
    RC_ASSERT(level->price == price);
    orders_.emplace_back();
    level->PushBack(&orders_.back());
    ++model_[price];
  }

  void RemoveFrom(int pick) {
    if (model_.empty()) return;
    auto it = model_.begin();
    std::advance(it, pick % static_cast<int>(model_.size()));
    PriceLevel* level = book_.Find(it->first);
    RC_ASSERT(level != nullptr);
    level->Remove(level->head);
    if (--it->second == 0) {
      RC_ASSERT(level->empty());
      book_.Erase(level, pool_);
      model_.erase(it);
    }
  }

  void CheckAgainstModel(Price probe) const {
    RC_ASSERT(book_.level_count() == model_.size());
    RC_ASSERT(book_.empty() == model_.empty());
    std::vector<Price> expected;  // best first
    for (const auto& [price, count] : model_)
      expected.push_back(price);
    if (side_ == Side::kBuy) std::reverse(expected.begin(), expected.end());
    if (!expected.empty()) RC_ASSERT(book_.Best()->price == expected.front());
    std::vector<Price> seen;
    book_.ForEachLevel([&](const PriceLevel& l) {
      seen.push_back(l.price);
      return true;
    });
    RC_ASSERT(seen == expected);
    RC_ASSERT((book_.Find(probe) != nullptr) == model_.contains(probe));
  }

  Price tick() const { return tick_; }

 private:
  Side side_;
  Price tick_;
  BookSide book_;
  ObjectPool<PriceLevel> pool_;
  std::deque<Order> orders_;
  std::map<Price, int> model_;  // price → orders resting there
};

RC_GTEST_PROP(BookSideProperty, AgreesWithASortedMapWhereverPricesGo, ()) {
  const Side side = *rc::gen::element(Side::kBuy, Side::kSell);
  const Price tick = *rc::gen::element<Price>(1, 5);
  const auto steps = *rc::gen::container<std::vector<Step>>(GenStep());
  Checked book(side, tick);
  Price centre = 100'000;  // ticks
  for (const Step& s : steps) {
    centre = std::clamp<Price>(centre + s.jump * 100, 20'000, 180'000);
    const Price price = (centre + s.offset) * book.tick();
    if (s.add) {
      book.Add(price);
    } else {
      book.RemoveFrom(s.pick);
    }
    book.CheckAgainstModel(price);
  }
}

TEST(BookSide, AnOrderFarBeyondTheWindowIsTheBestAtOnce) {
  BookSide bids(Side::kBuy, 1);
  ObjectPool<PriceLevel> pool;
  Order a, b;
  bids.FindOrInsert(10'000, pool)->PushBack(&a);
  PriceLevel* far = bids.FindOrInsert(90'000, pool);  // 80,000 ticks better
  far->PushBack(&b);
  EXPECT_EQ(bids.Best(), far);
  EXPECT_EQ(bids.level_count(), 2u);
  far->Remove(&b);
  bids.Erase(far, pool);
  EXPECT_EQ(bids.Best()->price, 10'000);
}

}  // namespace
}  // namespace exchange
