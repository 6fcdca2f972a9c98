#!/usr/bin/env bash
# The ledger at scale on this machine (issue 8): load a demo ledger of CASES cases (default
# 1,000,000) spread over YEARS years (default 10: about ten district-years) into a fresh SQLite file, run the four warning models over
# it, then serve it and measure the one screen's answer (cold and cached) and the peak memory of
# `serve`. Prints one line per figure, for BENCHMARKS.md.
#
#   cargo build --release -p shanzhi && scripts/bench-scale.sh [CASES [YEARS]]
#
# `serve` listens on 127.0.0.1:$SHANZHI_BENCH_PORT (default 18099).
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-1000000}"
years="${2:-10}"
bin=target/release/shanzhi
port="${SHANZHI_BENCH_PORT:-18099}"
db="/tmp/shanzhi-scale-${cases}.db"
rm -f "$db" "$db-wal" "$db-shm"
export SHANZHI_DB="sqlite://$db" RUST_LOG=warn
echo "cases: $cases over $years years ($(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, commit $(git rev-parse --short HEAD), $(date -I))"

# The largest the write-ahead log grows during the load (it must stay bounded).
wal_max="$(mktemp)"
( max=0; while sleep 1; do
    size=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
    [ "$size" -gt "$max" ] && max=$size && echo "$max" >"$wal_max"
  done ) &
watcher=$!
/usr/bin/time -f "demo load: %e s, peak RSS %M KB" "$bin" demo --cases "$cases" --years "$years" --seed 1 >/dev/null
kill "$watcher"
echo "largest write-ahead log during the load: $(( $(cat "$wal_max" 2>/dev/null || echo 0) / 1048576 )) MB"
rm -f "$wal_max"
echo "ledger file: $(du -h "$db" | cut -f1)"
/usr/bin/time -f "scan (four models): %e s, peak RSS %M KB" "$bin" scan >/dev/null

out="$(mktemp)"
"$bin" serve --demo --addr "127.0.0.1:$port" >"$out" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
started=$(date +%s.%N)
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
  kill -0 "$pid" 2>/dev/null || { echo "serve stopped before it answered" >&2; exit 1; }
  sleep 0.2
done
echo "serve ready after: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
password="$(sed -n 's/.*密码均为 \([^：]*\)：.*/\1/p' "$out")"
cookie="$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"zhihui\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/session" \
  | sed -n 's/^set-cookie: \(shanzhi_session=[0-9a-f]*\).*/\1/p')"
for run in cold cached; do
  curl -s -o /dev/null -H "Cookie: $cookie" -w "dashboard API ($run): %{time_total} s\n" \
    "http://127.0.0.1:$port/api/v1/dashboard"
done
curl -s -o /dev/null -H "Cookie: $cookie" -w "case list, first page: %{time_total} s\n" \
  "http://127.0.0.1:$port/api/v1/cases?order=due"
echo "serve peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
