// UnfilledOrderCount (gateway/binance/unfilled_order_count.h): Binance's
// ORDERS limits per account, counted in fixed windows, with first fills
// taking orders back.
#include "gateway/binance/unfilled_order_count.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace exchange::binance {
namespace {

constexpr std::int64_t kWindowStart = 1'796'000'000'000;  // the start of a 10-second window

std::int64_t Header(UnfilledOrderCount& count, const std::string& name, std::int64_t now_ms) {
  for (const auto& [key, value] : count.Headers(now_ms)) {
    if (key == name) return std::stoll(value);
  }
  ADD_FAILURE() << "no header " << name;
  return -1;
}

TEST(UnfilledOrderCountTest, TheEleventhOrderInTenSecondsIsRefusedAndCountsNothing) {
  UnfilledOrderCount count({10, 1000});
  for (int i = 0; i < 10; ++i)
    ASSERT_FALSE(count.Add(kWindowStart + i * 100)) << i;
  const auto refused = count.Add(kWindowStart + 9'999);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429u);
  EXPECT_EQ(refused->code, -1015);
  EXPECT_EQ(refused->msg, "Too many new orders; current limit is 10 orders per 10 SECOND.");
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-10S", kWindowStart + 9'999), 10);
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-1D", kWindowStart + 9'999), 10);
  // The next window starts from zero; the day's count goes on.
  EXPECT_FALSE(count.Add(kWindowStart + 10'000));
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-10S", kWindowStart + 10'000), 1);
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-1D", kWindowStart + 10'000), 11);
}

TEST(UnfilledOrderCountTest, TheDayLimitRefusesWhileTheTenSecondOneHasRoom) {
  UnfilledOrderCount count({100, 3});
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(count.Add(kWindowStart + i * 20'000));
  const auto refused = count.Add(kWindowStart + 60'000);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->msg, "Too many new orders; current limit is 3 orders per 1 DAY.");
}

TEST(UnfilledOrderCountTest, FirstFillsGiveOrdersBackTakerOneMakerFiveNeverBelowZero) {
  UnfilledOrderCount count({10, 1000});
  for (int i = 0; i < 7; ++i)
    ASSERT_FALSE(count.Add(kWindowStart));
  count.FirstFill(kWindowStart, /*maker=*/false);
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-10S", kWindowStart), 6);
  count.FirstFill(kWindowStart, /*maker=*/true);
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-10S", kWindowStart), 1);
  count.FirstFill(kWindowStart, /*maker=*/true);
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-10S", kWindowStart), 0);
  EXPECT_EQ(Header(count, "X-MBX-ORDER-COUNT-1D", kWindowStart), 0);
}

TEST(UnfilledOrderCountTest, ZeroLimitsNothingAndRateLimitOrderJsonIsBinances) {
  UnfilledOrderCount count({0, 0});
  for (int i = 0; i < 1000; ++i)
    ASSERT_FALSE(count.Add(kWindowStart));
  const auto json = nlohmann::json::parse(count.Json(kWindowStart));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["rateLimitType"], "ORDERS");
  EXPECT_EQ(json[0]["interval"], "SECOND");
  EXPECT_EQ(json[0]["intervalNum"], 10);
  EXPECT_EQ(json[0]["count"], 1000);
  EXPECT_EQ(json[1]["interval"], "DAY");
  EXPECT_EQ(json[1]["intervalNum"], 1);
  EXPECT_EQ(json[1]["limit"], 0);
}

}  // namespace
}  // namespace exchange::binance
