// exchange-md's chart page: candles and volume (lightweight-charts v5), the
// order book (top 20 levels a side) and the recent trades (latest 50) of
// one symbol, kept live over exchange-md's WebSocket streams.
//
// Data: GET /api/v3/exchangeInfo (the symbols, their decimals and tick),
// /api/v3/klines, /api/v3/depth, /api/v3/trades and /api/v3/ticker/24hr for
// the starting state; then one combined WebSocket (/stream?streams=...)
// carrying <symbol>@trade, <symbol>@depth@100ms and <symbol>@kline_<interval>,
// re-subscribed (SUBSCRIBE / UNSUBSCRIBE) when the symbol or interval
// changes, and reopened with back-off when it drops (everything is then
// loaded again). The book follows Binance's sync rule: buffer the stream,
// take a snapshot (lastUpdateId L), drop deltas with u <= L, the first one
// applied must have pu <= L and every later one pu == the previous u;
// anything else is a gap, and a new snapshot is taken.
//
// State the browser test reads is mirrored in data-* attributes (#chart,
// #bids/#asks, #trades, #status) and in window.exchangeChart.
'use strict';

(() => {
  const INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h',
                     '1d', '3d', '1w', '1M'];
  const SHOWN_INTERVALS = ['1s', '1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'];
  const BOOK_LEVELS = 20;
  const TRADES_SHOWN = 50;
  const KLINES_LOADED = 1000;
  const DEPTH_SNAPSHOT = 1000;
  const UP = '#26a69a';
  const DOWN = '#ef5350';

  const $ = (id) => document.getElementById(id);

  // ---- Small helpers ----

  async function getJson(path) {
    const response = await fetch(path, {headers: {Accept: 'application/json'}});
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new Error(`${path}: ${response.status}, not JSON`);
    }
    if (!response.ok) throw new Error(`${path}: ${response.status} ${body.msg || text}`);
    return body;
  }

  function showError(message) {
    const el = $('error');
    el.textContent = message || '';
    el.hidden = !message;
  }

  function pad2(n) {
    return String(n).padStart(2, '0');
  }

  function utcTime(ms) {
    const d = new Date(ms);
    return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  }

  // Decimal strings with the instrument's decimals, for display.
  function fixed(value, decimals) {
    const n = Number(value);
    return Number.isFinite(n) ? n.toFixed(decimals) : String(value);
  }

  function compactVolume(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(2) + 'B';
    if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + 'K';
    return String(+n.toFixed(3));
  }

  // ---- Page state ----

  const params = new URLSearchParams(location.search);
  const state = {
    symbols: [],                          // exchangeInfo's symbols
    info: new Map(),                      // symbol → {priceDecimals, qtyDecimals, tick}
    symbol: null,
    interval: INTERVALS.includes(params.get('interval')) ? params.get('interval') : '1m',
    generation: 0,                        // bumped at each symbol/interval change
    streams: new Set(),                   // what the socket should carry
  };

  function currentInfo() {
    return state.info.get(state.symbol) || {priceDecimals: 2, qtyDecimals: 3, tick: 0.01};
  }

  function isCurrentSymbol(s) {
    return state.symbol !== null && typeof s === 'string' &&
        s.toUpperCase() === state.symbol.toUpperCase();
  }

  // ---- Status ----

  function setStatus(kind, text) {
    const el = $('status');
    el.dataset.state = kind;
    el.textContent = text;
  }

  // ---- Chart ----

  const chart = {
    api: null,
    candles: null,
    volume: null,
    loading: false,    // klines are being loaded: stream klines wait in `pending`
    pending: [],
    bars: 0,
    lastTime: null,    // seconds, the newest bar's open
    lastClose: null,
    updates: 0,        // stream klines applied

    init() {
      const LC = window.LightweightCharts;
      if (!LC || typeof LC.createChart !== 'function') {
        const message = $('chart-message');
        message.textContent = 'The chart library (lightweight-charts) is missing: it is copied ' +
            'from npm when exchange-md is built (md/web, npm ci). The order book and trades ' +
            'still work.';
        message.hidden = false;
        $('chart').dataset.library = 'missing';
        return;
      }
      $('chart').dataset.library = LC.version ? LC.version() : 'loaded';
      this.api = LC.createChart($('chart'), {
        autoSize: true,
        layout: {background: {type: 'solid', color: '#161a22'}, textColor: '#8a93a6',
                 fontSize: 11},
        grid: {vertLines: {color: '#1e2330'}, horzLines: {color: '#1e2330'}},
        rightPriceScale: {borderColor: '#262c38'},
        timeScale: {borderColor: '#262c38', timeVisible: true, secondsVisible: false,
                    rightOffset: 6, maxBarSpacing: 24},
      });
      this.candles = this.api.addSeries(LC.CandlestickSeries, {
        upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN,
      });
      this.candles.priceScale().applyOptions({scaleMargins: {top: 0.08, bottom: 0.28}});
      this.volume = this.api.addSeries(LC.HistogramSeries, {
        priceFormat: {type: 'volume'}, priceScaleId: '', lastValueVisible: false,
        priceLineVisible: false,
      });
      this.volume.priceScale().applyOptions({scaleMargins: {top: 0.78, bottom: 0}});
    },

    bar(k) {
      return {time: Math.floor(k.t / 1000), open: +k.o, high: +k.h, low: +k.l, close: +k.c};
    },
    volumeBar(k) {
      return {time: Math.floor(k.t / 1000), value: +k.v,
              color: +k.c >= +k.o ? 'rgba(38,166,154,0.45)' : 'rgba(239,83,80,0.45)'};
    },

    // Klines from REST ([[openTime, o, h, l, c, v, ...]], oldest first),
    // then the stream's that came meanwhile.
    load(rows) {
      const klines = rows.map((r) => ({t: r[0], o: r[1], h: r[2], l: r[3], c: r[4], v: r[5]}));
      this.loading = false;
      this.bars = klines.length;
      this.lastTime = klines.length ? Math.floor(klines[klines.length - 1].t / 1000) : null;
      this.lastClose = klines.length ? klines[klines.length - 1].c : null;
      if (this.api) {
        const info = currentInfo();
        this.candles.applyOptions({priceFormat: {type: 'price', precision: info.priceDecimals,
                                                 minMove: info.tick}});
        this.api.applyOptions({timeScale: {secondsVisible: state.interval === '1s'}});
        this.candles.setData(klines.map((k) => this.bar(k)));
        this.volume.setData(klines.map((k) => this.volumeBar(k)));
      }
      const pending = this.pending;
      this.pending = [];
      for (const k of pending) this.apply(k);
      if (this.api) {
        // The newest bars, at a readable width: all of them when few.
        const shown = 150;
        if (this.bars > shown) {
          this.api.timeScale().setVisibleLogicalRange({from: this.bars - shown, to: this.bars + 5});
        } else {
          this.api.timeScale().fitContent();
        }
      }
      this.mirror();
    },

    // A kline of the stream (current symbol and interval): the open bar
    // changes, or a new one starts.
    onKline(k) {
      if (this.loading) this.pending.push(k);
      else this.apply(k);
    },

    apply(k) {
      const time = Math.floor(k.t / 1000);
      if (this.lastTime !== null && time < this.lastTime) return;  // older than the chart's end
      if (this.lastTime === null || time > this.lastTime) this.bars += 1;
      this.lastTime = time;
      this.lastClose = k.c;
      this.updates += 1;
      if (this.api) {
        this.candles.update(this.bar(k));
        this.volume.update(this.volumeBar(k));
      }
      this.mirror();
    },

    mirror() {
      const el = $('chart');
      el.dataset.bars = String(this.bars);
      el.dataset.lastTime = this.lastTime === null ? '' : String(this.lastTime);
      el.dataset.lastClose = this.lastClose === null ? '' : String(this.lastClose);
      el.dataset.updates = String(this.updates);
    },

    // Emptied for a new symbol or interval; klines load next.
    reset() {
      this.loading = true;
      this.pending = [];
      this.bars = 0;
      this.lastTime = null;
      this.lastClose = null;
      if (this.api) {
        this.candles.setData([]);
        this.volume.setData([]);
      }
      this.mirror();
    },
  };

  // ---- Order book ----

  const book = {
    bids: new Map(),     // price string → quantity string
    asks: new Map(),
    snapshotId: null,    // L of the snapshot in use
    lastU: null,         // u of the last delta applied (null: none since the snapshot)
    synced: false,       // false: deltas wait in `buffer` for a snapshot
    buffer: [],
    token: 0,            // the snapshot request that counts
    deltas: 0,           // deltas applied
    resyncs: 0,
    retryTimer: null,

    reset() {
      this.token += 1;   // a snapshot on its way is for the old symbol
      this.deltas = 0;
      this.bids.clear();
      this.asks.clear();
      this.snapshotId = null;
      this.lastU = null;
      this.synced = false;
      this.buffer = [];
      clearTimeout(this.retryTimer);
      render.schedule();
    },

    onDelta(d) {
      if (this.synced && this.apply(d)) return;
      this.buffer.push(d);
      if (this.buffer.length > 10000) this.buffer.shift();
      if (this.synced) this.resync();  // a gap
    },

    // Applies a delta on top of the snapshot; false on a gap.
    apply(d) {
      if (d.u <= this.snapshotId) return true;                 // already in the snapshot
      if (this.lastU === null ? d.pu > this.snapshotId : d.pu !== this.lastU) return false;
      for (const [price, qty] of d.b) setLevel(this.bids, price, qty);
      for (const [price, qty] of d.a) setLevel(this.asks, price, qty);
      this.lastU = d.u;
      this.deltas += 1;
      render.schedule();
      return true;
    },

    // A new snapshot, then the buffered deltas on top of it. A newer call
    // supersedes one still waiting for its snapshot.
    async resync() {
      const token = ++this.token;
      const symbol = state.symbol;
      this.synced = false;
      this.resyncs += 1;
      clearTimeout(this.retryTimer);
      try {
        const snapshot = await getJson(
            `/api/v3/depth?symbol=${encodeURIComponent(symbol)}&limit=${DEPTH_SNAPSHOT}`);
        if (token !== this.token) return;
        this.bids = new Map(snapshot.bids.map(([p, q]) => [p, q]));
        this.asks = new Map(snapshot.asks.map(([p, q]) => [p, q]));
        this.snapshotId = snapshot.lastUpdateId;
        this.lastU = null;
        this.synced = true;
        render.schedule();
        const buffered = this.buffer;
        this.buffer = [];
        for (let i = 0; i < buffered.length; ++i) {
          if (!this.apply(buffered[i])) {
            // A gap already (the stream is ahead of the snapshot, or lost
            // a delta): keep what follows and try again shortly.
            this.synced = false;
            this.buffer = buffered.slice(i);
            this.retryTimer = setTimeout(() => this.resync(), 250);
            return;
          }
        }
      } catch (e) {
        if (token !== this.token) return;
        showError(`order book: ${e.message}`);
        this.retryTimer = setTimeout(() => this.resync(), 2000);
      }
    },
  };

  function setLevel(side, price, qty) {
    if (Number(qty) === 0) side.delete(price);
    else side.set(price, qty);
  }

  // ---- Trades ----

  const trades = {
    list: [],            // newest first: {id, price, qty, time, buyerMaker}
    ids: new Set(),
    received: 0,         // trade messages of the current symbol

    reset() {
      this.list = [];
      this.ids.clear();
      render.schedule();
    },

    add(trade) {
      if (this.ids.has(trade.id)) return;
      this.ids.add(trade.id);
      this.list.push(trade);
    },

    finish() {
      this.list.sort((a, b) => b.id - a.id);
      for (const dropped of this.list.splice(TRADES_SHOWN)) this.ids.delete(dropped.id);
      render.schedule();
    },

    // REST: oldest first.
    load(rows) {
      for (const r of rows) {
        this.add({id: r.id, price: r.price, qty: r.qty, time: r.time, buyerMaker: r.isBuyerMaker});
      }
      this.finish();
    },

    onTrade(t) {
      this.received += 1;
      this.add({id: t.t, price: t.p, qty: t.q, time: t.T, buyerMaker: t.m});
      this.finish();
      ticker.onLast(t.p);
    },
  };

  // ---- 24-hour ticker ----

  const ticker = {
    open: null,

    load(t) {
      const info = currentInfo();
      this.open = Number(t.openPrice) || null;
      $('ticker-high').textContent = fixed(t.highPrice, info.priceDecimals);
      $('ticker-low').textContent = fixed(t.lowPrice, info.priceDecimals);
      $('ticker-volume').textContent = compactVolume(Number(t.volume));
      this.onLast(Number(t.count) > 0 ? t.lastPrice : null);
    },

    onLast(price) {
      const info = currentInfo();
      const last = $('ticker-last');
      const change = $('ticker-change');
      if (price === null || price === undefined) {
        last.textContent = '–';
        change.textContent = '–';
        return;
      }
      last.textContent = fixed(price, info.priceDecimals);
      if (this.open) {
        const diff = Number(price) - this.open;
        change.textContent = `${diff >= 0 ? '+' : ''}${diff.toFixed(info.priceDecimals)} ` +
            `(${diff >= 0 ? '+' : ''}${(diff / this.open * 100).toFixed(2)}%)`;
        change.style.color = diff >= 0 ? UP : DOWN;
      }
    },

    reset() {
      this.open = null;
      $('ticker-change').style.color = '';
      for (const id of ['ticker-last', 'ticker-change', 'ticker-high', 'ticker-low',
                        'ticker-volume']) {
        $(id).textContent = '–';
      }
    },
  };

  // ---- Rendering (at most once a frame) ----

  const render = {
    queued: false,

    schedule() {
      if (this.queued) return;
      this.queued = true;
      requestAnimationFrame(() => {
        this.queued = false;
        this.book();
        this.trades();
      });
    },

    book() {
      const info = currentInfo();
      const byPrice = (a, b) => Number(a[0]) - Number(b[0]);
      const asks = [...book.asks].sort(byPrice).slice(0, BOOK_LEVELS);
      const bids = [...book.bids].sort(byPrice).reverse().slice(0, BOOK_LEVELS);
      const cumulate = (levels) => {
        let total = 0;
        return levels.map(([p, q]) => ({price: p, qty: q, total: (total += Number(q))}));
      };
      const askRows = cumulate(asks);
      const bidRows = cumulate(bids);
      const max = Math.max(askRows.length ? askRows[askRows.length - 1].total : 0,
                           bidRows.length ? bidRows[bidRows.length - 1].total : 0, 1e-12);
      const rows = (levels) => levels.map((l) => {
        const tr = document.createElement('tr');
        tr.style.backgroundSize = `${(l.total / max * 100).toFixed(1)}% 100%`;
        for (const text of [fixed(l.price, info.priceDecimals), fixed(l.qty, info.qtyDecimals),
                            fixed(l.total, info.qtyDecimals)]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.appendChild(td);
        }
        return tr;
      });
      $('asks').replaceChildren(...rows(askRows).reverse());  // best ask nearest the spread
      $('bids').replaceChildren(...rows(bidRows));
      const spread = $('spread');
      if (asks.length && bids.length) {
        const s = Number(asks[0][0]) - Number(bids[0][0]);
        const mid = (Number(asks[0][0]) + Number(bids[0][0])) / 2;
        spread.textContent = `spread ${s.toFixed(info.priceDecimals)} ` +
            `(${(s / mid * 10000).toFixed(1)} bp)`;
      } else {
        spread.textContent = asks.length || bids.length ? 'one-sided book' : 'empty book';
      }
      const el = $('bids').closest('table');
      el.dataset.bids = String(bidRows.length);
      el.dataset.asks = String(askRows.length);
      el.dataset.snapshotId = book.snapshotId === null ? '' : String(book.snapshotId);
      el.dataset.lastUpdateId = book.lastU === null ? '' : String(book.lastU);
      el.dataset.deltas = String(book.deltas);
      el.dataset.synced = String(book.synced);
    },

    trades() {
      const info = currentInfo();
      const rows = trades.list.map((t) => {
        const tr = document.createElement('tr');
        const price = document.createElement('td');
        price.textContent = fixed(t.price, info.priceDecimals);
        price.className = t.buyerMaker ? 'sell' : 'buy';  // buyer the maker: a sell took it
        const qty = document.createElement('td');
        qty.textContent = fixed(t.qty, info.qtyDecimals);
        const time = document.createElement('td');
        time.textContent = utcTime(t.time);
        tr.append(price, qty, time);
        return tr;
      });
      const body = $('trades');
      body.replaceChildren(...rows);
      body.dataset.count = String(trades.list.length);
      body.dataset.lastId = trades.list.length ? String(trades.list[0].id) : '';
      body.dataset.received = String(trades.received);
    },
  };

  // ---- The WebSocket (combined streams) ----

  const feed = {
    socket: null,
    open: false,
    subscribed: new Set(),  // streams the server confirmed, or that the URL named
    nextId: 1,
    pending: new Map(),     // request id → {method, params}
    backoff: 500,
    timer: null,
    messages: 0,
    everOpened: false,

    url(streams) {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      return `${scheme}://${location.host}/stream?streams=${[...streams].join('/')}`;
    },

    connect() {
      clearTimeout(this.timer);
      if (state.streams.size === 0) return;
      const streams = new Set(state.streams);
      let socket;
      try {
        socket = new WebSocket(this.url(streams));
      } catch (e) {
        this.retry();
        return;
      }
      this.socket = socket;
      setStatus(this.everOpened ? 'reconnecting' : 'connecting',
                this.everOpened ? 'reconnecting…' : 'connecting…');
      socket.onopen = () => {
        if (socket !== this.socket) return;
        const reopened = this.everOpened;
        this.open = true;
        this.everOpened = true;
        this.backoff = 500;
        this.subscribed = streams;
        this.pending.clear();
        setStatus('live', 'live');
        this.sync();                        // the streams may have changed meanwhile
        if (reopened) loadAll();            // whatever was missed while away
        else resyncSnapshots();
      };
      socket.onmessage = (event) => {
        if (socket !== this.socket) return;
        this.messages += 1;
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        this.onMessage(message);
      };
      socket.onclose = () => {
        if (socket !== this.socket) return;
        this.open = false;
        this.socket = null;
        this.retry();
      };
      socket.onerror = () => {};  // onclose follows
    },

    retry() {
      setStatus('reconnecting', `stream unavailable, retrying in ${this.backoff / 1000}s`);
      this.timer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 8000);
    },

    send(method, streams) {
      const id = this.nextId++;
      this.pending.set(id, {method, params: streams});
      this.socket.send(JSON.stringify({method, params: streams, id}));
    },

    // Subscribes to what state.streams has and the socket has not, and the
    // reverse.
    sync() {
      if (!this.open) {
        if (!this.socket) this.connect();
        return;
      }
      const add = [...state.streams].filter((s) => !this.subscribed.has(s));
      const drop = [...this.subscribed].filter((s) => !state.streams.has(s));
      if (drop.length) this.send('UNSUBSCRIBE', drop);
      if (add.length) this.send('SUBSCRIBE', add);
      for (const s of drop) this.subscribed.delete(s);
    },

    onMessage(message) {
      if (message && message.id !== undefined && !message.data) {
        const request = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) {
          showError(`stream: ${message.error.msg || JSON.stringify(message.error)}`);
          return;
        }
        if (request && request.method === 'SUBSCRIBE') {
          for (const s of request.params) this.subscribed.add(s);
          // Snapshots taken now cover what came before the subscription.
          if (request.params.some((s) => s.endsWith('@depth@100ms') || s.endsWith('@trade'))) {
            resyncSnapshots();
          }
        }
        return;
      }
      const data = message && message.data ? message.data : message;
      if (!data || typeof data !== 'object') return;
      if (!isCurrentSymbol(data.s)) return;
      switch (data.e) {
        case 'trade': trades.onTrade(data); break;
        case 'depthUpdate': book.onDelta(data); break;
        case 'kline':
          if (data.k && data.k.i === state.interval) chart.onKline(data.k);
          break;
        default: break;
      }
    },
  };

  function streamsOf(symbol, interval) {
    const s = symbol.toLowerCase();
    return new Set([`${s}@trade`, `${s}@depth@100ms`, `${s}@kline_${interval}`]);
  }

  // ---- Loading ----

  async function loadKlines() {
    const generation = state.generation;
    chart.reset();
    try {
      const rows = await getJson(`/api/v3/klines?symbol=${encodeURIComponent(state.symbol)}` +
                                 `&interval=${state.interval}&limit=${KLINES_LOADED}`);
      if (generation === state.generation) chart.load(rows);
    } catch (e) {
      if (generation !== state.generation) return;
      chart.load([]);
      showError(`candles: ${e.message}`);
    }
  }

  async function loadTrades() {
    const generation = state.generation;
    try {
      const rows = await getJson(
          `/api/v3/trades?symbol=${encodeURIComponent(state.symbol)}&limit=${TRADES_SHOWN}`);
      if (generation === state.generation) trades.load(rows);
    } catch (e) {
      if (generation === state.generation) showError(`trades: ${e.message}`);
    }
  }

  async function loadTicker() {
    const generation = state.generation;
    try {
      const t = await getJson(`/api/v3/ticker/24hr?symbol=${encodeURIComponent(state.symbol)}`);
      if (generation === state.generation) ticker.load(t);
    } catch (e) {
      if (generation === state.generation) showError(`ticker: ${e.message}`);
    }
  }

  function resyncSnapshots() {
    book.resync();
    loadTrades();
  }

  function loadAll() {
    showError('');
    loadKlines();
    resyncSnapshots();
    loadTicker();
  }

  // Symbol or interval chosen: everything of the old one is dropped.
  function select(symbol, interval) {
    const symbolChanged = symbol !== state.symbol;
    state.symbol = symbol;
    state.interval = interval;
    state.generation += 1;
    const url = new URL(location.href);
    url.searchParams.set('symbol', symbol);
    url.searchParams.set('interval', interval);
    history.replaceState(null, '', url);
    document.title = `${symbol} ${interval} · exchange-core`;
    $('symbol').value = symbol;
    for (const button of $('intervals').children) {
      button.setAttribute('aria-pressed', String(button.dataset.interval === interval));
    }
    if (symbolChanged) {
      book.reset();
      trades.reset();
      trades.received = 0;
      ticker.reset();
    }
    state.streams = streamsOf(symbol, interval);
    feed.sync();
    loadKlines();
    if (symbolChanged) {
      resyncSnapshots();
      loadTicker();
    }
  }

  // The symbols (retried every 5 s until exchangeInfo answers), then the
  // one the URL names or the first.
  async function loadSymbols() {
    let info;
    try {
      info = await getJson('/api/v3/exchangeInfo');
    } catch (e) {
      setStatus('offline', 'no data');
      showError(`exchangeInfo: ${e.message}`);
      setTimeout(loadSymbols, 5000);
      return;
    }
    showError('');
    state.symbols = info.symbols.map((s) => s.symbol);
    for (const s of info.symbols) {
      const priceFilter = (s.filters || []).find((f) => f.filterType === 'PRICE_FILTER');
      state.info.set(s.symbol, {
        priceDecimals: s.quotePrecision,
        qtyDecimals: s.baseAssetPrecision,
        tick: priceFilter ? Number(priceFilter.tickSize) : Math.pow(10, -s.quotePrecision),
      });
    }
    const picker = $('symbol');
    picker.replaceChildren(...state.symbols.map((s) => new Option(s, s)));
    if (state.symbols.length === 0) {
      setStatus('offline', 'no symbols');
      showError('This exchange has no instruments yet.');
      return;
    }
    const wanted = params.get('symbol');
    const symbol = state.symbols.find((s) => wanted && s.toUpperCase() === wanted.toUpperCase()) ||
        state.symbols[0];
    select(symbol, state.interval);
    document.body.dataset.ready = '1';
  }

  function start() {
    chart.init();
    chart.mirror();
    render.schedule();
    for (const interval of SHOWN_INTERVALS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = interval;
      button.dataset.interval = interval;
      button.addEventListener('click', () => {
        if (state.symbol) select(state.symbol, interval);
      });
      $('intervals').appendChild(button);
    }
    const picker = $('symbol');
    picker.addEventListener('change', () => select(picker.value, state.interval));
    loadSymbols();
  }

  window.exchangeChart = {state, chart, book, trades, feed, select};
  start();
})();
