// Binance trading, checked with the unmodified ccxt `binance` client from
// npm against the whole stack on loopback: RabbitMQ, exchange-engine (cash
// risk, with its Redis and PostgreSQL sinks), exchange-gateway with its
// Binance API ([binance]), exchange-md, and exchange-cli for API keys and
// deposits. Everything in a shard, schema and symbol of this run's own.
//
//   - orders of every type the API takes, placed, queried, listed and
//     cancelled through ccxt; FULL answers with their fills and
//     commissions;
//   - balances before and after a trade, fees included (the Redis view);
//   - editOrder (cancelReplace), cancelAllOrders, the ORDERS rate limit's
//     counts;
//   - the history: fetchMyTrades (fees, maker flags, orderId, since),
//     fetchOrders / fetchClosedOrders / fetchCanceledOrders (allOrders), the
//     same again from a restarted gateway, which has only the trade history
//     (PostgreSQL) to read;
//   - the user data stream: ccxt's watchOrders, watchMyTrades and
//     watchBalance (fills, and a deposit's balanceUpdate) over the WebSocket API (userDataStream.subscribe.signature),
//     an order placed and filled seen in order with its fills, fees and
//     balances; a listen key's stream (/ws/<listenKey>) reconnected within
//     the key's life misses nothing;
//   - refusals a client must be able to tell apart: a wrong secret, a
//     read-only key, insufficient funds, a post-only order that would take,
//     an unknown order.
//
// Run by run_binance_client_test.sh (CTest: binance_client_private_test):
//   node ccxt_private.test.mjs --bin-dir DIR --artifacts DIR
// (DIR holds exchange-engine, exchange-gateway, exchange-md, exchange-cli).
// Environment: EXCHANGE_AMQP_URL, EXCHANGE_REDIS_URL, EXCHANGE_PG_URL,
// EXCHANGE_PG_READER_URL; EXCHANGE_RABBITMQCTL to delete the run's queues.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';

import ccxt from 'ccxt';
import WebSocket from 'ws';

import {check, pass, runTest, startProcess, stopProcess, waitFor} from '../node/harness.mjs';

import {openVenue} from './binance_venue.mjs';

const {values: args} = parseArgs({
  options: {'bin-dir': {type: 'string'}, 'artifacts': {type: 'string'}},
});
for (const name of ['bin-dir', 'artifacts']) {
  if (!args[name]) {
    console.error(`ccxt_private.test: --${name} is required`);
    process.exit(2);
  }
}
const bin = (name) => join(args['bin-dir'], name);
const env = process.env;

const tag = `${process.pid % 100000}${Math.floor(Math.random() * 10)}`;
const base = `CP${tag}`;
const id = `${base}-USD`;
const symbol = `${base}/USD`;
const shard = `ccxtp${tag}`;
const schema = `ccxtp_${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'ccxt-private-'));

function expect(condition, message) {
  if (!condition) throw new Error(message);
}
const near = (a, b) => Math.abs(a - b) < 1e-9;

function cli(...argv) {
  return execFileSync(bin('exchange-cli'), argv, {env, encoding: 'utf8'});
}

function writeInstruments() {
  const path = join(dir, 'instruments.toml');
  writeFileSync(path, `
[[asset]]
name = "${base}"
decimals = 8
[[asset]]
name = "USD"
decimals = 2
[[instrument]]
symbol = "${id}"
price_decimals = 2
quantity_decimals = 4
tick_size = 1
lot_size = 1
min_quantity = 1
max_quantity = 10000000
market_protection_ticks = 500
self_trade_prevention = "CANCEL_RESTING"
base_asset = "${base}"
quote_asset = "USD"
maker_fee_ppm = 1000
taker_fee_ppm = 2000
`);
  return path;
}

function writeGatewayConfig(instruments, keyFile) {
  const path = join(dir, 'gateway.toml');
  writeFileSync(path, `
