-- 0002: one GIN index for the trades of an account, in place of the two
-- B-trees on (taker_account, time) and (maker_account, time).
--
-- Each B-tree cost the writer about 1.3 s of PostgreSQL time per million
-- trades (accounts are random, so every insert descends to a different
-- leaf), as much as the heap itself; the GIN index over both accounts costs
-- about 0.9 s for both, because its inserts go to a pending list that is
-- merged into the index in bulk. An account's trades over a window:
--
--   WHERE ARRAY[taker_account, maker_account] @> ARRAY[$1::bigint]
--     AND time >= $2 AND time < $3
--
-- prunes the day partitions by time and reads the index of each day that
-- is left (see persistence/README.md for the plans).
DROP INDEX trades_taker_account_time;
DROP INDEX trades_maker_account_time;
CREATE INDEX trades_accounts ON trades USING gin ((ARRAY[taker_account, maker_account]));
