#!/usr/bin/env bash
# The main job: installs what is missing, builds (Release), starts local
# RabbitMQ, Redis and PostgreSQL (scripts/services.sh), runs the engine
# service and pushes a sample order flow through RabbitMQ, measures
# throughput and latency end to end, prints the final books, and says what
# happened and where to look. Everything it writes goes to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/out
lobster_dir=${LOBSTER_DIR:-$(cd .. && pwd)/shared/data/lobster}
metrics=${EXCHANGE_DEMO_METRICS:-127.0.0.1:9464}
mkdir -p "$out"

echo "== 1/10 dependencies"
scripts/install-deps.sh
echo "== 2/10 build (Release)"
scripts/build.sh release >/dev/null
bin=$root/build/bin

echo "== 3/10 local services (RabbitMQ, Redis, PostgreSQL on 127.0.0.1)"
scripts/services.sh start
eval "$(scripts/services.sh env)"

echo "== 4/10 engine service: exchange-engine, log in $out/engine.log"
data=$out/engine-data
rm -rf "$data"
"$bin/exchange-engine" --config config/engine.toml --data-dir "$data" --metrics "$metrics" \
  >"$out/engine.log" 2>&1 &
engine_pid=$!
trap 'kill "$engine_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if "$bin/exchange-cli" status --metrics "$metrics" >/dev/null 2>&1; then break; fi
  kill -0 "$engine_pid" 2>/dev/null || { cat "$out/engine.log"; echo "exchange-engine exited" >&2; exit 1; }
  sleep 0.1
done

echo "== 5/10 sample order flow through RabbitMQ (every order type) -> $out/sample_events.txt"
"$bin/exchange-cli" tail --key 'book.*' --key 'exec.*' --timeout-ms 3000 \
  >"$out/sample_events.txt" 2>"$out/tail.log" &
tail_pid=$!
# A topic exchange drops what no queue is bound for: send once the tail listens.
for _ in $(seq 1 100); do
  grep -q '^tail: listening' "$out/tail.log" 2>/dev/null && break
  kill -0 "$tail_pid" 2>/dev/null || { cat "$out/tail.log"; echo "exchange-cli tail exited" >&2; exit 1; }
  sleep 0.1
done
echo "   funding the accounts (config/sample_funding.csv: deposits, withdrawals, a duplicate transfer)"
"$bin/exchange-cli" send --orders config/sample_funding.csv
"$bin/exchange-cli" send --orders config/sample_orders.csv
wait "$tail_pid" || true
echo "   $(wc -l <"$out/sample_events.txt") event lines received (one per event and routing key)"
head -5 "$out/sample_events.txt" | sed 's/^/   /'
"$bin/exchange-cli" status --metrics "$metrics" --queue | sed 's/^/   /'
echo "   rejected for want of funds (cash risk: every order holds what it could cost):"
grep -E 'INSUFFICIENT_FUNDS|DUPLICATE_TRANSFER' "$out/sample_events.txt" | sort -u | sed 's/^/   /' || true
echo "   balances in Redis (exchange-cli balance 2; balance 6, whose market buy was refused):"
"$bin/exchange-cli" balance 2 | sed 's/^/   /' || true
"$bin/exchange-cli" balance 6 | sed 's/^/   /' || true
echo "   the book-state view in Redis (exchange-cli book BTC-USD):"
"$bin/exchange-cli" book BTC-USD --levels 5 | sed 's/^/   /' ||
  echo "   (the book-state view could not be read: see the message above)"

echo "== 6/10 stop the service; final books from its journal and snapshot"
kill -TERM "$engine_pid"
wait "$engine_pid" || true
trap - EXIT
"$bin/exchange-engine" --inspect --config config/engine.toml --data-dir "$data" --levels 5 \
  | tee "$out/final_books.txt"
echo "   the ledger in PostgreSQL reconciled (exchange-cli report reconcile):"
"$bin/exchange-cli" report reconcile | tee "$out/reconcile.txt" | sed 's/^/   /' || true

echo "== 7/10 market data: exchange-md (REST, WebSocket, chart page) over what the flow left"
# A GET with bash's /dev/tcp (HTTP/1.0: the server closes after the answer).
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}
"$bin/exchange-md" --listen 127.0.0.1:0 --log-level warn >"$out/exchange-md.out" \
  2>"$out/exchange-md.log" &