[gateway]
name = "${shard}"
listen = "127.0.0.1:0"
data_dir = "${join(dir, 'gateway')}"
instruments = "${instruments}"
[amqp]
url = "${env.EXCHANGE_AMQP_URL}"
[binance]
listen = "127.0.0.1:0"
key_file = "${keyFile}"
pg_schema = "${schema}"
keys_reload_ms = 200
`);
  return path;
}

// Keys: A and B trade, R only reads. Funds: A has dollars, B the coin.
function makeKeysAndFunds(keyFile) {
  cli('apikey', 'create-master-key', '--key-file', keyFile);
  const key = (account, ...flags) => JSON.parse(cli('apikey', 'create', '--account', account,
      '--key-file', keyFile, '--pg-schema', schema, '--json', ...flags));
  // Accounts of this run's own: the Redis view keeps other runs' balances.
  const [accountA, accountB, accountR] = [0, 1, 2].map((i) => String(1000000 + Number(tag) * 3 + i));
  const keys = {a: key(accountA, '--trade'), b: key(accountB, '--trade'), r: key(accountR)};
  let transfer = Number(tag) * 10;
  const deposit = (account, asset, amount) => cli('deposit', '--account', account, '--asset',
      asset, '--amount', String(amount), '--transfer-id', String(++transfer), '--shard', shard);
  deposit(accountA, 'USD', 100000000);  // 1,000,000.00 USD
  deposit(accountB, base, 1000000000);  // 10 coins
  return {keys, deposit};
}

async function startStack() {
  const instruments = writeInstruments();
  const engine = await startProcess('exchange-engine', bin('exchange-engine'), [
    '--shard', shard, '--symbols', id, '--data-dir', join(dir, 'engine'),
    '--instruments', instruments, '--metrics', '', '--pg-schema', schema, '--log-level', 'info',
  ], /history: stored up to/, 60000);
  const keyFile = join(dir, 'master.key');
  const {keys, deposit} = makeKeysAndFunds(keyFile);
  const gatewayConfig = writeGatewayConfig(instruments, keyFile);
  const gateway = await startGateway(gatewayConfig);
  const md = await startProcess('exchange-md', bin('exchange-md'), [
    '--listen', '127.0.0.1:0', '--threads', '1', '--pg-schema', schema, '--log-level', 'warn',
  ], /listening on port (\d+)/, 30000);
  pass('the stack is up', `gateway ${gateway.match[1]}, md ${md.match[1]}`);
  return {keys, deposit, keyFile, gatewayConfig, engine: engine.child, gateway: gateway.child,
          trading: `http://127.0.0.1:${gateway.match[1]}`, market: `http://127.0.0.1:${md.match[1]}`};
}

function startGateway(config) {
  return startProcess('exchange-gateway', bin('exchange-gateway'),
                      ['--config', config, '--log-level', 'info'], /binance api on port (\d+)/, 30000);
}

// A ccxt client of `key` trading at the gateway, reading markets at md.
async function client(stack, key) {
  const venue = await openVenue(stack.market, {apiKey: key.apiKey, secret: key.secretKey});
  venue.urls.api.private = `${stack.trading}/api/v3`;
  venue.urls.api.sapi = `${stack.trading}/sapi/v1`;
  return venue;
}

// A ccxt client of `key` whose user data stream is the gateway's WebSocket
// API, subscribed (ccxt's authenticate: userDataStream.subscribe.signature).
async function streamingClient(stack, key) {
  const venue = await client(stack, key);
  venue.urls.api.ws['ws-api'].spot = `${stack.trading.replace(/^http/, 'ws')}/ws-api/v3`;
  await venue.loadMarkets();
  await venue.authenticate({type: 'spot'});
  return venue;
}

// Calls `watch` until stopped, keeping every update it returns.
function collect(watch) {
  const c = {items: [], stopped: false, error: undefined};
  c.done = (async () => {
    while (!c.stopped) {
      try {
        const got = await watch();
        // copies: ccxt updates its cached objects in place
        c.items.push(...(Array.isArray(got) ? got : [got]).map((x) => structuredClone(x)));
      } catch (e) {
        if (!c.stopped) c.error = e;
        return;
      }
    }
  })();
  return c;
}

async function balanceOf(venue, asset) {
  const b = await venue.fetchBalance();
  return {free: b[asset] ? b[asset].free : 0, used: b[asset] ? b[asset].used : 0};
}

