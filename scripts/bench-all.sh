#!/usr/bin/env bash
# Every benchmark of the project in one run, on the fixed seeded data each bench generates, with a
# report from which BENCHMARKS.md's figures can be refreshed.
#
#   scripts/bench-all.sh [--quick] [--only NAME[,NAME…]] [--scale N] [--no-pg] [--fresh-ledger]
#
# Default: every bench below but scale, PostgreSQL included when it answers. Once built, that takes
# about 6 minutes on a quiet 2-core machine (compiling the binary and the benches from scratch adds
# about 10); `--quick` about 2.
#
#   --quick          short runs to check this script, not figures for BENCHMARKS.md: intake at
#                    100/s for 3 s, assessment, dashboard and serve --demo on 10,000 / 5,000
#                    cases (the dashboard's on a temporary ledger, not the kept one), the page
#                    bench 2 runs per row; the other benches have no knob and run in full
#   --only LIST      run only these benches (comma-separated; names below)
#   --scale N        also run scripts/bench-scale.sh N (a ledger of N cases over ten years:
#                    1,000,000 takes ~6 minutes, ~3 GB of memory and ~7 GB of disk in /tmp, removed
#                    after); off by default
#   --no-pg          skip PostgreSQL; by default import and intake measure it too when a server
#                    answers at $SHANZHI_TEST_PG, or else at postgres://postgres@127.0.0.1:5432/postgres
#   --fresh-ledger   rebuild the dashboard's kept ledger even if it is today's
#
# Benches, in the order they run (the commands are those of BENCHMARKS.md):
#   text            cargo bench -p shanzhi-text --bench text
#   segmentation    scripts/bench-segmentation.sh (jieba-rs against jieba, Python, from PyPI)
#   scan            cargo bench -p shanzhi-risk --bench scan
#   models          cargo bench -p shanzhi-risk --bench models
#   import          cargo bench -p shanzhi --bench import            (SQLite, PostgreSQL)
#   intake          cargo bench -p shanzhi --bench intake -- --rate 500 --seconds 60   (SQLite, PostgreSQL)
#   assessment      cargo bench -p shanzhi --bench assessment        (fresh 100,000-case ledger)
#   dashboard       cargo bench -p shanzhi --bench dashboard -- --db sqlite:///tmp/shanzhi-bench-dashboard.db
#   dashboard-page  node e2e/bench-dashboard.mjs against `serve --demo` on that ledger, as the demo
#                   user zhihui: 9 runs at 1920×1080, 9 at 1366×768, 5 with the cache cold
#   serve-demo      `serve --demo` on a fresh SQLite file: start to the first /healthz 200, the
#                   first dashboard answer, the warning scan at start, peak memory
#   demo-load       `shanzhi demo` (50,000 cases with their histories) into a fresh SQLite file and,
#                   when it answers, a fresh PostgreSQL database: time and peak memory
#   scale           scripts/bench-scale.sh N (only with --scale N)
#
# It builds the release binary and the selected benches first (`cargo build --release -p shanzhi`,
# `cargo bench --no-run`), so that a bench's wall time is its run, not its compilation. Each
# bench's whole output goes to target/bench-all/NAME.log; target/bench-all/summary.md gets the
# machine (cores, CPU, memory), the commit (and "(dirty)"), the load average before and after each
# bench (the machine may be shared: a high load marks noisy figures), and for each bench its
# command, the lines holding its figures, and its wall time. A failed bench is marked FAILED with
# its log and the others still run; the script then exits 1.
#
# Temporary databases live in a folder under /tmp removed at the end, and so is scale's ledger.
# The dashboard's 100,000-case ledger is kept at /tmp/shanzhi-bench-dashboard.db (with a .info file
# beside it) and reused on the same day by the same demo generator; a ledger of an earlier day is
# rebuilt (the page bench reads the one screen at today's date), and so is one made by another
# version of crates/shanzhi/src/demo/ or data/. Servers are started on free ports and stopped at
# the end, on failure and on Ctrl-C.
#
# Needs: cargo, curl, node/npm (runs `npm ci` in e2e/ if its node_modules is missing),
# /usr/bin/chromium for dashboard-page (Debian: apt-get install chromium), python3 with venv and
# PyPI for segmentation, pg_isready or psql to find PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL=(text segmentation scan models import intake assessment dashboard dashboard-page serve-demo demo-load scale)

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

