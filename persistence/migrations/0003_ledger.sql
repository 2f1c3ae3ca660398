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
  trade_id          bigint NOT NULL,   -- the TRADE's sequence for TRADE FEE ROUNDING; else 0
  PRIMARY KEY (shard, sequence)
);

-- An account's history, and its balance at a time.
CREATE INDEX ledger_account_asset ON ledger (account, asset, sequence);
-- Transfers by id (a duplicate check, an audit).
CREATE INDEX ledger_transfers ON ledger (order_id) WHERE reason IN ('DEPOSIT', 'WITHDRAW');