async function checkOrders(a, b) {
  let resting;
  await check('createOrder LIMIT SELL rests on the book', async () => {
    resting = await b.createOrder(symbol, 'limit', 'sell', 2, 100);
    expect(resting.status === 'open' && resting.filled === 0 && resting.amount === 2,
           JSON.stringify(resting.info));
    return `order ${resting.id}`;
  });
  await check('fetchOrder and fetchOpenOrders show it', async () => {
    const o = await b.fetchOrder(resting.id, symbol);
    expect(o.id === resting.id && o.price === 100 && o.status === 'open', JSON.stringify(o.info));
    const open = await b.fetchOpenOrders(symbol);
    expect(open.length === 1 && open[0].id === resting.id, JSON.stringify(open.map((x) => x.id)));
    return `${open.length} open`;
  });
  await check('createOrder MARKET BUY fills with FULL fills and the taker fee', async () => {
    const o = await a.createOrder(symbol, 'market', 'buy', 0.5);
    expect(o.status === 'closed' && o.filled === 0.5 && o.average === 100,
           JSON.stringify(o.info));
    expect(o.trades.length === 1 && o.trades[0].price === 100, JSON.stringify(o.info.fills));
    const fee = o.trades[0].fee;
    expect(near(fee.cost, 0.001) && fee.currency === base, `fee ${JSON.stringify(fee)}`);
    return `cost ${o.cost}, fee ${fee.cost} ${fee.currency}`;
  });
  await check('the maker order shows the fill', async () => {
    const o = await b.fetchOrder(resting.id, symbol);
    expect(o.filled === 0.5 && o.remaining === 1.5 && o.status === 'open', JSON.stringify(o.info));
    return `filled ${o.filled}, remaining ${o.remaining}`;
  });
  await check('balances after the trade, fees included', async () => {
    const [aCoin, aUsd, bUsd, bCoin] = await waitFor('balances', async () => Promise.all([
      balanceOf(a, base), balanceOf(a, 'USD'), balanceOf(b, 'USD'), balanceOf(b, base)]),
    ([ac, , bu]) => ac.free > 0 && bu.free > 0);
    expect(near(aCoin.free, 0.499), `A ${base} ${JSON.stringify(aCoin)}`);  // 0.5 less 0.2%
    expect(near(aUsd.free, 999950), `A USD ${JSON.stringify(aUsd)}`);
    expect(near(bUsd.free, 49.95), `B USD ${JSON.stringify(bUsd)}`);  // 50 less 0.1%
    expect(near(bCoin.free, 8) && near(bCoin.used, 1.5), `B ${base} ${JSON.stringify(bCoin)}`);
    return `A ${aCoin.free} ${base} ${aUsd.free} USD; B ${bUsd.free} USD, ${bCoin.used} held`;
  });
  await check('cancelOrder, then the same cancel is OrderNotFound', async () => {
    const c = await b.cancelOrder(resting.id, symbol);
    expect(c.status === 'canceled' && c.filled === 0.5, JSON.stringify(c.info));
    try {
      await b.cancelOrder(resting.id, symbol);
    } catch (e) {
      expect(e instanceof ccxt.OrderNotFound, `${e.constructor.name}: ${e.message}`);
      return 'canceled; again: OrderNotFound';
    }
    throw new Error('a second cancel succeeded');
  });
}

async function checkOtherTypes(a, b) {
  await check('createMarketBuyOrderWithCost spends quoteOrderQty', async () => {
    await b.createOrder(symbol, 'limit', 'sell', 1, 101);
    const o = await a.createMarketBuyOrderWithCost(symbol, 50.5);
    expect(o.filled === 0.5 && o.cost === 50.5, JSON.stringify(o.info));
    return `filled ${o.filled} for ${o.cost}`;
  });
  await check('a LIMIT_MAKER that would take is refused', async () => {
    try {
      await a.createOrder(symbol, 'LIMIT_MAKER', 'buy', 0.1, 101);
    } catch (e) {
      expect(e instanceof ccxt.InvalidOrder, `${e.constructor.name}: ${e.message}`);
      return e.message;
    }
    throw new Error('accepted');
  });
  await check('a quantity above the maximum is a LOT_SIZE filter failure (-1013)', async () => {
    try {
      await a.createOrder(symbol, 'limit', 'buy', 2000, 1);
    } catch (e) {
      expect(e.message.includes('-1013') && e.message.includes('LOT_SIZE'), e.message);
      return e.message;
    }
    throw new Error('accepted');
  });
  await check('a STOP_LOSS_LIMIT rests, not working until triggered', async () => {
    const o = await b.createOrder(symbol, 'STOP_LOSS_LIMIT', 'sell', 0.1, 90,
                                  {stopPrice: 95, timeInForce: 'GTC'});
    const q = await b.fetchOrder(o.id, symbol);
    expect(q.status === 'open' && q.info.isWorking === false && q.triggerPrice === 95,
           JSON.stringify(q.info));
    return `trigger ${q.triggerPrice}`;
  });
  await check('the Binance form of the symbol is taken too (ccxt\'s implicit API)', async () => {
    const alias = `${base}USD`;
    const test = await a.privatePostOrderTest({symbol: alias, side: 'BUY', type: 'LIMIT',
                                               timeInForce: 'GTC', quantity: '0.1', price: '50'});
    const open = await a.privateGetOpenOrders({symbol: alias});
    expect(JSON.stringify(test) === '{}' && Array.isArray(open), JSON.stringify({test, open}));
    return `${alias}: order/test {} and ${open.length} open orders`;
  });
  await check('insufficient funds are InsufficientFunds', async () => {
    try {
      await a.createOrder(symbol, 'limit', 'buy', 500, 5000);  // 2.5 million: A has 1
    } catch (e) {
      expect(e instanceof ccxt.InsufficientFunds, `${e.constructor.name}: ${e.message}`);
      return e.message;
    }
    throw new Error('accepted');
  });
}

