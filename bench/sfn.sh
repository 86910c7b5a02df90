#!/usr/bin/env bash
# Sluice's Step Functions benchmark (bench/README.md, "Step Functions").
#   bench/sfn.sh [--sluice PATH] [--loadgen PATH] [--warmup S] [--duration S]
#                [--conns N] [--out DIR]
# One memory-only `sluice --port 0`, one 5-state machine (Pass -> Choice -> Pass -> Pass ->
# Succeed) created twice, STANDARD and EXPRESS, with curl (AWS JSON 1.0). Then:
#  1. sfn-start: StartExecution of the STANDARD machine, closed loop; then wait until no
#     execution is RUNNING and count, over every execution of the machine (ListExecutions
#     pages), executions SUCCEEDED per second from the first startDate to the last stopDate;
#  2. sfn-sync: StartSyncExecution of the EXPRESS machine, closed loop (throughput);
#  3. sfn-sync open loop at half that peak (p50/p99), and at a tenth of it (light load).
# Prints the figures, the server's RSS and CPU per execution; about 1 minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sluice=$root/build/bench/sluice
loadgen=$root/build/bench/bench/loadgen
warmup=1 duration=5 conns=16
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --sluice) sluice=$2; shift ;;
    --loadgen) loadgen=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --duration) duration=$2; shift ;;
    --conns) conns=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$sluice" ] || { echo "no sluice binary at $sluice (build it: cmake --build build/bench --target sluice)" >&2; exit 2; }
[ -x "$loadgen" ] || { echo "no loadgen at $loadgen (cmake --build build/bench --target sluice_loadgen)" >&2; exit 2; }
work=$(mktemp -d /tmp/sluice-sfn-bench.XXXXXX)
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
templates=$here/requests/js-v3-json
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
say() { echo "$*" | tee -a "$results"; }

# ---------------------------------------------------------------- server and machines
"$sluice" --port 0 --log-level info >"$out/sluice.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out/sluice.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "sluice did not start; log:" >&2; cat "$out/sluice.log" >&2; exit 1; }
target=127.0.0.1:$port

sfn() {  # OPERATION JSON_BODY: one AWS JSON 1.0 call, prints the answer, fails on non-2xx
  curl -sS --fail-with-body -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: AWSStepFunctions.$1" --data-binary "$2" "http://$target/"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
# utime + stime of the server process in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}'; }
clk_tck=$(getconf CLK_TCK)
field() {  # NAME KEY: value of KEY=... in the RESULT line labelled NAME
  awk -v l="label=$1" -v k="$2=" '$1 == "RESULT" && $2 == l { for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$results" | tail -1
}
lat() {  # NAME KEY: value of KEY=... in the LAT op=all line labelled NAME
  awk -v l="label=$1" -v k="$2=" '$1 == "LAT" && $2 == l && $3 == "op=all" { for (i = 4; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$results" | tail -1
}

definition='{"Comment":"bench: 5 states, Pass/Choice","StartAt":"Prepare","States":{
"Prepare":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.prepared","Next":"Route"},
"Route":{"Type":"Choice","Choices":[{"Variable":"$.seq","NumericGreaterThanEquals":0,"Next":"Enrich"}],"Default":"Finish"},
"Enrich":{"Type":"Pass","Parameters":{"seq.$":"$.seq","route":"ge0"},"Next":"Finish"},
"Finish":{"Type":"Pass","Next":"Done"},
"Done":{"Type":"Succeed"}}}'
create_machine() {  # NAME TYPE: prints the ARN
  local body
  body=$(python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "type": sys.argv[2], "definition": sys.argv[3], "roleArn": "arn:aws:iam::000000000000:role/bench"}))' "$1" "$2" "$definition")
  sfn CreateStateMachine "$body" | python3 -c 'import json, sys; print(json.load(sys.stdin)["stateMachineArn"])'
}
standard=$(create_machine bench-standard STANDARD)
express=$(create_machine bench-express EXPRESS)

run() {  # LABEL ARN SCENARIO [loadgen args]
  local label=$1 arn=$2 scenario=$3
  shift 3
  local t0
  t0=$(cpu_ticks)
  "$loadgen" run --target "$target" --templates "$templates" --state-machine-arn "$arn" \
    --scenario "$scenario" --connections "$conns" --warmup "$warmup" --duration "$duration" \
    --label "$label" "$@" >>"$results"
  echo "CPU label=$label server_ticks=$(($(cpu_ticks) - t0)) clk_tck=$clk_tck" >>"$results"
  grep -E "^(RESULT|LAT|ERROR) label=$label " "$results" | grep -v 'op=all' | sed 's/^/    /' >&2
}
cpu_us_per() {  # LABEL: server CPU microseconds per execution over the whole loadgen run
  local ticks n
  ticks=$(awk -v l="label=$1" '$1 == "CPU" && $2 == l { sub(/server_ticks=/, "", $3); print $3 }' "$results")
  n=$(field "$1" all_msgs)
  awk -v t="$ticks" -v n="$n" -v hz="$clk_tck" 'BEGIN { printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }'
}

{
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(uptime)"
  echo "# sluice: $sluice ($("$sluice" --version 2>&1 | head -1)), memory only, port $port"
  echo "# params: warmup=$warmup duration=$duration conns=$conns"
} | tee -a "$results"
log "idle RSS $(rss_kb) kB; standard $standard, express $express"
rss_idle=$(rss_kb)

# ---------------------------------------------------------------- 1. STANDARD: started and completed
log "sfn-start: StartExecution closed loop, ${warmup}s + ${duration}s, $conns connections"
run start "$standard" sfn-start
t_sent=$(date +%s.%N)
# Wait until nothing is RUNNING (bounded: 5 minutes).
running=1
for _ in $(seq 3000); do
  running=$(sfn ListExecutions "{\"stateMachineArn\":\"$standard\",\"statusFilter\":\"RUNNING\",\"maxResults\":1}" |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["executions"]))')
  [ "$running" = 0 ] && break
  sleep 0.1
