#include <gtest/gtest.h>
#include "engine/engine.h"
using namespace exchange;
TEST(Smoke, Builds) { Engine e; EXPECT_EQ(e.symbol_count(), 0u); }