// editOrder (cancelReplace), cancelAllOrders (DELETE openOrders) and the
// ORDERS rate limit's counts (rateLimit/order, X-MBX-ORDER-COUNT-*).
async function checkReplaceAndCancelAll(b) {
  let edited;
  await check('editOrder replaces an order through cancelReplace', async () => {
    const o = await b.createOrder(symbol, 'limit', 'sell', 1, 120);
    edited = await b.editOrder(o.id, symbol, 'limit', 'sell', 1.5, 121);
    expect(edited.id !== o.id && edited.price === 121 && edited.amount === 1.5 &&
           edited.status === 'open', JSON.stringify(edited.info));
    const old = await b.fetchOrder(o.id, symbol);
    expect(old.status === 'canceled', JSON.stringify(old.info));
    return `order ${o.id} → ${edited.id} at ${edited.price}`;
  });
  await check('cancelReplace of an unknown order: -2022, nothing placed (STOP_ON_FAILURE)', async () => {
    const before = (await b.fetchOpenOrders(symbol)).length;
    try {
      await b.editOrder('99999999', symbol, 'limit', 'sell', 1, 122);
    } catch (e) {
      expect(e.message.includes('-2022') && e.message.includes('NOT_ATTEMPTED'), e.message);
      const after = (await b.fetchOpenOrders(symbol)).length;
      expect(after === before, `${before} open before, ${after} after`);
      return e.message.slice(0, 120);
    }
    throw new Error('accepted');
  });
  await check('order answers carry X-MBX-ORDER-COUNT-10S and -1D; rateLimit/order', async () => {
    await b.createOrder(symbol, 'limit', 'sell', 0.1, 130);
    const headers = Object.fromEntries(Object.entries(b.last_response_headers || {})
        .map(([k, v]) => [k.toLowerCase(), v]));  // as ccxt's HTTP client spells them
    const count10s = Number(headers['x-mbx-order-count-10s']);
    const count1d = Number(headers['x-mbx-order-count-1d']);
    expect(count10s >= 1 && count1d >= count10s, JSON.stringify(headers));
    const limits = await b.privateGetRateLimitOrder();
    const [second, day] = limits;
    expect(second.rateLimitType === 'ORDERS' && second.interval === 'SECOND' &&
           second.intervalNum === 10 && second.limit === 100, JSON.stringify(limits));
    expect(day.interval === 'DAY' && day.limit === 200000 && day.count >= count1d,
           JSON.stringify(limits));
    return `headers 10s ${count10s}, 1d ${count1d}; ${JSON.stringify(limits)}`;
  });
  await check('X-MBX-USED-WEIGHT-1M counts Binance\'s weights (openOrders: 6, all symbols 80)', async () => {
    const used = () => Number(Object.entries(b.last_response_headers || {})
        .find(([k]) => k.toLowerCase() === 'x-mbx-used-weight-1m')?.[1]);
    await b.privateGetOpenOrders({symbol: id});
    const one = used();
    await b.privateGetOpenOrders({});
    const all = used();
    // The same minute: 80 more; a new one: 80.
    expect(one >= 6 && (all - one === 80 || all === 80), `after one symbol ${one}, after all ${all}`);
    return `${one} → ${all}`;
  });
  await check('cancelAllOrders cancels every open order of the symbol', async () => {
    const open = await b.fetchOpenOrders(symbol);
    expect(open.length >= 2, `only ${open.length} open orders`);
    const cancelled = await b.cancelAllOrders(symbol);
    const ids = new Set(cancelled.map((o) => o.id));
    expect(cancelled.length === open.length && open.every((o) => ids.has(o.id)) &&
           cancelled.every((o) => o.status === 'canceled'), JSON.stringify(cancelled.map((o) => o.info)));
    const left = await b.fetchOpenOrders(symbol);
    expect(left.length === 0, `${left.length} still open`);
    return `${cancelled.length} cancelled`;
  });
  await check('cancelAllOrders with nothing open: -2011', async () => {
    try {
      await b.cancelAllOrders(symbol);
    } catch (e) {
      expect(e.message.includes('-2011'), `${e.constructor.name}: ${e.message}`);
      return e.message;
    }
    throw new Error('answered');
  });
}

// What the history endpoints answer, as plain values to compare (the
// client order id aside: a restarted gateway knows only the engine's).
async function historyOf(venue) {
  const orders = (await venue.fetchOrders(symbol)).map((o) => ({
    id: o.id, status: o.status, side: o.side, type: o.type, price: o.price, amount: o.amount,
    filled: o.filled, cost: o.cost, time: o.timestamp}));
  const trades = (await venue.fetchMyTrades(symbol)).map((t) => ({
    id: t.id, order: t.order, side: t.side, maker: t.takerOrMaker, price: t.price,
    amount: t.amount, cost: t.cost, fee: t.fee.cost, feeAsset: t.fee.currency, time: t.timestamp}));
  return {orders, trades};
}

