-- 0005: a symbol's trades by trade id (exchange-md's historicalTrades and
-- aggTrades from an id). Trade ids grow with each symbol's trades, so every
-- insert lands on the rightmost leaf of its symbol's range: cheap for the
-- writer, unlike the random account B-trees 0002 replaced.
CREATE INDEX trades_symbol_trade_id ON trades (symbol, trade_id);