orig_args="$*"
quick=0
only=""
scale=""
use_pg=1
fresh_ledger=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --only) only="${2:?--only needs a list of benches}"; shift ;;
    --only=*) only="${1#--only=}" ;;
    --scale) scale="${2:?--scale needs a number of cases}"; shift ;;
    --scale=*) scale="${1#--scale=}" ;;
    --no-pg) use_pg=0 ;;
    --fresh-ledger) fresh_ledger=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$scale" ] && ! [[ "$scale" =~ ^[1-9][0-9]*$ ]]; then
  echo "--scale needs a number of cases, not '$scale'" >&2
  exit 2
fi

# The benches to run, in the order of ALL.
declare -A wanted=()
if [ -n "$only" ]; then
  IFS=',' read -ra names <<<"$only"
  for name in "${names[@]}"; do
    [[ " ${ALL[*]} " == *" $name "* ]] || { echo "unknown bench: $name (one of: ${ALL[*]})" >&2; exit 2; }
    wanted[$name]=1
  done
else
  for name in "${ALL[@]}"; do wanted[$name]=1; done
  unset 'wanted[scale]'
fi
if [ -n "$scale" ]; then
  wanted[scale]=1
elif [ -n "${wanted[scale]:-}" ]; then
  echo "the scale bench needs --scale N (the number of cases, e.g. 1000000)" >&2
  exit 2
fi
selected=()
for name in "${ALL[@]}"; do
  [ -n "${wanted[$name]:-}" ] && selected+=("$name")
done

out=target/bench-all
mkdir -p "$out"
bin=target/release/shanzhi
work="$(mktemp -d /tmp/shanzhi-bench-all.XXXXXX)"
pids="$work/pids"
: >"$pids"
dashboard_ledger=/tmp/shanzhi-bench-dashboard.db
[ "$quick" = 1 ] && dashboard_ledger="$work/dashboard-quick.db"
if [ "$fresh_ledger" = 1 ]; then
  rm -f "$dashboard_ledger" "$dashboard_ledger-wal" "$dashboard_ledger-shm" "$dashboard_ledger.info"
fi
# The demo's last day, as the demo generator sets it: yesterday, Beijing time.
yesterday="$(date -u -d '+8 hours -1 day' +%F)"
export NO_COLOR=1

# ---------------------------------------------------------------------------------------------
# Servers started here: their ids are kept in $pids; stopped after each bench and at exit.

stop_servers() {
  local pid
  [ -f "$pids" ] || return 0
  while read -r pid; do
    [ -n "$pid" ] || continue
    # Only a process still running our binary (an id may have been reused).
    grep -qa shanzhi "/proc/$pid/cmdline" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done <"$pids"
  : >"$pids"
}

cleanup() {
  stop_servers
  rm -rf "$work"
  if [ -n "$scale" ]; then rm -f "/tmp/shanzhi-scale-$scale.db" "/tmp/shanzhi-scale-$scale.db-wal" "/tmp/shanzhi-scale-$scale.db-shm"; fi
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# start_serve OUT ERR ARGS…: `shanzhi ARGS…` in the background, its id in $server (and in $pids).
start_serve() {
  local stdout="$1" stderr="$2"
  shift 2
  "$bin" "$@" >"$stdout" 2>"$stderr" </dev/null &
  server=$!
  echo "$server" >>"$pids"
}

# wait_healthz PORT PID TIMEOUT: until /healthz answers 200; fails if the server dies or the time is up.
wait_healthz() {
  local port="$1" pid="$2" limit="$3" started="$EPOCHREALTIME"
  until curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$port/healthz"; do
    kill -0 "$pid" 2>/dev/null || { echo ">> the server exited before answering /healthz"; return 1; }
    if [ "$(since "$started" 0)" -ge "$limit" ]; then echo ">> no /healthz answer within $limit s"; return 1; fi
    sleep 0.1
  done
}

# wait_for FILE PATTERN TIMEOUT: until a line of FILE matches (grep -E).
wait_for() {
  local file="$1" pattern="$2" limit="$3" started="$EPOCHREALTIME"
  until grep -qE "$pattern" "$file" 2>/dev/null; do
    if [ "$(since "$started" 0)" -ge "$limit" ]; then return 1; fi
    sleep 0.2
  done
}

# since START [DECIMALS]: seconds from an $EPOCHREALTIME to now.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, b - a }'; }

secs() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }

