// A ccxt `binance` client (ccxt.pro, unmodified, from npm) pointed at our
// venue instead of Binance: only its URLs are changed, as a user would
// configure any Binance-compatible exchange. Shared by the Binance client
// tests.
//
// Plain ccxt usage, no patches:
//   - the REST bases (`urls.api.public/private/v1/sapi`) become exchange-md's;
//   - the spot WebSocket base (`urls.api.ws.spot`) becomes `ws://…/ws`;
//   - `fetchMarkets.types` is ['spot']: we list spot markets only, so the
//     client does not ask for futures or options exchangeInfo;
//   - ccxt refuses plain `ws://` in Node.js until `loadHttpProxyAgent()` has
//     run (its documented call for non-TLS sockets), so `openVenue` runs it.
import ccxt from 'ccxt';

// A ccxt.pro binance client for the exchange-md at `httpBase`
// ("http://127.0.0.1:PORT").
export async function openVenue(httpBase, extra = {}) {
  const exchange = new ccxt.pro.binance({
    enableRateLimit: false,
    options: {fetchMarkets: {types: ['spot']}, fetchCurrencies: false},
    ...extra,
  });
  exchange.urls.api.public = `${httpBase}/api/v3`;
  exchange.urls.api.private = `${httpBase}/api/v3`;
  exchange.urls.api.v1 = `${httpBase}/api/v1`;
  exchange.urls.api.sapi = `${httpBase}/sapi/v1`;
  exchange.urls.api.ws.spot = `${httpBase.replace(/^http/, 'ws')}/ws`;
  await exchange.loadHttpProxyAgent();
  return exchange;
}

export const ccxtVersion = ccxt.version;
