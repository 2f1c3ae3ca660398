// Binance public market data, checked with the unmodified ccxt `binance`
// client from npm (binance_venue.mjs) against exchange-md, over real Redis
// and PostgreSQL (scripts/services.sh):
//
//   1. md_chart_feed (tests/md_chart_feed.cc) writes 30 minutes of trading
//      on two symbols to a schema of this run's own, trades live for
//      `LIVE_SECONDS`, then prints each book as its engine holds it and
//      keeps the market quiet (--linger);
//   2. exchange-md serves that schema;
//   3. while the market is live, the WebSocket watches ccxt offers for
//      Binance spot market data must deliver (trades, books, candles, the
//      tickers: watchTicker on @miniTicker and by name on @ticker,
//      watchTickers on @miniTicker, on !miniTicker@arr without symbols and
//      by name on @ticker_1h, the best bid and ask); watchMarkPrice(s) is
//      not there: ccxt offers it for futures and options only;
//   4. once it is quiet, the answers must agree with the engine and with
//      each other: the book ccxt kept from a snapshot plus depth diffs and
//      the REST book equal the engine's; tickers (fetched and watched),
//      best bid/ask and last prices agree with the book and the newest
//      trade; aggregate trades add up to the raw trades; every trade
//      streamed is in the history.
//
// Run by run_binance_client_test.sh (CTest: binance_client_test):
//   node ccxt_public.test.mjs --md-bin B --feed-bin F --artifacts DIR
// Environment: EXCHANGE_REDIS_URL, EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL;
// BINANCE_TEST_KEEP=1 keeps the processes' output in DIR.
import {parseArgs} from 'node:util';

import {check, logs, pass, runTest, startProcess, waitFor} from '../node/harness.mjs';

import {ccxtVersion, openVenue} from './binance_venue.mjs';

const {values: args} = parseArgs({
  options: {
    'md-bin': {type: 'string'},
    'feed-bin': {type: 'string'},
    'artifacts': {type: 'string'},
  },
});
for (const name of ['md-bin', 'feed-bin', 'artifacts']) {
  if (!args[name]) {
    console.error(`ccxt_public.test: --${name} is required`);
    process.exit(2);
  }
}

const LIVE_SECONDS = 20;
const tag = `${process.pid % 100000}${Math.floor(Math.random() * 10)}`;
const schema = `ccxt_${tag}`;
const idA = `CA${tag}-USD`;  // cents, quantities with 3 decimals in lots of 1.000
const idB = `CB${tag}-EUR`;  // 4 price decimals, whole quantities
const symA = `CA${tag}/USD`;
const symB = `CB${tag}/EUR`;

// The book lines md_chart_feed prints once the market is quiet:
// "md_chart_feed: book SYMBOL {"bids":[["p","q"],...],"asks":[...]}".
function engineBooks() {
  const books = {};
  for (const line of logs.md_chart_feed || []) {
    const m = line.match(/^md_chart_feed: book (\S+) (\{.*\})$/);
    if (!m) continue;
    const book = JSON.parse(m[2]);
    const numbers = (side) => side.map(([p, q]) => [Number(p), Number(q)]);
    books[m[1]] = {bids: numbers(book.bids), asks: numbers(book.asks)};
  }
  return books;
}

// "" when the two books hold the same levels, else where they first differ.
function bookDifference(got, want) {
  for (const side of ['bids', 'asks']) {
    const a = got[side];
    const b = want[side];
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; ++i) {
      const x = a[i] ? `${a[i][0]}x${a[i][1]}` : 'none';
      const y = b[i] ? `${b[i][0]}x${b[i][1]}` : 'none';
      if (x !== y) return `${side}[${i}]: ${x}, the engine ${y} (${a.length} vs ${b.length} levels)`;
    }
  }
  return '';
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Each watch's first answer, awaited while the market is live.
async function checkWatches(venue) {
  const first = (what, promise) =>
    check(what, async () => {
      const timer = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('nothing within 15 s')), 15000));
      return describe(await Promise.race([promise, timer]));
    });
  const describe = (x) => {
    if (Array.isArray(x)) return `${x.length} items, last ${JSON.stringify(x.at(-1)).slice(0, 90)}`;
    return JSON.stringify(x).slice(0, 120);
  };
  await first('watchTrades delivers trades', venue.watchTrades(symA));
  await first('watchTradesForSymbols delivers trades', venue.watchTradesForSymbols([symA, symB]));
  await first('watchOrderBook keeps a book', venue.watchOrderBook(symA).then(
      (b) => ({bids: b.bids.length, asks: b.asks.length, nonce: b.nonce})));
  await first('watchOrderBookForSymbols keeps books', venue.watchOrderBookForSymbols([symA, symB])
      .then((b) => ({symbol: b.symbol, bids: b.bids.length})));
  await first('watchOHLCV delivers the open candle', venue.watchOHLCV(symA, '1m'));
  await first('watchOHLCVForSymbols delivers candles', venue.watchOHLCVForSymbols([[symB, '1m']]));
  // ccxt 4.5's watchTicker takes watchTickers' stream (@miniTicker) unless
  // named.
  const ticker = (t) => ({e: t.info.e, last: t.last, bid: t.bid, ask: t.ask, volume: t.baseVolume});
  await first('watchTicker delivers the 24-hour mini ticker (@miniTicker)',
              venue.watchTicker(symB).then(ticker));
  await first('watchTicker by name delivers the 24-hour ticker (@ticker)',
              venue.watchTicker(symA, {name: 'ticker'}).then(ticker));
  await first('watchTickers delivers mini tickers (@miniTicker)',
              venue.watchTickers([symA, symB]).then((t) => Object.values(t).map((x) => x.info.e)));
  await first('watchTickers without symbols delivers every symbol\'s (!miniTicker@arr)',
              venue.watchTickers().then((t) => Object.keys(t)));
  await first('watchTickers by name delivers the 1-hour window (@ticker_1h)',
              venue.watchTickers([symA], {name: 'ticker_1h'}).then(
                  (t) => Object.values(t).map((x) => `${x.info.e} O ${x.info.O} n ${x.info.n}`)));
  await first('watchBidsAsks delivers the best bid and ask', venue.watchBidsAsks([symA]));
}

