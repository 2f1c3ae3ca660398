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

-- myTrades: the account's ledger rows of a trade (the asset it received,
-- the amount, its order's exchange id), an exchange order id's trades, and
-- the fee account's FEE rows of a trade (the commission). Only the TRADE
-- and FEE rows, two per account and trade and up to two fees: the writer's
-- cost is measured in persistence/README.md.
CREATE INDEX ledger_account_trade ON ledger (account, trade_id) WHERE reason IN ('TRADE', 'FEE');