# The demo users' password, from `serve --demo`'s stdout.
demo_password() { sed -n 's/.*密码均为 \([^：]*\)：.*/\1/p' "$1" | head -n 1; }

# login PORT USER PASSWORD JAR: a session cookie in JAR.
login() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' -c "$4" -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}" "http://127.0.0.1:$1/api/v1/session")"
  [ "$code" = 200 ] || { echo ">> login as $2 failed: HTTP $code"; return 1; }
}

peak_rss() { awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "n/a"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
strip_ansi() { sed 's/\x1b\[[0-9;]*m//g' "$@"; }

# cmd ARGS…: print the command (for the summary), then run it.
cmd() { echo "\$ $*"; "$@"; }

# ---------------------------------------------------------------------------------------------
# PostgreSQL

pg_url="${SHANZHI_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
unset SHANZHI_TEST_PG
pg_note="not measured (--no-pg)"
if [ "$use_pg" = 1 ]; then
  pg_up=0
  if command -v psql >/dev/null; then
    psql "$pg_url" -tAc 'select 1' >/dev/null 2>&1 && pg_up=1
  elif command -v pg_isready >/dev/null; then
    pg_isready -q -d "$pg_url" && pg_up=1
  fi
  if [ "$pg_up" = 1 ]; then
    pg_version="$(psql "$pg_url" -tAc 'show server_version' 2>/dev/null || true)"
    pg_note="${pg_version:+PostgreSQL $pg_version }at $pg_url"
  else
    use_pg=0
    pg_note="not measured: no server answers at $pg_url"
  fi
fi
pg_env=()
[ "$use_pg" = 1 ] && pg_env=(env "SHANZHI_TEST_PG=$pg_url")

# ---------------------------------------------------------------------------------------------
# The benches. Each runs in a subshell with its output in its log; the lines of its figures are
# picked by the patterns in `figures` below, with every "$ command" and ">> note" line.

bench_text() {
  cmd cargo bench -p shanzhi-text --bench text
}

bench_segmentation() {
  cmd scripts/bench-segmentation.sh | tee "$work/segmentation.out"
  awk '/^segmentation only:/ { rs = $3 } /^jieba \(Python\) segmentation only:/ { py = $5 }
       END { if (rs && py) printf ">> ratio: jieba-rs %s / jieba (Python) %s records/s = %.0f×\n", rs, py, rs / py }' \
    "$work/segmentation.out"
}

bench_scan() {
  cmd cargo bench -p shanzhi-risk --bench scan
}

bench_models() {
  cmd cargo bench -p shanzhi-risk --bench models
}

bench_import() {
  echo ">> PostgreSQL: $pg_note"
  cmd "${pg_env[@]}" cargo bench -p shanzhi --bench import
}

bench_intake() {
  # 60 s: long enough that the SQLite write-ahead log is restarted inside the open loop (about
  # every 20 s at 500/s), and the server's log shows each restart and its time.
  local args=(--rate 500 --seconds 60)
  [ "$quick" = 1 ] && args=(--rate 100 --seconds 3)
  echo ">> PostgreSQL: $pg_note"
  cmd env SHANZHI_BENCH_SERVER_LOG=warn,shanzhi_store=info "${pg_env[@]}" \
    cargo bench -p shanzhi --bench intake -- "${args[@]}" 2>&1 | tee "$work/intake.out"
  echo ">> write-ahead log restarts during the SQLite runs: $(grep -c 'checkpointed it whole' "$work/intake.out" || true)"
}

bench_assessment() {
  local args=()
  [ "$quick" = 1 ] && args=(-- --cases 10000)
  cmd cargo bench -p shanzhi --bench assessment "${args[@]}"
}

# The dashboard's ledger is ready when it is today's (its last day is yesterday), of the size this
# run wants, and made from the same demo generator and data (a hash of crates/shanzhi/src/demo/
# and data/); the first line of the .info file beside it says so.
dashboard_cases() { if [ "$quick" = 1 ]; then echo 10000; else echo 100000; fi; }
# What the demo ledger depends on: the generator, the data, and the workflow and text analysis
# that give each case its history, kind and category.
generator="$(find crates/shanzhi/src/demo crates/shanzhi-core/src crates/shanzhi-text/src data -type f \
  | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)"
dashboard_key() { echo "as_of=$yesterday cases=$(dashboard_cases) generator=$generator"; }
dashboard_ledger_ready() {
  [ -f "$dashboard_ledger" ] && [ "$(sed -n 1p "$dashboard_ledger.info" 2>/dev/null)" = "$(dashboard_key)" ]
}

bench_dashboard() {
  if ! dashboard_ledger_ready; then
    if [ -f "$dashboard_ledger" ]; then
      echo ">> rebuilding $dashboard_ledger: it is $(sed -n 1p "$dashboard_ledger.info" 2>/dev/null || echo "of unknown origin"), wanted $(dashboard_key)"
    fi
    rm -f "$dashboard_ledger" "$dashboard_ledger-wal" "$dashboard_ledger-shm" "$dashboard_ledger.info"
  else
    echo ">> reusing $dashboard_ledger: $(tr '\n' ' ' <"$dashboard_ledger.info")"
  fi
  local built=0
  [ -f "$dashboard_ledger" ] || built=1
  local args=(--db "sqlite://$dashboard_ledger" --as-of "$yesterday")
  [ "$quick" = 1 ] && args+=(--cases 10000)
  if ! cmd cargo bench -p shanzhi --bench dashboard -- "${args[@]}"; then
    [ "$built" = 1 ] && rm -f "$dashboard_ledger" "$dashboard_ledger-wal" "$dashboard_ledger-shm"
    return 1
  fi
  if [ "$built" = 1 ]; then
    printf '%s\nbuilt %s at commit %s\n' "$(dashboard_key)" "$(date -Iseconds)" "$commit" >"$dashboard_ledger.info"
  fi
  echo ">> ledger: $dashboard_ledger, $(du -h "$dashboard_ledger" | cut -f1)"
}

bench_dashboard_page() {
  local chromium="${SHANZHI_E2E_CHROMIUM:-/usr/bin/chromium}"
  [ -x "$chromium" ] || { echo ">> $chromium is missing (Debian: apt-get install chromium)"; return 1; }
  if [ ! -d e2e/node_modules/playwright-core ]; then
    (cd e2e && cmd npm ci --no-audit --no-fund)
  fi
  if ! dashboard_ledger_ready; then
    echo ">> the dashboard's ledger is not ready: the dashboard bench builds it first"
    bench_dashboard
  fi
  local port user="${SHANZHI_BENCH_USER:-zhihui}" runs=9 cold_runs=5
  [ "$quick" = 1 ] && runs=2 cold_runs=2
  port="$(free_port)"
  echo "\$ $bin serve --demo --db sqlite://$dashboard_ledger --addr 127.0.0.1:$port"
  RUST_LOG=info start_serve "$work/page-serve.out" "$work/page-serve.err" \
    serve --demo --db "sqlite://$dashboard_ledger" --addr "127.0.0.1:$port"
  local pid="$server" status=0
  wait_healthz "$port" "$pid" 300 || status=1
  # The warning scan that serve runs at start, so that it does not run under the page.
  if [ "$status" = 0 ] && ! wait_for "$work/page-serve.err" "warning models run|background job failed" 300; then
    echo ">> the warning scan at start did not finish within 300 s"
  fi
  local password=""
  [ "$status" = 0 ] && password="$(demo_password "$work/page-serve.out")"
  if [ "$status" = 0 ] && [ -z "$password" ]; then echo ">> serve --demo printed no demo password"; status=1; fi
  if [ "$status" = 0 ]; then
    export SHANZHI_E2E_BASE_URL="http://127.0.0.1:$port" SHANZHI_BENCH_USER="$user" SHANZHI_BENCH_PASSWORD="$password"
    echo ">> as $user, load before the page runs: $(loadavg)"
    cmd node e2e/bench-dashboard.mjs --runs "$runs" --width 1920 --height 1080 || status=1
    cmd node e2e/bench-dashboard.mjs --runs "$runs" --width 1366 --height 768 || status=1
    cmd node e2e/bench-dashboard.mjs --runs "$cold_runs" --width 1920 --height 1080 --uncached || status=1
    echo ">> serve peak RSS: $(peak_rss "$pid")"
  fi
  stop_servers
  echo "--- serve's stderr:"
  strip_ansi "$work/page-serve.err" | tail -n 40
  return "$status"
}

bench_serve_demo() {
  local port db="$work/serve-demo.db" cases=50000 jar="$work/serve-demo.cookies"
  [ "$quick" = 1 ] && cases=5000
  rm -f "$db" "$db-wal" "$db-shm"
  port="$(free_port)"
  echo "\$ SHANZHI_DB=sqlite://$db $bin serve --demo --demo-cases $cases --addr 127.0.0.1:$port"
  local started="$EPOCHREALTIME"
  SHANZHI_DB="sqlite://$db" RUST_LOG=info start_serve "$work/serve-demo.out" "$work/serve-demo.err" \
    serve --demo --demo-cases "$cases" --addr "127.0.0.1:$port"
  local pid="$server" status=0
  if wait_healthz "$port" "$pid" 600; then
    local ready
    ready="$(since "$started" 2)"
    echo ">> serve --demo, $cases cases, empty SQLite file → /healthz 200 after $ready s"
    wait_for "$work/serve-demo.out" "密码均为" 10 || true
    if login "$port" zhihui "$(demo_password "$work/serve-demo.out")" "$jar"; then
      local first again
      first="$(curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/api/v1/dashboard")"
      echo ">> first dashboard answer (zhihui): $(secs "${first#* }") s (HTTP ${first%% *}), $(since "$started" 2) s after start"
      [ "${first%% *}" = 200 ] || status=1
      again="$(curl -s -o /dev/null -b "$jar" -w '%{time_total}' "http://127.0.0.1:$port/api/v1/dashboard")"
      echo ">> the dashboard again (cached): $(secs "$again") s"
    else
      status=1
    fi
    if wait_for "$work/serve-demo.err" "warning models run|background job failed" 300; then
      echo ">> warning scan at start: $(strip_ansi "$work/serve-demo.err" | awk '/warning models run|background job failed/ && !n++' | grep -oE '(as_of|cases|warnings|raised|elapsed_ms|error)=[^ ]+' | tr '\n' ' ')"
    else
      echo ">> the warning scan at start did not finish within 300 s"
    fi
    echo ">> ledger file: $(du -h "$db" | cut -f1); serve peak RSS: $(peak_rss "$pid")"
  else
    status=1
  fi
  stop_servers
  echo "--- serve's stderr:"
  strip_ansi "$work/serve-demo.err" | tail -n 30
  return "$status"
}

# The demo ledger loaded by `shanzhi demo` (generate, validate, read, register, simulate and
# import the histories) into a fresh SQLite file and a fresh PostgreSQL database.
bench_demo_load() {
  local cases=50000 db="$work/demo-load.db"
  [ "$quick" = 1 ] && cases=5000
  cmd /usr/bin/time -f ">> demo load, $cases cases, SQLite: %e s, peak RSS %M KB" \
    env "SHANZHI_DB=sqlite://$db" RUST_LOG=warn "$bin" demo --cases "$cases"
  if [ "$use_pg" = 1 ]; then
    local database="shanzhi_bench_demo_$$"
    psql "$pg_url" -qc "create database $database" >/dev/null
    local status=0
    cmd /usr/bin/time -f ">> demo load, $cases cases, PostgreSQL: %e s, peak RSS %M KB" \
      env "SHANZHI_DB=${pg_url%/*}/$database" RUST_LOG=warn "$bin" demo --cases "$cases" || status=$?
    psql "$pg_url" -qc "drop database $database" >/dev/null
    return "$status"
  else
    echo ">> PostgreSQL: $pg_note"
  fi
}

bench_scale() {
  local port
  port="$(free_port)"
  cmd env "SHANZHI_BENCH_PORT=$port" scripts/bench-scale.sh "$scale"
  rm -f "/tmp/shanzhi-scale-$scale.db" "/tmp/shanzhi-scale-$scale.db-wal" "/tmp/shanzhi-scale-$scale.db-shm"
}

# The lines that hold each bench's figures (grep -E on its log).
declare -A figures=(
  [text]='^(trained on|analyze:|[a-z]+ only:)|\*\*(all|second held-out set)\*\*'
  [segmentation]='segmentation only:'
  [scan]='^[0-9]+ cases, [0-9]+ locations|^threads [0-9]+:'
  [models]='^generated [0-9]+ cases|^ *(event|person|industry|region|all four): '
  [import]='^input:|^\| (import|re-import) '
  [intake]='distinct records|^\| (SQLite|PostgreSQL) \||^first error|checkpointed it whole|^>> write-ahead'
  [assessment]='^demo ledger:|^\| every metric'
  [dashboard]='^demo ledger:|synthetic ones|^\| (`build`|the handler)'
  [dashboard-page]='^\| navigation start|^runs \(mark|^problems'
  [serve-demo]='^>> (serve --demo|first dashboard|the dashboard again|warning scan|ledger file)'
  [demo-load]='^>> demo load'
  [scale]='^(cases:|demo load:|largest write-ahead log|ledger file:|warnings by model|scan \(four models\):|serve ready after:|dashboard API|case list|serve peak RSS)'
)

# ---------------------------------------------------------------------------------------------
# The run

commit="$(git rev-parse --short HEAD)"
if ! git diff --quiet HEAD -- 2>/dev/null || [ -n "$(git ls-files --others --exclude-standard | head -n 1)" ]; then
  commit="$commit (dirty)"
fi
started_at="$(date -Iseconds)"
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) memory"
load_at_start="$(loadavg)"
versions="$(rustc --version 2>/dev/null || echo 'rustc ?'); node $(node --version 2>/dev/null || echo '?')"
if [[ " ${selected[*]} " == *" dashboard-page "* ]]; then
  versions="$versions; $("${SHANZHI_E2E_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo 'no chromium')"
