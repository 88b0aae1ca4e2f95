#!/usr/bin/env bash
# End-to-end sync figures (issue 5): a workstation with a large outbox backlog drains it to the
# city platform SIMULATOR on loopback. Prints items/s and the peak RSS of the `yc sync` process
# (target: < 100 MB for a 100 000-item backlog). Usage: scripts/bench-sync.sh [ITEMS]
set -euo pipefail
cd "$(dirname "$0")/.."
items="${1:-100000}"
yc=target/release/yc
# The demo accounts' password, given the way scripts give it (yc acts as someone only after it).
export YC_PASSWORD=yc123456
simbin=target/release/yc-sim
[ -x "$yc" ] && [ -x "$simbin" ] || cargo build --release -p yc -p yc-sim --locked
dir=$(mktemp -d)
cleanup() { [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
# Without seals the demo journals about 3.8 case events (outbox items) per case.
cases=$(( items * 10 / 38 ))
echo "==> building a workstation with ~${items} outbox items (${cases} demo cases, no seals)"
t0=$SECONDS
"$yc" --data "$dir/ws" --today 2026-11-20 demo --cases "$cases" --no-seal --json >/dev/null
n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from outbox').fetchone()[0])" "$dir/ws/yichuang.db")
echo "    $n outbox items in $((SECONDS - t0)) s"
"$simbin" city --port 0 >"$dir/addr" 2>/dev/null &
sim_pid=$!
for _ in $(seq 50); do [ -s "$dir/addr" ] && break; sleep 0.1; done
addr=$(head -1 "$dir/addr")
printf '{"name":"city","kind":"city-extranet","settings":{"base_url":"http://%s","source":"440399-W01","batch_size":1000}}' "$addr" >"$dir/city.json"
"$yc" --data "$dir/ws" adapter add "$dir/city.json" --backfill >/dev/null
python3 - "$yc" "$dir/ws" "$n" <<'PY'
import resource, subprocess, sys, time
yc, data, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.monotonic()
subprocess.run([yc, "--data", data, "sync", "--once", "--adapter", "city", "--batch", "1000"], check=True, stdout=subprocess.DEVNULL)
dt = time.monotonic() - t
rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"==> yc sync drained {n} items in {dt:.1f} s: {n/dt:,.0f} items/s end to end (SQLite state updates included)")
print(f"    peak RSS of yc sync: {rss_mb:.1f} MB (target < 100 MB)")
PY
"$yc" --data "$dir/ws" sync status
