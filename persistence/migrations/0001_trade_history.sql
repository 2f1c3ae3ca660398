-- 0001: trade history, finished orders, candles, and the sink's progress.
-- Prices and quantities are the engine's integers; instruments says how to
-- read them (price 6543210 with price_decimals 2 is 65432.10). Times are
-- the engine's timestamps, truncated to microseconds (never rounded, so a
-- trade stays in the candle bucket the engine put it in).

CREATE TABLE instruments (
  symbol            text PRIMARY KEY,
  price_decimals    smallint NOT NULL CHECK (price_decimals BETWEEN 0 AND 18),
  quantity_decimals smallint NOT NULL CHECK (quantity_decimals BETWEEN 0 AND 18),
  tick_size         bigint NOT NULL CHECK (tick_size > 0),
  lot_size          bigint NOT NULL CHECK (lot_size > 0)
);

-- One row per trade. trade_id is the engine sequence of the TRADE event:
-- unique within the engine shard that owns the symbol, so (symbol,
-- trade_id) is unique. Partitioned by day (trades_YYYYMMDD), created ahead
-- by the writer and on demand for a batch that needs another day.
CREATE TABLE trades (
  trade_id       bigint NOT NULL,
  symbol         text NOT NULL,
  time           timestamptz NOT NULL,
  price          bigint NOT NULL,
  quantity       bigint NOT NULL CHECK (quantity > 0),
  aggressor_side "char" NOT NULL CHECK (aggressor_side IN ('B', 'S')),  -- the taker's side
  taker_account  bigint NOT NULL,
  taker_order_id bigint NOT NULL,  -- the client order ids the accounts know
  maker_account  bigint NOT NULL,
  maker_order_id bigint NOT NULL
) PARTITION BY RANGE (time);

-- Per-symbol windows (VWAP, candles recomputed, daily OHLC).
CREATE INDEX trades_symbol_time ON trades (symbol, time);
-- Whole-market windows (top accounts by volume over a day): tiny, and
-- trades arrive in time order.
CREATE INDEX trades_time_brin ON trades USING brin (time);
-- One account's trades over a window, as taker or as maker.
CREATE INDEX trades_taker_account_time ON trades (taker_account, time);
CREATE INDEX trades_maker_account_time ON trades (maker_account, time);

-- The final state of each finished order (filled, cancelled, rejected,
-- expired), from the event that finished it.
CREATE TABLE orders (
  symbol            text NOT NULL,
  last_sequence     bigint NOT NULL,  -- the finishing event
  account           bigint NOT NULL,
  order_id          bigint NOT NULL,
  exchange_order_id bigint NOT NULL,  -- 0 when rejected before it had one
  side              "char" NOT NULL,
  order_type        text NOT NULL,
  price             bigint NOT NULL,
  stop_price        bigint NOT NULL,
  quantity          bigint NOT NULL,
  filled            bigint NOT NULL,
  status            text NOT NULL,    -- filled, cancelled, rejected, expired
  reason            text NOT NULL,    -- why cancelled or rejected; '' when filled
  finished_at       timestamptz NOT NULL,
  PRIMARY KEY (symbol, last_sequence, exchange_order_id)  -- a trade may finish two orders
);

-- OHLCV per symbol and interval (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d
-- 3d 1w 1M), UTC-aligned; open and close by trade id. Buckets with no trade
-- have no row. The open bucket is kept up to date too (live in Redis).
CREATE TABLE candles (
  symbol         text NOT NULL,
  interval       text NOT NULL,
  open_time      timestamptz NOT NULL,
  close_time     timestamptz NOT NULL,  -- exclusive end
  open           bigint NOT NULL,
  high           bigint NOT NULL,
  low            bigint NOT NULL,
  close          bigint NOT NULL,
  volume         bigint NOT NULL,
  quote_volume   numeric NOT NULL,      -- sum of price * quantity, exact
  trade_count    bigint NOT NULL,
  first_trade_id bigint NOT NULL,
  last_trade_id  bigint NOT NULL,
  PRIMARY KEY (symbol, interval, open_time)
);

-- How far each engine shard's history sink has written: every trade,
-- finished order and candle change of events up to last_sequence is in,
-- written in the same transaction as this row.
CREATE TABLE sink_progress (
  shard         text PRIMARY KEY,
  last_sequence bigint NOT NULL
);