fi

declare -A result=() wall=() load_before=() load_after=()
ran=()
for name in "${selected[@]}"; do rm -f "$out/$name.log"; done

write_summary() {
  local name f
  {
    echo "# Benchmarks: \`scripts/bench-all.sh\`"
    echo
    echo "- started: $started_at; summary written $(date -Iseconds)"
    echo "- commit: $commit"
    echo "- machine: $machine"
    echo "- load average (1, 5, 15 min) at start: $load_at_start"
    echo "- PostgreSQL: $pg_note"
    echo "- $versions"
    echo "- options: ${orig_args:-(none)}"
    if [ "$quick" = 1 ]; then
      echo "- **quick mode**: shortened runs to check the script; these are not BENCHMARKS.md's figures"
    fi
    echo
    echo "| bench | result | wall time | load before | load after | log |"
    echo "|---|---|---|---|---|---|"
    for name in build "${ran[@]}"; do
      [ -n "${result[$name]:-}" ] || continue
      echo "| $name | ${result[$name]} | ${wall[$name]} s | ${load_before[$name]} | ${load_after[$name]} | \`$out/$name.log\` |"
    done
    for name in "${ran[@]}"; do
      echo
      echo "## $name: ${result[$name]}, ${wall[$name]} s (load ${load_before[$name]} before, ${load_after[$name]} after)"
      echo
      [ "${result[$name]}" = ok ] || { echo "The whole output: \`$out/$name.log\`; its command lines and last lines:"; echo; }
      echo '```text'
      f="$out/$name.log"
      if [ "${result[$name]}" = ok ]; then
        strip_ansi "$f" | grep -E "^(\\\$ |>> )|${figures[$name]}" || true
      else
        strip_ansi "$f" | grep -E '^(\$ |>> )' || true
        echo "…"
        strip_ansi "$f" | tail -n 15
      fi
      echo '```'
    done
  } >"$out/summary.md"
}
banner() {
  printf '\n==================== %s ====================\n' "$1"
  printf '%s, load average %s\n\n' "$(date -Iseconds)" "$(loadavg)"
}

