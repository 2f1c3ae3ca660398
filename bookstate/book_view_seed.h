// SeedBookViews: every symbol's BookView as an engine has it now (depth,
// open orders, halts). The book-state sink starts from it after recovery,
// and tests compare views kept from events against it. The last trade is
// not in the engine's state, so a seeded view has none.
//
// Reads the engine: call it on the thread that owns the engine.
#pragma once

#include "bookstate/book_view.h"
#include "engine/engine.h"

namespace exchange::bookstate {

OpenOrder OpenOrderOf(const Order& order);
BookViews SeedBookViews(const Engine& engine);

}  // namespace exchange::bookstate
