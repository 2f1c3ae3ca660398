-- 0007: one account's orders and trades in one symbol, for the Binance API's
-- allOrders and myTrades (persistence/account_history.h).
--
-- orders gains the acceptance time (allOrders' time and startTime/endTime;
-- NULL when unknown: rows before 0007, orders the writer's tracker was
-- seeded with after a restart, rejected orders) and the quote quantity
-- filled, Σ price × quantity of the order's fills (cummulativeQuoteQty;
-- NULL for rows before 0007).
ALTER TABLE orders
  ADD COLUMN accepted_at timestamptz,
  ADD COLUMN quote_filled numeric;

-- allOrders: an account's orders in a symbol by exchange order id (from an
-- id, or the newest). The history sink appends orders in finishing order,
-- so inserts land all over the index; orders are a few per trade at most.
CREATE INDEX orders_account_symbol ON orders (account, symbol, exchange_order_id);

-- myTrades: each trade row names its orders by exchange id and carries
-- each side's fee (the buyer's in base, the seller's in quote; 0 without
-- cash risk; NULL in rows before 0007), so an account's trades are read
-- from `trades` alone (its GIN index trades_accounts). Looking them up in
-- the ledger instead needed an index there that cost the history writer
-- about 40% of its throughput (persistence/README.md).
ALTER TABLE trades
  ADD COLUMN taker_exchange_order_id bigint,
  ADD COLUMN maker_exchange_order_id bigint,
  ADD COLUMN buyer_fee bigint,
  ADD COLUMN seller_fee bigint;