# run_step NAME FUNCTION: runs it with its output in the log, records the result.
run_step() {
  local name="$1" fn="$2" log="$out/$1.log" t0 rc
  load_before[$name]="$(loadavg)"
  t0="$EPOCHREALTIME"
  set +e
  (
    set -euo pipefail
    trap stop_servers EXIT
    banner "$name"
    "$fn"
  ) 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  stop_servers
  wall[$name]="$(since "$t0" 1)"
  load_after[$name]="$(loadavg)"
  if [ "$rc" != 0 ]; then
    result[$name]="FAILED (exit $rc)"
  elif [ "$name" != build ] && ! strip_ansi "$log" | grep -E "${figures[$name]}" >/dev/null; then
    # (not grep -q: it would stop reading, and sed's SIGPIPE would fail the pipeline)
    result[$name]="FAILED (no figures in the log)"
  else
    result[$name]=ok
  fi
  echo ">> $name: ${result[$name]} in ${wall[$name]} s (log: $log)"
}

echo "bench-all: ${selected[*]}; $machine; commit $commit; load $load_at_start"
echo "logs and summary in $out/"
[ "$quick" = 1 ] && echo "quick mode: short runs, not figures for BENCHMARKS.md"

# Build once: the binary and the selected benches.
build() {
  cmd cargo build --release -p shanzhi
  local name benches=()
  for name in "${selected[@]}"; do
    case "$name" in
      text | segmentation) benches+=(shanzhi-text:text) ;;
      scan | models) benches+=("shanzhi-risk:$name") ;;
      import | intake | assessment) benches+=("shanzhi:$name") ;;
      dashboard | dashboard-page) benches+=(shanzhi:dashboard) ;;
    esac
  done
  local package args
  for package in shanzhi-text shanzhi-risk shanzhi; do
    args=()
    for name in $(printf '%s\n' "${benches[@]}" | sort -u); do
      [ "${name%%:*}" = "$package" ] && args+=(--bench "${name#*:}")
    done
    [ "${#args[@]}" -gt 0 ] && cmd cargo bench --no-run -p "$package" "${args[@]}"
  done
  return 0
}
run_step build build
if [ "${result[build]}" != ok ]; then
  write_summary
  echo "the build failed: see $out/build.log" >&2
  exit 1
fi

failed=0
for name in "${selected[@]}"; do
  ran+=("$name")
  run_step "$name" "bench_${name//-/_}"
  [ "${result[$name]}" = ok ] || failed=1
  write_summary
done

echo
echo "summary: $out/summary.md"
for name in "${ran[@]}"; do
  printf '  %-15s %-32s %8s s  (load before %s)\n' "$name" "${result[$name]}" "${wall[$name]}" "${load_before[$name]}"
done
exit "$failed"
