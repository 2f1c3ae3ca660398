-- 0004: each instrument's order limits, assets and default self-trade
-- prevention, as the instruments file gives them to the engine, so readers
-- (exchange-md's exchangeInfo filters) show the limits orders are held to.
-- NULL in rows written before this migration: readers take the engine's
-- defaults (min_quantity 1, max_quantity 2^61 - 1, CANCEL_RESTING, no assets)
-- until the writer saves the instrument again (the history sink does at
-- every connection).
ALTER TABLE instruments
  ADD COLUMN min_quantity bigint CHECK (min_quantity > 0),
  ADD COLUMN max_quantity bigint CHECK (max_quantity >= min_quantity),
  ADD COLUMN base_asset   text,
  ADD COLUMN quote_asset  text,
  ADD COLUMN default_stp  text CHECK (default_stp IN ('CANCEL_RESTING', 'CANCEL_INCOMING',
                                                      'CANCEL_BOTH'));
