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

# Whatever happens, stop what this script started.
watcher="" pid="" wal_max="$(mktemp)" out="$(mktemp)" err="$(mktemp)"
cleanup() {
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -f "$wal_max" "$out" "$err"
  # The ledger is gigabytes; SHANZHI_BENCH_KEEP=1 keeps it to look into.
  [ -n "${SHANZHI_BENCH_KEEP:-}" ] || rm -f "$db" "$db-wal" "$db-shm"
  return 0
}
trap cleanup EXIT

# The largest the write-ahead log grows during the load (it must stay bounded).
( max=0; while sleep 1; do
    size=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
    [ "$size" -gt "$max" ] && max=$size && echo "$max" >"$wal_max"
  done ) >/dev/null 2>&1 &
watcher=$!
/usr/bin/time -f "demo load: %e s, peak RSS %M KB" "$bin" demo --cases "$cases" --years "$years" --seed 1 >/dev/null
kill "$watcher"
watcher=""
echo "largest write-ahead log during the load: $(( $(cat "$wal_max" 2>/dev/null || echo 0) / 1048576 )) MB"
echo "ledger file: $(du -h "$db" | cut -f1)"
/usr/bin/time -f "scan (four models): %e s, peak RSS %M KB" "$bin" scan --json >"$out"
echo "warnings by model: $(grep -o '"model": *"[a-z]*"' "$out" | sed 's/.*"\([a-z]*\)"$/\1/' | sort | uniq -c | awk '{printf "%s %s; ", $2, $1}')"

RUST_LOG=info "$bin" serve --demo --addr "127.0.0.1:$port" >"$out" 2>"$err" &
pid=$!
started=$(date +%s.%N)
for _ in $(seq 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
  kill -0 "$pid" 2>/dev/null || { echo "serve stopped before it answered" >&2; exit 1; }
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" || { echo "serve did not answer within 120 s" >&2; exit 1; }
echo "serve ready after: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
# The warning scan at start shares the two cores; time the screen after it, as a user would.
for _ in $(seq 300); do grep -q "warning models run" "$err" && break; sleep 1; done
password="$(sed -n 's/.*密码均为 \([^：]*\)：.*/\1/p' "$out")"
cookie="$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"zhihui\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/session" \
  | sed -n 's/^set-cookie: \(shanzhi_session=[0-9a-f]*\).*/\1/p')"
[ -n "$cookie" ] || { echo "could not log in as zhihui" >&2; exit 1; }
# time_of NAME PATH: the answer's time, or fail unless it is a 200.
time_of() {
  local answer
  answer="$(curl -s -o /dev/null -H "Cookie: $cookie" -w '%{http_code} %{time_total}' "http://127.0.0.1:$port$2")"
  [ "${answer%% *}" = 200 ] || { echo "$1: HTTP ${answer%% *}" >&2; exit 1; }
  echo "$1: ${answer#* } s"
}
time_of "dashboard API (cold)" /api/v1/dashboard
time_of "dashboard API (cached)" /api/v1/dashboard
time_of "case list, first page" "/api/v1/cases?order=due"
echo "serve peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