async function checkHistory(stack, a, b) {
  let before;
  await check('fetchMyTrades: each side\'s trades with fees, maker flags and orders', async () => {
    const [ta, tb] = [await a.fetchMyTrades(symbol), await b.fetchMyTrades(symbol)];
    expect(ta.length === 2 && tb.length === 2, `A ${ta.length}, B ${tb.length} trades`);
    expect(ta.map((t) => t.id).join() === tb.map((t) => t.id).join() &&
           Number(ta[0].id) < Number(ta[1].id), `ids A ${ta.map((t) => t.id)} B ${tb.map((t) => t.id)}`);
    const [t1, t2] = ta;
    expect(t1.side === 'buy' && t1.takerOrMaker === 'taker' && t1.price === 100 &&
           t1.amount === 0.5 && t1.cost === 50 && near(t1.fee.cost, 0.001) &&
           t1.fee.currency === base && t2.price === 101, JSON.stringify(ta.map((t) => t.info)));
    const [m1, m2] = tb;
    expect(m1.side === 'sell' && m1.takerOrMaker === 'maker' && near(m1.fee.cost, 0.05) &&
           m1.fee.currency === 'USD' && near(m2.fee.cost, 0.05) && m1.order !== m2.order,
           JSON.stringify(tb.map((t) => t.info)));
    return `trades ${ta.map((t) => t.id)}; A's fees ${ta.map((t) => t.fee.cost)} ${base}, ` +
           `B's ${tb.map((t) => t.fee.cost)} USD`;
  });
  await check('fetchOrderTrades (myTrades orderId) and fetchMyTrades since (startTime)', async () => {
    const tb = await b.fetchMyTrades(symbol);
    const one = await b.fetchOrderTrades(tb[1].order, symbol);
    expect(one.length === 1 && one[0].id === tb[1].id, JSON.stringify(one.map((t) => t.info)));
    const since = await b.fetchMyTrades(symbol, tb[1].timestamp);
    expect(since.length >= 1 && since.every((t) => t.timestamp >= tb[1].timestamp) &&
           since.some((t) => t.id === tb[1].id), JSON.stringify(since.map((t) => t.info)));
    const limited = await b.fetchMyTrades(symbol, undefined, 1);
    expect(limited.length === 1 && limited[0].id === tb[1].id, 'limit 1: not the newest');
    return `order ${tb[1].order}: trade ${one[0].id}; since ${tb[1].timestamp}: ${since.length}`;
  });
  await check('fetchOrders (allOrders): open and finished, oldest first, with fills', async () => {
    const orders = await b.fetchOrders(symbol);
    const ids = orders.map((o) => Number(o.id));
    expect(ids.every((x, i) => i === 0 || x > ids[i - 1]), `not ascending: ${ids}`);
    const first = orders[0];  // checkOrders' resting sell: half filled, then cancelled
    expect(first.status === 'canceled' && first.filled === 0.5 && first.cost === 50 &&
           first.price === 100 && first.amount === 2, JSON.stringify(first.info));
    const closed = await a.fetchClosedOrders(symbol);  // A's market buys
    const canceled = await b.fetchCanceledOrders(symbol);
    expect(closed.length === 2 && closed.every((o) => o.status === 'closed' && o.filled === 0.5) &&
           canceled.length >= 3 && canceled.every((o) => o.status === 'canceled'),
           `closed ${JSON.stringify(closed.map((o) => o.info))}, canceled ${canceled.length}`);
    const page = await b.fetchOrders(symbol, undefined, 2);
    expect(page.length === 2 && page[1].id === orders[orders.length - 1].id, 'limit 2: not the newest');
    const from = await b.privateGetAllOrders({symbol: id, orderId: orders[1].id, limit: 2});
    expect(from.length === 2 && String(from[0].orderId) === orders[1].id, JSON.stringify(from));
    return `B ${orders.length} orders, ${canceled.length} canceled; A ${closed.length} closed`;
  });
  await check('myTrades and allOrders refuse what Binance refuses', async () => {
    const refusals = [];
    for (const [params, code] of [[{}, '-1102'], [{symbol: id, limit: 1001}, '-1130'],
                                  [{symbol: id, startTime: 0, endTime: 86400001}, '-1127'],
                                  [{symbol: id, fromId: 1, startTime: 1}, '-1130']]) {
      try {
        await b.privateGetMyTrades(params);
      } catch (e) {
        expect(e.message.includes(code), `${JSON.stringify(params)}: ${e.message}`);
        refusals.push(code);
        continue;
      }
      throw new Error(`${JSON.stringify(params)} answered`);
    }
    return refusals.join(' ');
  });
  const kept = await b.createOrder(symbol, 'limit', 'sell', 0.2, 150, {clientOrderId: `keep${tag}`});
  before = {a: await historyOf(a), b: await historyOf(b)};
  await check('a restarted gateway answers the same from the trade history and its journal', async () => {
    await stopProcess(stack.gateway);
    const gateway = await startGateway(stack.gatewayConfig);
    stack.gateway = gateway.child;
    stack.trading = `http://127.0.0.1:${gateway.match[1]}`;
    const [a2, b2] = [await client(stack, stack.keys.a), await client(stack, stack.keys.b)];
    try {
      const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
      const after = await waitFor('the history after a restart', async () =>
        ({a: await historyOf(a2), b: await historyOf(b2)}),
      (x) => same(x, before));
      const ids = (await b2.fetchOrders(symbol)).map((o) => o.clientOrderId);
      // The open order, taken back from the gateway's journal, keeps its client id.
      const open = await b2.fetchOpenOrders(symbol);
      expect(open.length === 1 && open[0].id === kept.id && open[0].clientOrderId === `keep${tag}` &&
             open[0].timestamp === kept.timestamp, JSON.stringify(open.map((o) => o.info)));
      const cancelled = await b2.cancelOrder(kept.id, symbol);
      expect(cancelled.status === 'canceled', JSON.stringify(cancelled.info));
      return `${after.b.orders.length} orders, ${after.a.trades.length} + ` +
             `${after.b.trades.length} trades equal; client ids now ${ids.slice(0, 2)}…; ` +
             `open ${open[0].clientOrderId} cancelled`;
    } finally {
      await a2.close();
      await b2.close();
    }
  });
}

