-- 0003: the ledger (cash risk): one row per balance change the engine made,
-- from its BALANCE events, written exactly once in the same transaction as
-- the trades of the same events (the sink's progress covers both).
-- Amounts are integers in the asset's units; assets says how to read them.
-- Per account and asset the deltas add up to the balance the last row
-- shows; `exchange-cli report reconcile` checks that and the per-asset sum.

CREATE TABLE assets (
  asset    text PRIMARY KEY,
  decimals smallint NOT NULL CHECK (decimals BETWEEN 0 AND 18)
);

CREATE TABLE ledger (
  shard             text NOT NULL,     -- the engine shard that holds these funds
  sequence          bigint NOT NULL,   -- the BALANCE event's engine sequence
  time              timestamptz NOT NULL,
  account           bigint NOT NULL,   -- 4294967295: the fee account, 4294967294: rounding
  asset             text NOT NULL,
  available_delta   bigint NOT NULL,
  held_delta        bigint NOT NULL,
  available         bigint NOT NULL CHECK (available >= 0),  -- after the change
  held              bigint NOT NULL CHECK (held >= 0),
  reason            text NOT NULL,     -- DEPOSIT WITHDRAW HOLD RELEASE TRADE FEE ROUNDING
  symbol            text NOT NULL,     -- the order's symbol; '' for a transfer
  order_id          bigint NOT NULL,   -- the client order id, or the transfer id
  exchange_order_id bigint NOT NULL,   -- 0 for a transfer and the house accounts
  trade_id          bigint NOT NULL    -- the TRADE's sequence for TRADE FEE ROUNDING; else 0
);

-- No B-tree: rows arrive in sequence (and time) order, six or so per trade,
-- and a B-tree on random accounts would cost the writer as much as the heap
-- (measured: exchange-bench history --ledger-per-trade 6, persistence/README.md).
-- Exactly once comes from the sink's progress, committed with the rows, as
-- for trades. Block-range indexes serve the time and sequence windows; the
-- reconciliation and an account's balances scan.
CREATE INDEX ledger_sequence_brin ON ledger USING brin (shard, sequence);
CREATE INDEX ledger_time_brin ON ledger USING brin (time);
