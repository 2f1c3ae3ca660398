// exchange-md's chart page in a real browser (headless Debian Chromium,
// driven by playwright-core; no browser download), against real Redis and
// PostgreSQL (scripts/services.sh):
//
//   1. md_chart_feed (tests/md_chart_feed.cc) writes 90 minutes of trading
//      on two symbols to a schema of this run's own, then trades live;
//   2. exchange-md serves that schema and the page (--web-root);
//   3. the page is loaded: symbols from exchangeInfo, the interval buttons,
//      candles, book levels and trades must appear (REST), then update
//      while orders flow (WebSocket streams): trades arrive, the last
//      candle changes, depth deltas apply on the snapshot (never a crossed
//      book); switching interval and symbol reloads and stays live;
//   4. a screenshot goes to <artifacts>/chart_page.png.
//
// Run by run_chart_page_test.sh (CTest: chart_page_test), which checks for
// node, Chromium and the services and installs playwright-core:
//   node chart_page.test.mjs --md-bin B --feed-bin F --web-root W --artifacts DIR
// Environment: EXCHANGE_REDIS_URL, EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL;
// CHROMIUM (default /usr/bin/chromium); CHART_TEST_KEEP=1 keeps the
// processes' logs in <artifacts>.
import {copyFileSync, mkdtempSync, mkdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';

import {chromium} from 'playwright-core';

import {check, pass, runTest, startProcess, stopProcess, waitFor} from '../node/harness.mjs';

const {values: args} = parseArgs({
  options: {
    'md-bin': {type: 'string'},
    'feed-bin': {type: 'string'},
    'web-root': {type: 'string'},
    'artifacts': {type: 'string'},
  },
});
for (const name of ['md-bin', 'feed-bin', 'web-root', 'artifacts']) {
  if (!args[name]) {
    console.error(`chart_page.test: --${name} is required`);
    process.exit(2);
  }
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                        '--no-first-run', '--disable-background-networking',
                        '--disable-component-update', '--disable-sync'];

const tag = `${process.pid % 100000}${Math.floor(Math.random() * 10)}`;
const schema = `md_chart_${tag}`;
const symbolA = `WA${tag}-USD`;
const symbolB = `WB${tag}-EUR`;

// (the processes: startProcess/stopAll in ../node/harness.mjs; stopped
// newest first: exchange-md, then the feed, which drops its schema)

// ---- The page's state, from its data-* attributes ----

async function pageState(page) {
  return page.evaluate(() => {
    const chart = document.getElementById('chart').dataset;
    const book = document.querySelector('table.book').dataset;
    const trades = document.getElementById('trades').dataset;
    const best = (id, pick) => {
      const rows = [...document.querySelectorAll(`#${id} tr td:first-child`)]
          .map((td) => Number(td.textContent));
      return rows.length ? pick(...rows) : null;
    };
    return {
      ready: document.body.dataset.ready === '1',
      status: document.getElementById('status').dataset.state,
      statusText: document.getElementById('status').textContent,
      error: document.getElementById('error').hidden ? '' :
          document.getElementById('error').textContent,
      symbol: document.getElementById('symbol').value,
      library: chart.library,
      bars: Number(chart.bars || 0),
      lastTime: Number(chart.lastTime || 0),
      lastClose: chart.lastClose,
      klineUpdates: Number(chart.updates || 0),
      bids: Number(book.bids || 0),
      asks: Number(book.asks || 0),
      bidRows: document.querySelectorAll('#bids tr').length,
      askRows: document.querySelectorAll('#asks tr').length,
      bestBid: best('bids', Math.max),
      bestAsk: best('asks', Math.min),
      snapshotId: Number(book.snapshotId || 0),
      lastUpdateId: Number(book.lastUpdateId || 0),
      deltas: Number(book.deltas || 0),
      trades: Number(trades.count || 0),
      tradeRows: document.querySelectorAll('#trades tr').length,
      lastTradeId: Number(trades.lastId || 0),
      received: Number(trades.received || 0),
      wsMessages: window.exchangeChart ? window.exchangeChart.feed.messages : 0,
    };
  });
}

// ---- The test ----

async function main() {
  mkdirSync(args.artifacts, {recursive: true});
  const base = {};

  const feed = await startProcess('md_chart_feed', args['feed-bin'], [
    '--schema', schema, '--symbols', `${symbolA},${symbolB}`, '--history-minutes', '90',
    '--history-rate', '3', '--rate', '30', '--batch-ms', '100', '--seconds', '300', '--cleanup',
  ], /^md_chart_feed: ready/, 180000);
  pass('md_chart_feed wrote the history and trades live', feed.match.input);

  const md = await startProcess('exchange-md', args['md-bin'], [
    '--listen', '127.0.0.1:0', '--threads', '2', '--pg-schema', schema,
    '--web-root', args['web-root'], '--log-level', 'warn',
  ], /listening on port (\d+)/, 30000);
  base.url = `http://127.0.0.1:${md.match[1]}`;
  pass('exchange-md listens', base.url);

  // ---- Over HTTP, without the browser ----
  await check('GET / is the chart page', async () => {
    const r = await fetch(`${base.url}/`);
    const body = await r.text();
    if (r.status !== 200) throw new Error(`status ${r.status}: ${body}`);
    if (!r.headers.get('content-type').startsWith('text/html')) {
      throw new Error(`content-type ${r.headers.get('content-type')}`);
    }
    if (!body.includes('lightweight-charts.standalone.production.js')) {
      throw new Error('index.html does not load the chart library');
    }
    return `${body.length} bytes, ETag ${r.headers.get('etag')}`;
  });
  await check('the chart library is served from the build, not the internet', async () => {
    const r = await fetch(`${base.url}/lightweight-charts.standalone.production.js`);
    const body = await r.text();
    if (r.status !== 200) throw new Error(`status ${r.status}: ${body.slice(0, 200)}`);
    if (!body.includes('LightweightCharts')) throw new Error('not the standalone build');
    return `${body.length} bytes, ${r.headers.get('content-type')}`;
  });
  await check('API paths keep priority; unknown files are JSON 404s', async () => {
    const missing = await fetch(`${base.url}/no-such-file.js`);
    const body = await missing.json();
    if (missing.status !== 404 || body.code !== -1020) {
      throw new Error(`${missing.status} ${JSON.stringify(body)}`);
    }
    const info = await (await fetch(`${base.url}/api/v3/exchangeInfo`)).json();
    const symbols = info.symbols.map((s) => s.symbol).sort();
    if (JSON.stringify(symbols) !== JSON.stringify([symbolA, symbolB].sort())) {
      throw new Error(`exchangeInfo symbols ${symbols}`);
    }
    return `exchangeInfo: ${symbols.join(', ')}`;
  });

  // ---- In the browser ----
  const profile = mkdtempSync(join(tmpdir(), 'chart-page-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: {width: 1440, height: 820},
  });
  const pageErrors = [];
  const consoleErrors = [];
  const offsite = [];
  const wsUrls = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(base.url) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    page.on('websocket', (ws) => wsUrls.push(ws.url()));

    await page.goto(`${base.url}/?symbol=${encodeURIComponent(symbolA)}&interval=1m`);

    // -- REST: the starting state --
    await check('the page loads its symbols and intervals', async () => {
      await waitFor('data-ready', () => pageState(page), (s) => s.ready, 15000);
      const options = await page.$$eval('#symbol option', (os) => os.map((o) => o.value));
      const intervals = await page.$$eval('#intervals button', (bs) => bs.map((b) => b.dataset.interval));
      for (const wanted of [symbolA, symbolB]) {
        if (!options.includes(wanted)) throw new Error(`symbol ${wanted} not in ${options}`);
      }
      for (const wanted of ['1s', '1m', '5m', '15m', '1h', '4h', '1d']) {
        if (!intervals.includes(wanted)) throw new Error(`interval ${wanted} not in ${intervals}`);
      }
      const pressed = await page.$eval('#intervals button[aria-pressed="true"]', (b) => b.dataset.interval);
      if (pressed !== '1m') throw new Error(`pressed interval ${pressed}`);
      const state = await pageState(page);
      if (state.symbol !== symbolA) throw new Error(`selected ${state.symbol}`);
      return `symbols ${options.join(' ')}; intervals ${intervals.join(' ')}`;
    });
    await check('the chart library is loaded', async () => {
      const s = await pageState(page);
      if (!s.library || s.library === 'missing') throw new Error(`data-library ${s.library}`);
      return `lightweight-charts ${s.library}`;
    });
    await check('candles appear (klines)', async () => {
      const s = await waitFor('candles', () => pageState(page), (x) => x.bars >= 30);
      return `${s.bars} bars of 1m, last open ${new Date(s.lastTime * 1000).toISOString()}, ` +
          `close ${s.lastClose}`;
    });
    await check('book levels appear (depth snapshot), at most 20 a side', async () => {
      const s = await waitFor('book levels', () => pageState(page),
                              (x) => x.bidRows > 0 && x.askRows > 0);
      if (s.bidRows > 20 || s.askRows > 20) throw new Error(`${s.bidRows} bids, ${s.askRows} asks`);
      if (!(s.bestBid < s.bestAsk)) throw new Error(`crossed: bid ${s.bestBid} ask ${s.bestAsk}`);
      return `${s.bidRows} bids, ${s.askRows} asks, ${s.bestBid} / ${s.bestAsk}, ` +
          `snapshot ${s.snapshotId}`;
    });
    await check('recent trades appear, at most 50', async () => {
      const s = await waitFor('trades', () => pageState(page), (x) => x.tradeRows > 0);
      if (s.tradeRows > 50) throw new Error(`${s.tradeRows} rows`);
      return `${s.tradeRows} trades, newest id ${s.lastTradeId}`;
    });

    // -- WebSocket: live updates while orders flow --
    await check('the stream connects (status live)', async () => {
      const s = await waitFor('status live', () => pageState(page), (x) => x.status === 'live',
                              20000);
      return `${s.statusText}; socket ${wsUrls.join(', ')}`;
    });
    const before = await pageState(page);
    await check('trades arrive over the stream and the list moves', async () => {
      const s = await waitFor('new trades', () => pageState(page),
                              (x) => x.received >= 5 && x.lastTradeId > before.lastTradeId, 20000);
      return `${s.received} trades received, newest id ${before.lastTradeId} -> ${s.lastTradeId}, ` +
          `${s.tradeRows} rows`;
    });
    await check('the last candle changes (kline stream)', async () => {
      const s = await waitFor('kline updates', () => pageState(page),
                              (x) => x.klineUpdates >= 3 &&
                                  (x.lastClose !== before.lastClose || x.lastTime !== before.lastTime),
                              20000);
      return `${s.klineUpdates} kline updates; close ${before.lastClose} -> ${s.lastClose}, ` +
          `bars ${before.bars} -> ${s.bars}`;
    });
    await check('depth updates apply on the snapshot (book stays uncrossed)', async () => {
      const s = await waitFor('depth deltas', () => pageState(page),
                              (x) => x.deltas >= 5 && x.lastUpdateId > before.snapshotId, 20000);
      for (let i = 0; i < 10; ++i) {
        const x = await pageState(page);
        if (x.bestBid !== null && x.bestAsk !== null && !(x.bestBid < x.bestAsk)) {
          throw new Error(`crossed book: bid ${x.bestBid} ask ${x.bestAsk}`);
        }
        if (x.bidRows > 20 || x.askRows > 20) throw new Error(`${x.bidRows}/${x.askRows} rows`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return `${s.deltas} deltas applied, update id ${s.snapshotId} -> ${s.lastUpdateId}`;
    });

    // Screenshot while it is live on the 1m chart.
    const screenshot = join(args.artifacts, 'chart_page.png');
    await page.screenshot({path: screenshot});
    pass('screenshot', screenshot);

    await check('switching to 1s reloads the candles and stays live', async () => {
      await page.click('#intervals button[data-interval="1s"]');
      const start = await waitFor('1s bars', () => pageState(page), (x) => x.bars > 0, 15000);
      const s = await waitFor('1s updates', () => pageState(page),
                              (x) => x.klineUpdates > start.klineUpdates + 2 &&
                                  x.lastTime > start.lastTime, 15000);
      const pressed = await page.$eval('#intervals button[aria-pressed="true"]', (b) => b.dataset.interval);
      if (pressed !== '1s') throw new Error(`pressed interval ${pressed}`);
      return `${s.bars} bars, open ${start.lastTime} -> ${s.lastTime}`;
    });
    await check('switching symbol shows the other book and trades, live', async () => {
      await page.selectOption('#symbol', symbolB);
      const s = await waitFor('other symbol', () => pageState(page),
                              (x) => x.symbol === symbolB && x.bidRows > 0 && x.tradeRows > 0 &&
                                  x.received >= 3 && x.deltas > 0, 20000);
      const prices = await page.$$eval('#trades tr td:first-child', (tds) => tds.map((t) => t.textContent));
      if (!prices.every((p) => /^\d+\.\d{4}$/.test(p))) {
        throw new Error(`prices not with the symbol's 4 decimals: ${prices.slice(0, 5)}`);
      }
      return `${s.bidRows} bids, ${s.tradeRows} trades, ${s.received} received, ` +
          `trade prices like ${prices[0]}`;
    });

    await page.selectOption('#symbol', symbolA);
    await page.click('#intervals button[data-interval="1m"]');
    await waitFor('back on the first symbol', () => pageState(page),
                  (x) => x.symbol === symbolA && x.bars > 0 && x.tradeRows === 50, 15000)
        .catch(() => {});
    await page.screenshot({path: join(args.artifacts, 'chart_page_end.png')});

    await check('without the chart library the page says so; book and trades still work',
                async () => {
      const bare = mkdtempSync(join(tmpdir(), 'chart-page-bare-'));
      for (const f of ['index.html', 'app.js', 'style.css']) {
        copyFileSync(join(args['web-root'], f), join(bare, f));
      }
      const md2 = await startProcess('exchange-md-bare', args['md-bin'], [
        '--listen', '127.0.0.1:0', '--threads', '1', '--pg-schema', schema, '--web-root', bare,
        '--log-level', 'warn',
      ], /listening on port (\d+)/, 30000);
      const page2 = await context.newPage();
      const errors2 = [];
      page2.on('pageerror', (e) => errors2.push(e.message));
      try {
        await page2.goto(`http://127.0.0.1:${md2.match[1]}/?symbol=${encodeURIComponent(symbolA)}`);
        const s = await waitFor('page without the library', () => pageState(page2),
                                (x) => x.ready && x.library === 'missing' && x.bidRows > 0 &&
                                    x.tradeRows > 0 && x.bars > 0, 15000);
        const message = await page2.$eval('#chart-message', (el) => el.hidden ? '' : el.textContent);
        if (!message.includes('missing')) throw new Error(`chart message: '${message}'`);
        if (errors2.length) throw new Error(errors2.join('\n'));
        return `'${message.slice(0, 58)}…'; ${s.bidRows} bids, ${s.tradeRows} trades`;
      } finally {
        await page2.close();
        await stopProcess(md2.child);
        rmSync(bare, {recursive: true, force: true});
      }
    });
    await check('no script errors on the page', async () => {
      if (pageErrors.length) throw new Error(pageErrors.join('\n'));
      return consoleErrors.length ? `${consoleErrors.length} console errors: ` +
          consoleErrors.slice(0, 3).join(' | ') : 'none';
    });
    await check('nothing fetched from anywhere but exchange-md', async () => {
      if (offsite.length) throw new Error(offsite.join('\n'));
      return 'none';
    });
    const final = await pageState(page);
    console.log(`# final page state: ${JSON.stringify(final)}`);
  } finally {
    await context.close();
    rmSync(profile, {recursive: true, force: true});
  }
}

await runTest(main, args.artifacts, {keep: process.env.CHART_TEST_KEEP === '1'});