async function checkUserDataStream(stack) {
  const a = await streamingClient(stack, stack.keys.a);
  const b = await streamingClient(stack, stack.keys.b);
  const bOrders = collect(() => b.watchOrders(symbol));
  const bTrades = collect(() => b.watchMyTrades(symbol));
  const bBalance = collect(() => b.watchBalance());
  const aOrders = collect(() => a.watchOrders(symbol));
  const aTrades = collect(() => a.watchMyTrades(symbol));
  const all = [bOrders, bTrades, bBalance, aOrders, aTrades];
  try {
    const usdBefore = (await balanceOf(b, 'USD')).free;
    let sell, buy;
    await check('watchOrders: a resting order, then its fill, in order', async () => {
      sell = await b.createOrder(symbol, 'limit', 'sell', 1, 105);
      buy = await a.createOrder(symbol, 'market', 'buy', 0.4);
      const mine = await waitFor('the maker\'s fill', async () =>
        bOrders.items.filter((o) => o.id === sell.id), (l) => l.some((o) => o.filled === 0.4));
      expect(mine[0].status === 'open' && mine[0].filled === 0 && mine[0].amount === 1 &&
             mine[0].price === 105 && mine[0].clientOrderId === sell.clientOrderId,
             JSON.stringify(mine[0].info));
      const fill = mine[mine.length - 1];
      expect(fill.status === 'open' && fill.filled === 0.4 && fill.remaining === 0.6 &&
             fill.cost === 42, JSON.stringify(fill.info));
      for (let i = 1; i < mine.length; ++i) {
        expect(mine[i].filled >= mine[i - 1].filled, `out of order: ${mine.map((o) => o.filled)}`);
      }
      const taker = await waitFor('the taker\'s order', async () =>
        aOrders.items.filter((o) => o.id === buy.id), (l) => l.some((o) => o.status === 'closed'));
      const closed = taker[taker.length - 1];
      expect(closed.filled === 0.4 && closed.average === 105, JSON.stringify(closed.info));
      return `maker ${mine.map((o) => `${o.status}/${o.filled}`).join(' → ')}; taker closed`;
    });
    // The maker's fee: 0.1% of 42 USD, rounded down to the cent.
  await check('watchMyTrades: each side\'s fill with its fee and maker flag', async () => {
      const [mt] = await waitFor('the maker\'s trade', async () =>
        bTrades.items.filter((t) => t.order === sell.id), (l) => l.length > 0);
      expect(mt.price === 105 && mt.amount === 0.4 && mt.takerOrMaker === 'maker' &&
             mt.side === 'sell' && near(mt.fee.cost, 0.04) && mt.fee.currency === 'USD',
             JSON.stringify(mt.info));
      const [tt] = await waitFor('the taker\'s trade', async () =>
        aTrades.items.filter((t) => t.order === buy.id), (l) => l.length > 0);
      expect(tt.id === mt.id && tt.takerOrMaker === 'taker' && tt.side === 'buy' &&
             near(tt.fee.cost, 0.0008) && tt.fee.currency === base, JSON.stringify(tt.info));
      return `trade ${mt.id}: maker fee ${mt.fee.cost} USD, taker fee ${tt.fee.cost} ${base}`;
    });
    await check('watchBalance: the balances after the fill, as fetchBalance has them', async () => {
      const expected = usdBefore + 42 - 0.04;
      const last = await waitFor('the USD balance', async () => bBalance.items.at(-1),
                                 (x) => x && x.USD && near(x.USD.free, expected));
      const rest = await waitFor('the Redis view', () => balanceOf(b, base),
                                 (x) => near(x.used, last[base].used));
      expect(near(last[base].free, rest.free), `${JSON.stringify(last[base])} ${JSON.stringify(rest)}`);
      return `USD ${last.USD.free}, ${base} free ${last[base].free} used ${last[base].used}`;
    });
    await check('watchBalance: a deposit raises free by its amount', async () => {
      const before = bBalance.items.at(-1).USD.free;
      stack.deposit(String(stack.keys.b.account), 'USD', 12345);  // 123.45 USD
      const last = await waitFor('the deposit', async () => bBalance.items.at(-1),
                                 (x) => x && x.USD && near(x.USD.free, before + 123.45));
      return `USD ${before} → ${last.USD.free}`;
    });
    await b.cancelOrder(sell.id, symbol);
  } finally {
    for (const c of all) c.stopped = true;
    await a.close();
    await b.close();
  }
  for (const c of all) expect(c.error === undefined, `a watch failed: ${c.error}`);
}

