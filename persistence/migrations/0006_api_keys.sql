-- 0006: API keys of the trading front ends (auth/api_key_store.h). The
-- secret is sealed under the master key named by master_key_id (libsodium
-- secretbox; auth/master_key.h): this table alone does not reveal it.
-- Rows are never deleted: a revoked key keeps its row, so its name is never
-- given out again and the history of who traded with which key stays.

CREATE TABLE api_keys (
  api_key       text PRIMARY KEY CHECK (api_key ~ '^[A-Za-z0-9]{64}$'),
  account       bigint NOT NULL CHECK (account BETWEEN 0 AND 4294967293),
  can_trade     boolean NOT NULL,            -- every key may read
  ip_allow      text NOT NULL DEFAULT '',    -- addresses or networks, comma-separated; '' = any
  label         text NOT NULL DEFAULT '',
  master_key_id text NOT NULL,
  sealed_secret bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);

CREATE INDEX api_keys_account ON api_keys (account);
