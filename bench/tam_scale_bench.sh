#!/usr/bin/env bash
# The TAM's performance record (issue 7), every figure from one run on this
# machine: `teep tam serve` processes under `teep fleet`, on SQLite and on
# PostgreSQL, beside the TAM's crypto bound measured by bench_tam in the same
# run. Prints one table row per scenario (docs/performance.md "TAM at scale").
#
#   bash bench/tam_scale_bench.sh [SECONDS=10] [BIG=100000] [HUGE=1000000]
#
# Scenarios (all with the fleet's first 1,000 devices in conversation, 8
# concurrent, each conversation installing or removing a TC in turn):
#   sqlite/1k, pg/1k        registry of 1,000 devices
#   sqlite/BIG, pg/BIG      registry of BIG devices (the same 1,000 active)
#   pg/HUGE                 registry of HUGE devices (PostgreSQL only)
#   pg/1k x2                two instances, the fleet split over them
# Per row: exchanges/s, latency p50/p95/p99, TAM CPU per exchange (utime +
# stime of the teep process(es) from /proc), PostgreSQL's CPU per exchange
# (the postmaster and its backends), the TAM's resident memory after the run,
# and the TAM CPU's ratio to the crypto bound: 1 / (bound per exchange x
# exchanges per TAM CPU second) is the share of one core's worth of TAM that
# goes to the signatures it must make and check.
#
# The database files live in $TMPDIR (default /tmp); PostgreSQL runs with
# fsync off (tests/pg/pg_server.sh), SQLite with synchronous=FULL: put
# TMPDIR=/dev/shm to take fsync out of both.
set -euo pipefail
seconds=${1:-10}
big=${2:-100000}
huge=${3:-1000000}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build/release}
teep=$build/src/cli/teep
bench_tam=$build/bench/bench_tam
for b in "$teep" "$bench_tam"; do
  [[ -x $b ]] || { echo "tam_scale_bench.sh: $b missing: cmake --build build/release" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/tests/pg/pg_server.sh" stop "$work/pg.state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

clk=$(getconf CLK_TCK)
cpu_ticks() {  # cpu_ticks PID...: utime + stime (+ reaped children) of the processes
  local total=0 pid fields
  for pid in "$@"; do
    [[ -r /proc/$pid/stat ]] || continue
    read -r -a fields < <(sed 's/^.*) //' "/proc/$pid/stat")
    # after "pid (comm) ": state is field 0; utime 11, stime 12, cutime 13, cstime 14
    total=$((total + fields[11] + fields[12] + fields[13] + fields[14]))
  done
  echo "$total"
}
pg_pids() {  # the postmaster and its children
  local main
  main=$(head -1 "$(sed -n 's/^dir=//p' "$work/pg.state")/data/postmaster.pid")
  echo "$main" $(pgrep -P "$main" || true)
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

echo "# crypto bound (bench_tam, this run)" >&2
"$bench_tam" --benchmark_filter='BM_(Es256Sign|Es256Verify|Ed25519Sign)/512$' --benchmark_min_time=1 \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null >crypto.csv
median_us() { grep "^\"$1_median\"" crypto.csv | cut -d, -f4; }  # cpu_time column, µs
sign=$(median_us BM_Es256Sign/512)
verify=$(median_us BM_Es256Verify/512)
ed=$(median_us BM_Ed25519Sign/512)
# Per exchange the TAM signs the QueryRequest (ES256 + Ed25519) and the
# Update (ES256), and verifies the QueryResponse, the Evidence and the
# Success (ES256 each) (docs/performance.md "TAM").
bound=$(awk -v s="$sign" -v v="$verify" -v e="$ed" 'BEGIN { printf "%.1f", 2 * s + e + 3 * v }')
echo "crypto bound per exchange: 2 x ES256 sign $sign + Ed25519 sign $ed + 3 x ES256 verify $verify = $bound us"

"$root/tests/pg/pg_server.sh" start "$work/pg.state" >/dev/null
admin_url=$(sed -n 's/^url=//p' "$work/pg.state")
"$teep" tam init --dir tam --port 0 >/dev/null
tc_words='TEEP-Device SecureFS bench-ta'
printf 'bench TC\n' >tc.bin
# shellcheck disable=SC2086
"$teep" manifest create --key tam/signer.pem --component-id $tc_words --sequence 1 --payload tc.bin -o tc.suit >/dev/null

echo "# devices for a registry of $huge" >&2
"$teep" fleet devices --devices "$huge" --out all.devices
make_registry() {  # make_registry NAME DATABASE N: a fresh database holding the TC and N devices
  awk -v n="$3" '/^#/ { next } { print; if (++c == n) exit }' all.devices >"$1.devices"
  "$teep" tam tc add --config tam/tam.toml --database "$2" tc.suit >/dev/null
  local t0=$SECONDS
  "$teep" tam devices import --config tam/tam.toml --database "$2" "$1.devices" >/dev/null
  echo "# $1: imported $3 devices in $((SECONDS - t0)) s" >&2
}
pg_database() {  # pg_database NAME: a fresh PostgreSQL database's URL
  (cd / && psql -q "$admin_url" -c "CREATE DATABASE $1" >/dev/null)
  echo "${admin_url%/*}/$1"
}

served=0
serve() {  # serve DATABASE: starts an instance; sets url and pid
  served=$((served + 1))
  local log=serve.$served.log
  "$teep" tam serve --config tam/tam.toml --database "$1" 2>"$log" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    url=$(sed -n 's/^teep tam serve: //p' "$log")
    [[ -n $url ]] && return
    sleep 0.1
  done
  echo "tam_scale_bench.sh: the TAM did not start: $(cat "$log")" >&2
  exit 1
}

fleet() {  # fleet URL FIRST_INDEX DEVICES OUT SECONDS: one timed run
  "$teep" fleet --tam "$1" --first-index "$2" --devices "$3" --concurrency "$((8 / ${instances:-1}))" \
    --duration "$5" --tcs "$tc_words" --tam-key tam/tam-p256.pub.pem --tam-key tam/tam-ed25519.pub.pem \
    --signer tam/signer.pub.pem --no-progress --json >"$4"
}
field() { grep -o "\"$2\":[0-9.]*" "$1" | head -1 | cut -d: -f2; }

printf '| scenario | registry | exchanges/s | p50 / p95 / p99 ms | TAM CPU µs/exchange | PostgreSQL CPU µs/exchange | TAM RSS MB | bound / TAM CPU | errors |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
row() {  # row NAME REGISTRY DATABASE [INSTANCES]
  local name=$1 registry=$2 database=$3
  instances=${4:-1}
  local tam_pids=() urls=()
  for _ in $(seq "$instances"); do
    serve "$database"
    tam_pids+=("$pid")
    urls+=("$url")
  done
  # Warm-up: the active devices converse (HTTP sessions, caches, buffers).
  run_fleets warm 3
  local tam0 pg0=0 pg1=0
  tam0=$(cpu_ticks "${tam_pids[@]}")
  [[ $database == postgresql://* ]] && pg0=$(cpu_ticks $(pg_pids))
  run_fleets run "$seconds"
  local tam1
  tam1=$(cpu_ticks "${tam_pids[@]}")
  [[ $database == postgresql://* ]] && pg1=$(cpu_ticks $(pg_pids))
  local exchanges=0 rate=0 errors=0 p50 p95 p99 rss=0
  for i in "${!urls[@]}"; do
    exchanges=$((exchanges + $(field run.$i.json exchanges)))
    rate=$(awk -v a="$rate" -v b="$(field run.$i.json exchanges_per_second)" 'BEGIN { print a + b }')
    errors=$((errors + $(field run.$i.json errors_total)))
  done
  p50=$(field run.0.json p50); p95=$(field run.0.json p95); p99=$(field run.0.json p99)
  for p in "${tam_pids[@]}"; do rss=$((rss + $(rss_kb "$p"))); done
  local tam_us pg_us ratio
  tam_us=$(awk -v t=$((tam1 - tam0)) -v c="$clk" -v n="$exchanges" 'BEGIN { printf "%.0f", t / c * 1e6 / n }')
  pg_us=$(awk -v t=$((pg1 - pg0)) -v c="$clk" -v n="$exchanges" 'BEGIN { printf "%.0f", t / c * 1e6 / n }')
  ratio=$(awk -v b="$bound" -v t="$tam_us" 'BEGIN { printf "%.0f%%", 100 * b / t }')
  [[ $database == postgresql://* ]] || pg_us="-"
  printf '| %s | %s | %s | %s / %s / %s | %s | %s | %s | %s | %s |\n' "$name" "$registry" "$rate" \
    "$p50" "$p95" "$p99" "$tam_us" "$pg_us" "$((rss / 1024))" "$ratio" "$errors"
  for p in "${tam_pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
}
run_fleets() {  # run_fleets TAG SECONDS: one fleet per instance (urls), devices split, in parallel
  local fleet_pids=() i
  for i in "${!urls[@]}"; do
    fleet "${urls[$i]}" $((i * 1000 / instances)) $((1000 / instances)) "$1.$i.json" "$2" &
    fleet_pids+=($!)
  done
  for i in "${!fleet_pids[@]}"; do
    wait "${fleet_pids[$i]}" || { echo "tam_scale_bench.sh: fleet run failed: $(cat "$1.$i.json")" >&2; exit 1; }
  done
}

make_registry sqlite-1k "$work/small.db" 1000
row sqlite 1000 "$work/small.db"
pg_small=$(pg_database small)
make_registry pg-1k "$pg_small" 1000
row postgresql 1000 "$pg_small"
row "postgresql, 2 instances" 1000 "$pg_small" 2
make_registry sqlite-big "$work/big.db" "$big"
row sqlite "$big" "$work/big.db"
pg_big=$(pg_database big)
make_registry pg-big "$pg_big" "$big"
row postgresql "$big" "$pg_big"
pg_huge=$(pg_database huge)
make_registry pg-huge "$pg_huge" "$huge"
row postgresql "$huge" "$pg_huge"