// A listen key's stream, read with a plain WebSocket: what happened while
// the client was away comes when it reconnects with the same key.
async function checkListenKeyReconnect(stack) {
  const b = await client(stack, stack.keys.b);
  await b.loadMarkets();
  const rest = (method, query = '') => fetch(`${stack.trading}/api/v3/userDataStream${query}`,
      {method, headers: {'X-MBX-APIKEY': stack.keys.b.apiKey}}).then((r) => r.json());
  const {listenKey} = await rest('POST');
  const open = () => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${stack.trading.replace(/^http/, 'ws')}/ws/${listenKey}`);
    const events = [];
    ws.on('message', (m) => events.push(JSON.parse(m.toString())));
    ws.on('open', () => resolve({ws, events}));
    ws.on('error', reject);
  });
  const reports = (events) => events.filter((e) => e.e === 'executionReport')
      .map((e) => `${e.c}:${e.x}`);
  try {
    await check('userDataStream: POST makes a key, PUT keeps it alive', async () => {
      expect(/^[A-Za-z0-9]{64}$/.test(listenKey), listenKey);
      const again = await rest('POST');
      const kept = await rest('PUT', `?listenKey=${listenKey}`);
      expect(again.listenKey === listenKey && JSON.stringify(kept) === '{}',
             JSON.stringify({again, kept}));
      return listenKey.slice(0, 8) + '…';
    });
    await check('a reconnect within the key\'s life misses nothing, in order', async () => {
      const first = await open();
      const one = await b.createOrder(symbol, 'limit', 'sell', 0.1, 150);
      await waitFor('NEW on the stream', async () => reports(first.events),
                    (l) => l.includes(`${one.clientOrderId}:NEW`));
      await new Promise((resolve) => {
        first.ws.on('close', resolve);
        first.ws.close();
      });
      const cancelled = await b.cancelOrder(one.id, symbol);
      const two = await b.createOrder(symbol, 'limit', 'sell', 0.1, 151);
      const second = await open();
      const want = [`${cancelled.clientOrderId}:CANCELED`, `${two.clientOrderId}:NEW`];
      const got = await waitFor('what was missed', async () => reports(second.events),
                                (l) => l.length >= 2);
      expect(JSON.stringify(got) === JSON.stringify(want),
             `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      expect(!got.includes(`${one.clientOrderId}:NEW`), 'the NEW seen already came again');
      const positions = second.events.filter((e) => e.e === 'outboundAccountPosition');
      expect(positions.length >= 2, `${positions.length} outboundAccountPosition`);
      await b.cancelOrder(two.id, symbol);
      second.ws.close();
      return got.join(', ');
    });
    await check('a deposit: balanceUpdate with its amount, then outboundAccountPosition', async () => {
      const stream = await open();
      try {
        stack.deposit(String(stack.keys.b.account), 'USD', 100);  // 1.00 USD
        const events = await waitFor('the deposit on the stream', async () => stream.events,
            (l) => l.some((e) => e.e === 'balanceUpdate') &&
                   l.some((e) => e.e === 'outboundAccountPosition'));
        const update = events.find((e) => e.e === 'balanceUpdate');
        expect(update.a === 'USD' && update.d === '1.00' && update.T > 0,
               JSON.stringify(update));
        const at = (e) => events.indexOf(e);
        const position = events.find((e) => e.e === 'outboundAccountPosition' && at(e) > at(update));
        expect(position && position.B.some((x) => x.a === 'USD'), JSON.stringify(events));
        return JSON.stringify(update);
      } finally {
        stream.ws.close();
      }
    });
    await check('DELETE closes the key: PUT is then -1125', async () => {
      const closed = await rest('DELETE', `?listenKey=${listenKey}`);
      const put = await rest('PUT', `?listenKey=${listenKey}`);
      expect(JSON.stringify(closed) === '{}' && put.code === -1125, JSON.stringify({closed, put}));
      return put.msg;
    });
  } finally {
    await b.close();
  }
}