// Watches each symbol's book for the rest of the run, as a ccxt user does: a
// watch that fails (ccxt drops its book when a diff does not follow the one
// before) is watched again, from a new snapshot. Returns each symbol's
// failures, which the book checks report.
let watchingBooks = true;  // until the client closes
function keepWatchingBooks(venue, symbols) {
  const failures = Object.fromEntries(symbols.map((s) => [s, []]));
  for (const symbol of symbols) {
    (async () => {
      while (watchingBooks) {
        try {
          await venue.watchOrderBook(symbol);
        } catch (e) {
          if (!watchingBooks) return;
          failures[symbol].push(e.message.slice(0, 200));
          // A client's back-off before it watches again.
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    })().catch(() => {});
  }
  return failures;
}

// Everything the client sees once the market is quiet, against the engine.
async function checkQuietMarket(venue, streamed, watched, resyncs) {
  const books = await waitFor('the engine books', async () => engineBooks(),
                              (b) => b[idA] && b[idB], (LIVE_SECONDS + 30) * 1000);
  pass('md_chart_feed stopped trading and printed its books',
       `${books[idA].bids.length}+${books[idA].asks.length} levels in ${idA}`);

  for (const [symbol, id] of [[symA, idA], [symB, idB]]) {
    await check(`the book ccxt keeps from depth diffs equals the engine's (${symbol})`, async () => {
      let last = '';
      // The book ccxt keeps (venue.orderbooks) once the last diffs are in: a
      // quiet market sends no more updates to wait for.
      await waitFor(`${symbol}'s watched book`, async () => {
        const book = venue.orderbooks[symbol];
        last = book ? bookDifference(book, books[id]) : 'no book kept';
        return last;
      }, (difference) => difference === '', 20000).catch((e) => {
        throw new Error(`${last || e.message}; watch failures: ${JSON.stringify(resyncs[symbol])}`);
      });
      // md_ws_test proves the diff chain has no gap (U = previous u + 1,
      // over 100,000 orders, at both speeds) and that a client subscribing
      // while the market moves gets every update after its snapshot (ccxt
      // dropped its book about 1 run in 5 when the feed rendered an update
      // with the streams followed as they were before its XREAD). Should
      // ccxt drop a book, the loop above watches again from a new snapshot,
      // and each drop is printed here with ccxt's reason.
      const drops = resyncs[symbol];
      return `${books[id].bids.length} bids, ${books[id].asks.length} asks` +
             (drops.length ? `; ccxt dropped the book ${drops.length} times: ${drops[0]}` : '');
    });
    await check(`fetchOrderBook equals the engine's book (${symbol})`, async () => {
      const book = await venue.fetchOrderBook(symbol, 5000);
      const difference = bookDifference(book, books[id]);
      expect(difference === '', difference);
      return `nonce ${book.nonce}`;
    });
  }

  const trades = await venue.fetchTrades(symA, undefined, 1000);
  const newest = trades.at(-1);
  const top = books[idA];
  await check('fetchTrades (aggTrades): aggregates of the raw trades', async () => {
    expect(trades.length > 10, `only ${trades.length} aggregate trades`);
    const raw = await venue.fetchTrades(symA, undefined, 1000, {method: 'publicGetTrades'});
    const byId = new Map(raw.map((t) => [Number(t.id), t]));
    let checked = 0;
    for (const [i, agg] of trades.entries()) {
      const {f: firstId, l: lastId} = agg.info;
      if (!byId.has(Number(firstId))) continue;  // older than the raw window
      let amount = 0;
      for (let id = Number(firstId); id <= Number(lastId); ++id) {
        const t = byId.get(id);
        if (!t) continue;  // ids are engine sequences: other events take some
        expect(t.price === agg.price, `trade ${id} at ${t.price} in an aggregate at ${agg.price}`);
        amount += t.amount;
      }
      expect(Math.abs(amount - agg.amount) < 1e-9,
             `aggregate ${agg.id}: ${agg.amount}, its trades add up to ${amount}`);
      if (i > 0) expect(Number(agg.id) > Number(trades[i - 1].id), 'aggregate ids not increasing');
      ++checked;
    }
    expect(checked > 10, `only ${checked} aggregates inside the raw trades' window`);
    return `${checked} aggregates over ${raw.length} trades`;
  });
  await check('every trade watchTrades streamed is in the history, the same', async () => {
    const raw = await venue.fetchTrades(symA, undefined, 1000, {method: 'publicGetTrades'});
    const byId = new Map(raw.map((t) => [String(t.id), t]));
    const inWindow = streamed.filter((t) => Number(t.id) >= Number(raw[0].id));
    expect(inWindow.length > 0, `none of ${streamed.length} streamed trades in the window`);
    for (const t of inWindow) {
      const h = byId.get(String(t.id));
      expect(h, `streamed trade ${t.id} is not in the history`);
      expect(h.price === t.price && h.amount === t.amount && h.side === t.side,
             `trade ${t.id}: streamed ${t.side} ${t.amount}@${t.price}, ` +
             `history ${h.side} ${h.amount}@${h.price}`);
    }
    return `${inWindow.length} streamed trades`;
  });
  await check('fetchTicker: last trade and best bid/ask', async () => {
    const ticker = await venue.fetchTicker(symA);
    expect(ticker.last === newest.price, `last ${ticker.last}, newest trade ${newest.price}`);
    expect(ticker.bid === top.bids[0][0] && ticker.ask === top.asks[0][0],
           `bid ${ticker.bid} ask ${ticker.ask}, the engine ${top.bids[0][0]} ${top.asks[0][0]}`);
    expect(ticker.high >= ticker.low && ticker.baseVolume > 0, JSON.stringify(ticker.info));
    return `last ${ticker.last}, volume ${ticker.baseVolume}`;
  });
  // The tickers ccxt kept from the streams (a quiet market sends no more
  // to wait for) once they show the last trade: the REST answers' fields.
  const sameFields = (what, got, want, fields) => {
    for (const field of fields) {
      expect(got[field] === want[field], `${what} ${field}: watched ${got[field]}, ` +
             `fetched ${want[field]} (${JSON.stringify(got.info)})`);
    }
  };
  await check('watchTicker (@ticker): the 24-hour ticker fetchTicker answers', async () => {
    const rest = await venue.fetchTicker(symA);
    const w = await waitFor('the watched ticker', async () => watched.ticker,
                            (t) => t && t.last === newest.price && t.bid === top.bids[0][0] &&
                                t.ask === top.asks[0][0] && t.baseVolume === rest.baseVolume);
    expect(w.info.e === '24hrTicker', JSON.stringify(w.info));
    sameFields(symA, w, rest, ['open', 'high', 'low', 'last', 'previousClose', 'change',
                               'percentage', 'vwap', 'bid', 'bidVolume', 'ask', 'askVolume',
                               'baseVolume', 'quoteVolume']);
    return `last ${w.last}, vwap ${w.vwap}, ${w.info.n} trades`;
  });
  await check('watchTickers() (!miniTicker@arr): every symbol, as fetchTickers', async () => {
    const rest = await venue.fetchTickers([symA, symB]);
    const w = await waitFor('the watched mini tickers', async () => watched.all,
                            (all) => [symA, symB].every((s) => all[s] &&
                                all[s].last === rest[s].last &&
                                all[s].baseVolume === rest[s].baseVolume));
    for (const s of [symA, symB]) {
      expect(w[s].info.e === '24hrMiniTicker', JSON.stringify(w[s].info));
      sameFields(s, w[s], rest[s], ['open', 'high', 'low', 'last', 'baseVolume', 'quoteVolume']);
    }
    return [symA, symB].map((s) => `${s} last ${w[s].last}`).join(', ');
  });
  await check('fetchBidsAsks and watchBidsAsks: the engine\'s best bid and ask', async () => {
    const all = await venue.fetchBidsAsks([symA]);
    const t = all[symA];
    expect(t && t.bid === top.bids[0][0] && t.ask === top.asks[0][0], JSON.stringify(t));
    expect(t.bidVolume === top.bids[0][1] && t.askVolume === top.asks[0][1], JSON.stringify(t));
    const w = await waitFor('bids/asks', async () => venue.bidsasks,
                            (x) => x[symA] && x[symA].bid === top.bids[0][0]);
    return `${t.bid} / ${t.ask}; watched ${w[symA].bid} / ${w[symA].ask}`;
  });
  await check('fetchLastPrices: the newest trade', async () => {
    const prices = await venue.fetchLastPrices([symA]);
    expect(prices[symA] && prices[symA].price === newest.price, JSON.stringify(prices[symA]));
    return `${prices[symA].price}`;
  });
  await check('fetchOHLCV and watchOHLCV: the newest candle closes at the last trade', async () => {
    const candles = await venue.fetchOHLCV(symA, '1m', undefined, 5);
    const [time, open, high, low, close, volume] = candles.at(-1);
    expect(close === newest.price, `close ${close}, newest trade ${newest.price}`);
    expect(high >= Math.max(open, close) && low <= Math.min(open, close) && volume > 0,
           JSON.stringify(candles.at(-1)));
    const watched = await waitFor('watched candle', async () =>
      ((venue.ohlcvs[symA] || {})['1m'] || []), (x) => x.length > 0 && x.at(-1)[0] === time &&
      x.at(-1)[4] === close);
    return `${JSON.stringify(candles.at(-1))}; watched ${JSON.stringify(watched.at(-1))}`;
  });
}

async function main() {
  await startProcess('md_chart_feed', args['feed-bin'], [
    '--schema', schema, '--symbols', `${idA},${idB}`, '--history-minutes', '30',
    '--history-rate', '3', '--rate', '30', '--batch-ms', '100', '--seconds', String(LIVE_SECONDS),
    '--linger', '--cleanup',
  ], /^md_chart_feed: ready/, 180000);
  const md = await startProcess('exchange-md', args['md-bin'], [
    '--listen', '127.0.0.1:0', '--threads', '2', '--pg-schema', schema, '--log-level', 'warn',
  ], /listening on port (\d+)/, 30000);
  const base = `http://127.0.0.1:${md.match[1]}`;
  pass('the market and exchange-md are up', `${base}, ccxt ${ccxtVersion}`);

  const venue = await openVenue(base);
  try {
    await check('loadMarkets: both instruments, their ticks, lots and limits', async () => {
      const markets = await venue.loadMarkets();
      const a = markets[symA];
      const b = markets[symB];
      expect(a && b, `markets ${Object.keys(markets).join(', ')}`);
      expect(a.id === idA && a.spot && a.active, JSON.stringify(a).slice(0, 300));
      expect(a.precision.price === 0.01 && a.precision.amount === 1,
             `${symA} precision ${JSON.stringify(a.precision)}`);
      expect(b.precision.price === 0.0001 && b.precision.amount === 1,
             `${symB} precision ${JSON.stringify(b.precision)}`);
      // md_chart_feed's limits: one lot to a million lots.
      expect(a.limits.amount.min === 1 && a.limits.amount.max === 1000000,
             `${symA} amount limits ${JSON.stringify(a.limits.amount)}`);
      return `${Object.keys(markets).length} markets`;
    });
    await check('fetchTime: the server\'s clock', async () => {
      const t = await venue.fetchTime();
      expect(Math.abs(t - Date.now()) < 5000, `server time ${t}, here ${Date.now()}`);
      return `${t}`;
    });
    await check('fetchStatus: ok', async () => {
      const s = await venue.fetchStatus();
      expect(s.status === 'ok', JSON.stringify(s));
      return s.status;
    });

    const streamed = [];
    const collect = (async () => {
      for (;;) {
        const batch = await venue.watchTrades(symA);
        streamed.push(...batch.filter((t) => !streamed.some((s) => s.id === t.id)));
      }
    })();
    collect.catch(() => {});  // ends with the client
    // The newest ticker of each kind, for the quiet market's checks.
    const watched = {ticker: undefined, all: {}};
    const follow = async (watch, keep) => {
      for (;;) keep(await watch());
    };
    follow(() => venue.watchTicker(symA, {name: 'ticker'}), (t) => {
      watched.ticker = t;
    }).catch(() => {});
    follow(() => venue.watchTickers(), (t) => Object.assign(watched.all, t)).catch(() => {});
    await checkWatches(venue);
    const resyncs = keepWatchingBooks(venue, [symA, symB]);
    await checkQuietMarket(venue, streamed, watched, resyncs);
  } finally {
    watchingBooks = false;
    await venue.close();
  }
}

await runTest(main, args.artifacts, {keep: process.env.BINANCE_TEST_KEEP === '1'});