done
t_idle=$(date +%s.%N)
[ "$running" = 0 ] || log "executions still RUNNING after 5 minutes"
rss_standard=$(rss_kb)
# Every execution of the machine, page by page: statuses, first start, last stop.
python3 - "$target" "$standard" >>"$results" <<'EOF'
import collections, json, sys, urllib.request
target, arn = sys.argv[1], sys.argv[2]
counts, first_start, last_stop, token = collections.Counter(), None, None, None
while True:
    req = {"stateMachineArn": arn, "maxResults": 1000}
    if token:
        req["nextToken"] = token
    r = urllib.request.Request("http://%s/" % target, json.dumps(req).encode(), {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSStepFunctions.ListExecutions"})
    page = json.load(urllib.request.urlopen(r))
    for e in page["executions"]:
        counts[e["status"]] += 1
        first_start = min(first_start or e["startDate"], e["startDate"])
        if "stopDate" in e:
            last_stop = max(last_stop or e["stopDate"], e["stopDate"])
    token = page.get("nextToken")
    if not token:
        break
span = (last_stop - first_start) if last_stop else 0
ok = counts["SUCCEEDED"]
print("STANDARD executions=%d succeeded=%d other=%s first_start=%.3f last_stop=%.3f span_s=%.3f "
      "completed_per_s=%.1f" % (sum(counts.values()), ok,
                                ",".join("%s:%d" % kv for kv in sorted(counts.items())
                                         if kv[0] != "SUCCEEDED") or "none",
                                first_start or 0, last_stop or 0, span, ok / span if span else 0))
EOF
std_line=$(grep '^STANDARD ' "$results" | tail -1)
std_get() { echo "$std_line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
last_stop=$(std_get last_stop)
log "$std_line"

# ---------------------------------------------------------------- 2-3. EXPRESS: StartSyncExecution
log "sfn-sync: StartSyncExecution closed loop"
run sync-peak "$express" sfn-sync
peak=$(field sync-peak msgs_per_s)
half=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p / 2 }')
tenth=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p / 10 }')
log "sfn-sync: open loop at half the peak, $half/s"
run sync-half "$express" sfn-sync --rate "$half"
log "sfn-sync: open loop at a tenth of the peak, $tenth/s"
run sync-tenth "$express" sfn-sync --rate "$tenth"
rss_end=$(rss_kb)

# ---------------------------------------------------------------- summary
{
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-58s | %s\n' metric value
  printf '%-58s | %s\n' "STANDARD StartExecution accepted/s (closed, $conns conns)" \
    "$(field start msgs_per_s) (p50 $(lat start p50_ms) ms, p99 $(lat start p99_ms) ms, errors $(field start errors))"
  printf '%-58s | %s\n' "STANDARD executions started and completed" \
    "$(std_get succeeded) SUCCEEDED (other: $(std_get other)) in $(std_get span_s) s"
  printf '%-58s | %s\n' "STANDARD completed/s, first start -> last stop" "$(std_get completed_per_s)  (goal >= 5000)"
  printf '%-58s | %s\n' "  last stop after the load generator ended" \
    "$(awk -v a="$last_stop" -v b="$t_sent" 'BEGIN { printf "%.3f s", a - b }') (all idle $(awk -v a="$t_idle" -v b="$t_sent" 'BEGIN { printf "%.1f", a - b }') s after)"
  printf '%-58s | %s\n' "  server CPU per StartExecution" "$(cpu_us_per start) us"
  printf '%-58s | %s\n' "EXPRESS StartSyncExecution/s (closed, $conns conns)" \
    "$(field sync-peak msgs_per_s) (p50 $(lat sync-peak p50_ms) ms, p99 $(lat sync-peak p99_ms) ms, errors $(field sync-peak errors))"
  printf '%-58s | %s\n' "  server CPU per StartSyncExecution" "$(cpu_us_per sync-peak) us"
  printf '%-58s | %s\n' "StartSyncExecution open loop at $half/s (half peak)" \
    "p50 $(lat sync-half p50_ms) ms, p99 $(lat sync-half p99_ms) ms, max $(lat sync-half max_ms) ms, errors $(field sync-half errors)  (goal p99 < 2 ms)"
  printf '%-58s | %s\n' "StartSyncExecution open loop at $tenth/s (tenth of peak)" \
    "p50 $(lat sync-tenth p50_ms) ms, p99 $(lat sync-tenth p99_ms) ms, max $(lat sync-tenth max_ms) ms, errors $(field sync-tenth errors)"
  printf '%-58s | %s\n' "RSS idle / after the STANDARD run / at the end" \
    "$((rss_idle / 1024)) / $((rss_standard / 1024)) / $((rss_end / 1024)) MiB"
  printf '%-58s | %s\n' "  RSS per retained STANDARD execution" \
    "$(awk -v a="$rss_standard" -v b="$rss_idle" -v n="$(std_get executions)" 'BEGIN { printf "%.1f kB", (n > 0 ? (a - b) / n : 0) }')"
  n_sync=$(($(field sync-peak all_msgs) + $(field sync-half all_msgs) + $(field sync-tenth all_msgs)))
  printf '%-58s | %s\n' "  RSS growth per StartSyncExecution (EXPRESS)" \
    "$(awk -v a="$rss_end" -v b="$rss_standard" -v n="$n_sync" 'BEGIN { printf "%.1f kB over %d executions", (n > 0 ? (a - b) / n : 0), n }')"
} | tee -a "$results"
log "raw results: $results"