async function checkRefusals(stack) {
  await check('a wrong secret is AuthenticationError (-1022)', async () => {
    const bad = await client(stack, {...stack.keys.a, secretKey: 'x'.repeat(64)});
    try {
      await bad.fetchOpenOrders(symbol);
    } catch (e) {
      expect(e instanceof ccxt.AuthenticationError && e.message.includes('-1022'),
             `${e.constructor.name}: ${e.message}`);
      return e.message;
    }
    throw new Error('accepted');
  });
  await check('a read-only key cannot trade (-2015) but can read', async () => {
    const r = await client(stack, stack.keys.r);
    expect(Array.isArray(await r.fetchOpenOrders(symbol)), 'openOrders');
    try {
      await r.createOrder(symbol, 'limit', 'buy', 0.1, 50);
    } catch (e) {
      expect(e.message.includes('-2015'), `${e.constructor.name}: ${e.message}`);
      return e.message;
    }
    throw new Error('accepted');
  });
}

async function checkLiveChanges(stack) {
  await check('a key of a new account, made while the gateway runs, trades within seconds', async () => {
    const account = String(1000000 + Number(tag) * 3 + 900000000);
    const key = JSON.parse(cli('apikey', 'create', '--account', account, '--trade', '--key-file',
                               stack.keyFile, '--pg-schema', schema, '--json'));
    stack.deposit(account, 'USD', 100000);
    const d = await client(stack, key);
    const order = await waitFor('the new account trading', async () => {
      try {
        return await d.createOrder(symbol, 'limit', 'buy', 0.1, 50);
      } catch (e) {
        return e.message;
      }
    }, (x) => typeof x === 'object' && x.status === 'open', 20000);
    await d.close();
    return `order ${order.id}`;
  });
  await check('an engine that does not answer: -1007 within 7-8 s, status unknown', async () => {
    const a = await client(stack, stack.keys.a);
    stack.engine.kill('SIGSTOP');
    const began = Date.now();
    try {
      await a.createOrder(symbol, 'limit', 'buy', 0.1, 50);
    } catch (e) {
      const waited = (Date.now() - began) / 1000;
      expect(e.message.includes('-1007') && waited >= 6.5 && waited < 9.5,
             `${e.constructor.name} after ${waited} s: ${e.message}`);
      return `after ${waited.toFixed(1)} s: ${e.message}`;
    } finally {
      stack.engine.kill('SIGCONT');
      await a.close();
    }
    throw new Error('answered while the engine was stopped');
  });
}

function cleanup() {
  try {
    execFileSync('psql', [env.EXCHANGE_PG_URL, '-qc', `DROP SCHEMA IF EXISTS ${schema} CASCADE`]);
  } catch (e) {
    console.log(`# could not drop schema ${schema}: ${e.message}`);
  }
  if (env.EXCHANGE_RABBITMQCTL) {
    const vhost = decodeURIComponent(new URL(env.EXCHANGE_AMQP_URL).pathname.slice(1)) || '/';
    for (const queue of [`engine.${shard}`, `gateway.${shard}`]) {
      try {
        execFileSync('bash', ['-c', `${env.EXCHANGE_RABBITMQCTL} delete_queue -p '${vhost}' ${queue}`],
                     {stdio: 'pipe'});
      } catch (e) {
        console.log(`# could not delete queue ${queue}`);
      }
    }
  }
  rmSync(dir, {recursive: true, force: true});
}

async function main() {
  const stack = await startStack();
  const a = await client(stack, stack.keys.a);
  const b = await client(stack, stack.keys.b);
  try {
    await check('loadMarkets with API keys', async () => {
      const markets = await a.loadMarkets();
      expect(markets[symbol] && markets[symbol].id === id, Object.keys(markets).join(', '));
      await b.loadMarkets();
      return symbol;
    });
    await check('fetchBalance before trading: the deposits', async () => {
      const usd = await waitFor('deposit', () => balanceOf(a, 'USD'), (x) => x.free > 0);
      expect(usd.free === 1000000 && usd.used === 0, JSON.stringify(usd));
      return `${usd.free} USD`;
    });
    await checkOrders(a, b);
    await checkOtherTypes(a, b);
    await checkReplaceAndCancelAll(b);
    await checkHistory(stack, a, b);
    await checkUserDataStream(stack);
    await checkListenKeyReconnect(stack);
    await checkRefusals(stack);
    await checkLiveChanges(stack);
  } finally {
    await a.close();
    await b.close();
  }
}

await runTest(main, args.artifacts, {keep: env.BINANCE_TEST_KEEP === '1', cleanup});