md_pid=$!
md_port=""
for _ in $(seq 1 100); do
  md_port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$out/exchange-md.out")
  [[ -n $md_port ]] && break
  sleep 0.1
done
if [[ -n $md_port ]]; then
  echo "   GET /api/v3/depth?symbol=BTC-USD&limit=3"
  echo "   $(http_get "$md_port" '/api/v3/depth?symbol=BTC-USD&limit=3')"
  echo "   GET /api/v3/trades?symbol=BTC-USD&limit=2"
  echo "   $(http_get "$md_port" '/api/v3/trades?symbol=BTC-USD&limit=2')"
  echo "   GET /api/v3/klines?symbol=BTC-USD&interval=1m&limit=2"
  echo "   $(http_get "$md_port" '/api/v3/klines?symbol=BTC-USD&interval=1m&limit=2')"
else
  echo "   exchange-md did not start: see $out/exchange-md.log"
fi
kill -TERM "$md_pid" 2>/dev/null || true
wait "$md_pid" 2>/dev/null || true

echo "== 8/10 end to end through RabbitMQ: throughput, then open-loop latency (1 run each; README uses 5)"
"$bin/exchange-bench" e2e --runs 1 --orders 200000 --json "$out/bench_e2e_throughput.json" \
  | grep -v '^{'
"$bin/exchange-bench" e2e --runs 1 --rate 10000 --batch 1 --seconds 5 \
  --json "$out/bench_e2e_latency.json" | grep -v '^{'

echo "== 9/10 FIX 4.4 gateway: 8 FIX sessions -> exchange-gateway -> RabbitMQ -> exchange-engine -> back (1 run)"
"$bin/exchange-bench" fix --runs 1 --rate 1000 --sessions 8 --seconds 5 \
  --json "$out/bench_fix.json" | grep -v '^{'

echo "== 10/10 matching engine alone: exchange-core mix (3 runs) and LOBSTER replay"
"$bin/exchange-bench" engine --runs 3 --commands 1000000 --json "$out/bench_engine.json" \
  | grep -v '^{'
aapl="$lobster_dir/AAPL_2012-06-21_34200000_57600000_message_10.csv"
if [[ -f "$aapl" ]]; then
  "$bin/exchange-replay" --lobster "$aapl" --levels 10 --book "$out/aapl_book_10.csv" \
    | tee "$out/lobster_summary.txt"
else
  echo "skipped: $aapl not found (set LOBSTER_DIR to the folder of the LOBSTER sample files)"
fi

cat <<MSG

Done. Where to look:
  $out/engine.log               the engine service's log (recovery, connections, shutdown)
  $out/sample_events.txt        events of config/sample_orders.csv as they came back from RabbitMQ
  $out/final_books.txt          the books after the sample flow (exchange-engine --inspect)
  $out/reconcile.txt            the ledger reconciled: deposits - withdrawals = balances + fees
  $out/bench_e2e_*.json         end-to-end throughput and latency, machine-readable
  $out/bench_e2e_latency-*.png  the latency run's pictures (gnuplot): -percentiles.png, -over-time.png
  $out/bench_engine.json        matching engine benchmark, machine-readable
  $out/bench_fix.json           FIX round trip through exchange-gateway, machine-readable
  $out/bench_fix-*.png          its latency pictures (gnuplot): -percentiles.png, -over-time.png
  $out/exchange-md.log          exchange-md's log (market data REST and WebSocket)
  $out/aapl_book_10.csv         the engine's top 10 levels after every LOBSTER event
The local services keep running (scripts/services.sh status | stop); try
  eval "\$(scripts/services.sh env)"; build/bin/exchange-engine --config config/engine.toml &
  build/bin/exchange-cli tail --symbol BTC-USD
  build/bin/exchange-cli deposit --account 1 --asset USD --amount 10000000 --transfer-id 1   # BTC-USD is cash risk: fund first
  build/bin/exchange-gateway --config config/gateway.toml    # FIX 4.4 on 127.0.0.1:9878
  build/bin/exchange-md --config config/md.toml              # open http://127.0.0.1:8080/
Next: scripts/run-tests.sh runs the whole test suite.
MSG
