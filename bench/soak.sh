#!/usr/bin/env bash
# Soak test (bench/README.md, "Soak"): MINUTES of mixed SQS/SNS/Step Functions traffic, open
# loop, with long-poll consumers; RSS and latency should stay flat. Not part of CI.
#   bench/soak.sh [--sluice PATH] [--loadgen PATH] [--minutes 30] [--out DIR]
#                 [--flow-rate 1500] [--publish-rate 300] [--sfn-rate 2500] [--conns 16]
#                 [--sfn-type EXPRESS|STANDARD] [--max-rss-mib N]
# One memory-only sluice on 127.0.0.1 (a free port, --log-level warn), set up with:
#   - queue soak-flow1 for the loadgen `flow1` cycles (SendMessage, ReceiveMessage, DeleteMessage);
#   - topic soak-fanout with one SQS subscription, queue soak-fanout-q0 (sns_helper.py setup:
#     envelope delivery), drained by 4 boto3 consumers (ReceiveMessage WaitTimeSeconds=20,
#     MaxNumberOfMessages=10, then DeleteMessageBatch), one process each;
#   - state machine soak-machine (Pass -> Wait 1 s -> Pass), EXPRESS unless --sfn-type.
# Then, each minute, three loadgen processes in parallel for 60 s, open loop at fixed rates:
# flow1 (cycles/s), sns-publish (Publish/s), sfn-start (StartExecution/s). A sampler writes
# the server's VmRSS, open fds, CPU time and the fan-out queue's depth every 5 s. At the end:
# the fan-out queue is left to drain, the consumers are stopped, the deliveries counted
# against the publishes, and a summary printed. Results file (--out DIR/results.txt), one
# line each, key=value:
#   SAMPLE minute=M t=EPOCH elapsed_s=S rss_kb=K fds=F cpu_s=C visible=V inflight=I total=T load1=L
#   RESULT|LAT|ERROR minute=M label=flow1|sns-publish|sfn-start ...   (the loadgen's lines)
#   LOADGEN_OUTPUT / LOADGEN_EXIT minute=M label=...   (anything else a loadgen printed; its exit code)
#   CONSUMER id=N t=EPOCH ... (every 60 s and at exit)  CONSUMER_ERROR id=N ...   GUARD ...
# bench/soak_plot.py RESULTS OUTDIR draws soak-rss.svg and soak-latency.svg from it.
# --max-rss-mib (default half the machine's memory): if the server's RSS passes it, the soak
# ends after the current minute (a GUARD line); past 1.25 times it, the running loadgens are
# stopped at once: the machine must not run out of memory (STANDARD executions are kept). Without --out the results live in a temp dir, deleted at exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sluice=$root/build/release/sluice
loadgen=$root/build/release/bench/loadgen
minutes=30 flow_rate=1500 publish_rate=300 sfn_rate=2500 conns=16 sfn_type=EXPRESS
max_rss_mib=$(awk '/^MemTotal/ {printf "%d", $2 / 2048}' /proc/meminfo)
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --sluice) sluice=$2; shift ;;
    --loadgen) loadgen=$2; shift ;;
    --minutes) minutes=$2; shift ;;
    --out) out=$2; shift ;;
    --flow-rate) flow_rate=$2; shift ;;
    --publish-rate) publish_rate=$2; shift ;;
    --sfn-rate) sfn_rate=$2; shift ;;
    --conns) conns=$2; shift ;;
    --sfn-type) sfn_type=$2; shift ;;
    --max-rss-mib) max_rss_mib=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$sluice" ] || { echo "no sluice binary at $sluice" >&2; exit 2; }
[ -x "$loadgen" ] || { echo "no loadgen at $loadgen" >&2; exit 2; }
py=$(python3 -c 'import boto3, sys; print(sys.executable)') ||
  { echo "python3 with boto3 needed (the consumers)" >&2; exit 2; }
work=$(mktemp -d /tmp/sluice-soak.XXXXXX)
if [ -n "$out" ]; then mkdir -p "$out"; else out=$work; fi
results=$out/results.txt
: >"$results"
server_pid="" sampler_pid="" consumer_pids="" loadgen_pids=""
cleanup() {
  local p
  for p in $loadgen_pids $consumer_pids $sampler_pid $server_pid; do
    kill "$p" 2>/dev/null || true
  done
  for p in $loadgen_pids $consumer_pids $sampler_pid $server_pid; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
helper=$here/sns_helper.py
sqs_templates=$here/requests/js-v3-json
sns_templates=$here/requests/js-v3-query-sns

# ---------------------------------------------------------------- server and resources
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target=127.0.0.1:$port
"$sluice" --host 127.0.0.1 --port "$port" --log-level warn >"$out/sluice.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -sf "http://$target/_sluice/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://$target/_sluice/health" >/dev/null ||
  { echo "sluice did not start; log:" >&2; cat "$out/sluice.log" >&2; exit 1; }
alive() { [ -r "/proc/$server_pid/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$server_pid/status"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0; }

flow_queue=$("$loadgen" create-queue --target "$target" --name soak-flow1)
fanout_list=$work/fanout-queues.txt
topic=$("$py" "$helper" setup "$target" soak-fanout 1 "$fanout_list")
fanout_queue=$(head -1 "$fanout_list")
definition='{"Comment":"soak","StartAt":"Prepare","States":{
"Prepare":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.prepared","Next":"Pause"},
"Pause":{"Type":"Wait","Seconds":1,"Next":"Finish"},
"Finish":{"Type":"Pass","Parameters":{"seq.$":"$.seq","done":true},"End":true}}}'
sfn() {  # OPERATION JSON_BODY: one AWS JSON 1.0 call, prints the answer, fails on non-2xx
  curl -sS --fail-with-body -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: AWSStepFunctions.$1" --data-binary "$2" "http://$target/"
}
machine=$(sfn CreateStateMachine "$("$py" -c 'import json, sys; print(json.dumps({"name": "soak-machine", "type": sys.argv[1], "definition": sys.argv[2], "roleArn": "arn:aws:iam::000000000000:role/soak"}))' "$sfn_type" "$definition")" |
  "$py" -c 'import json, sys; print(json.load(sys.stdin)["stateMachineArn"])')

# ---------------------------------------------------------------- consumers
cat >"$work/consumer.py" <<'EOF'
import math, signal, sys, time
import boto3
from botocore.config import Config
endpoint, queue, cid = sys.argv[1:4]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="soak", aws_secret_access_key="soak",
                   config=Config(retries={"total_max_attempts": 1}, read_timeout=60))
keys = ("received", "deleted", "errors", "polls", "empty_polls")
total, cur, lags, last = dict.fromkeys(keys, 0), dict.fromkeys(keys, 0), [], time.time()
def count(k, n=1):
    cur[k] += n
    total[k] += n
def error(op, e):
    count("errors")
    print("CONSUMER_ERROR id=%s t=%.3f op=%s %s" % (cid, time.time(), op, repr(e)[:300]), flush=True)
def report(final):
    global cur, lags, last
    lags.sort()
    pct = lambda p: lags[max(math.ceil(p * len(lags)), 1) - 1] if lags else 0
    print("CONSUMER id=%s t=%.3f final=%d %s lag_p50_ms=%d lag_p99_ms=%d lag_max_ms=%d %s" % (
        cid, time.time(), final, " ".join("%s=%d" % kv for kv in cur.items()), pct(0.5),
        pct(0.99), lags[-1] if lags else 0,
        " ".join("total_%s=%d" % kv for kv in total.items())), flush=True)
    cur, lags, last = dict.fromkeys(keys, 0), [], time.time()
try:
    while True:
        if time.time() - last >= 60:
            report(0)
        try:
            r = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20, MaxNumberOfMessages=10,
                                    MessageSystemAttributeNames=["SentTimestamp"])
        except Exception as e:
            error("ReceiveMessage", e)
            time.sleep(1)
            continue
        count("polls")
        msgs = r.get("Messages", [])
        if not msgs:
            count("empty_polls")
            continue
        count("received", len(msgs))
        now_ms = time.time() * 1000
        lags.extend(now_ms - int(m["Attributes"]["SentTimestamp"]) for m in msgs)
        try:
            d = sqs.delete_message_batch(QueueUrl=queue, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        except Exception as e:
            error("DeleteMessageBatch", e)
            continue
        count("deleted", len(d.get("Successful", [])))
        for f in d.get("Failed", []):
            error("DeleteMessageBatch", f)
finally:
    report(1)
EOF
for i in 1 2 3 4; do
  "$py" "$work/consumer.py" "http://$target" "$fanout_queue" "$i" >>"$results" 2>"$out/consumer-$i.err" &
  consumer_pids="$consumer_pids $!"
done

{
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(uptime)"
  echo "# sluice: $sluice ($("$sluice" --version 2>&1 | head -1)), memory only, $target, pid $server_pid"
  echo "# params: minutes=$minutes flow_rate=$flow_rate publish_rate=$publish_rate sfn_rate=$sfn_rate conns=$conns sfn_type=$sfn_type max_rss_mib=$max_rss_mib"
  echo "# flow1 queue $flow_queue; topic $topic -> $fanout_queue (4 long-poll consumers); machine $machine"
} | tee -a "$results" >&2
echo "SETUP rss_kb=$(rss_kb)" >>"$results"

# ---------------------------------------------------------------- sampler
clk_tck=$(getconf CLK_TCK)
t0=$(date +%s.%N)
echo 0 >"$work/minute"
sampler() {
  set +e
  local k=0 now m rss depth spid=""
  trap 'kill $spid 2>/dev/null; exit 0' TERM
  while :; do
    now=$(date +%s.%N)
    m=$(cat "$work/minute")
    if alive; then
      rss=$(rss_kb)
      depth=$("$py" "$helper" depth "$target" "$fanout_list" 2>/dev/null || echo "visible=-1 inflight=-1 total=-1")
      echo "SAMPLE minute=$m t=$now elapsed_s=$(awk -v a="$now" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')" \
        "rss_kb=$rss fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
        "cpu_s=$(sed 's/^.*) //' "/proc/$server_pid/stat" | awk -v hz="$clk_tck" '{printf "%.1f", ($12 + $13) / hz}')" \
        "$depth load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"
      if [ "${rss:-0}" -gt $((max_rss_mib * 1024)) ] && [ ! -e "$work/stop" ]; then
        echo "GUARD minute=$m t=$now rss_kb=$rss limit_mib=$max_rss_mib: the soak ends after this minute" >>"$results"
        touch "$work/stop"
      fi
      if [ "${rss:-0}" -gt $((max_rss_mib * 1280)) ] && [ ! -e "$work/killed" ]; then
        echo "GUARD minute=$m t=$now rss_kb=$rss limit_mib=$((max_rss_mib * 5 / 4)): loadgens stopped now" >>"$results"
        touch "$work/killed"
        # shellcheck disable=SC2046
        kill $(cat "$work/loadgen.pids" 2>/dev/null) 2>/dev/null
      fi
    else
      echo "SAMPLE minute=$m t=$now server=dead" >>"$results"
    fi
    k=$((k + 1))
    sleep "$(awk -v t0="$t0" -v k="$k" -v now="$(date +%s.%N)" 'BEGIN { d = t0 + 5 * k - now; printf "%.3f", (d > 0 ? d : 0) }')" &
    spid=$!
    wait "$spid"
  done
}
sampler &
sampler_pid=$!

# ---------------------------------------------------------------- the minutes
scenarios="flow1 sns-publish sfn-start"
val() {  # TYPE MINUTE LABEL KEY [OP]: KEY=... of the line "TYPE minute=M label=L [op=OP] ..."
  awk -v t="$1" -v m="minute=$2" -v l="label=$3" -v k="$4=" -v op="${5:+op=$5}" \
    '$1 == t && $2 == m && $3 == l && (op == "" || $4 == op) { for (i = 4; i <= NF; i++) if (index($i, k) == 1) v = substr($i, length(k) + 1) } END { print v }' "$results"
}
last=0
for m in $(seq 1 "$minutes"); do
  [ -e "$work/stop" ] && break
  echo "$m" >"$work/minute"
  common=(--target "$target" --warmup 0 --duration 60 --connections "$conns")
  "$loadgen" run "${common[@]}" --templates "$sqs_templates" --queue-url "$flow_queue" \
    --scenario flow1 --rate "$flow_rate" --label flow1 >"$work/flow1.out" 2>&1 &
  loadgen_pids=$!
  "$loadgen" run "${common[@]}" --templates "$sns_templates" --topic-arn "$topic" \
    --scenario sns-publish --rate "$publish_rate" --label sns-publish >"$work/sns-publish.out" 2>&1 &
  loadgen_pids="$loadgen_pids $!"
  "$loadgen" run "${common[@]}" --templates "$sqs_templates" --state-machine-arn "$machine" \
    --scenario sfn-start --rate "$sfn_rate" --label sfn-start >"$work/sfn-start.out" 2>&1 &
  loadgen_pids="$loadgen_pids $!"
  echo "$loadgen_pids" >"$work/loadgen.pids"
  # shellcheck disable=SC2086
  set -- $loadgen_pids
  for s in $scenarios; do
    rc=0
    wait "$1" || rc=$?
    shift
    awk -v m="$m" -v l="$s" '$1 == "RESULT" || $1 == "LAT" || $1 == "ERROR" { $1 = $1 " minute=" m; print; next }
      { print "LOADGEN_OUTPUT minute=" m " label=" l " " $0 }' "$work/$s.out" >>"$results"
    [ "$rc" = 0 ] || echo "LOADGEN_EXIT minute=$m label=$s rc=$rc" >>"$results"
  done
  loadgen_pids=""
  rm -f "$work/loadgen.pids"
  last=$m
  line="minute $m/$minutes:"
  for s in $scenarios; do
    line="$line $s $(val RESULT "$m" "$s" msgs_per_s)/s p50 $(val LAT "$m" "$s" p50_ms all) p99 $(val LAT "$m" "$s" p99_ms all) ms err $(val RESULT "$m" "$s" errors) |"
  done
  log "$line RSS $(($(rss_kb) / 1024)) MiB, fan-out queue $(grep '^SAMPLE' "$results" | tail -1 | grep -o 'total=[-0-9]*' || true)"
  alive || { log "the server is gone"; break; }
done

# ---------------------------------------------------------------- drain, stop, check
echo $((last + 1)) >"$work/minute"
log "waiting for the fan-out queue to drain (at most 120 s)"
drained=0
for _ in $(seq 240); do
  alive || break
  if "$py" "$helper" depth "$target" "$fanout_list" 2>/dev/null | grep -q ' total=0$'; then drained=1; break; fi
  sleep 0.5
done
# shellcheck disable=SC2086
kill $consumer_pids 2>/dev/null || true
for p in $consumer_pids; do wait "$p" 2>/dev/null || true; done
consumer_pids=""
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
server_alive=no health=no sfn_failed="?" sfn_running="?" flow_depth="?"
if alive; then
  server_alive=yes
  curl -sf "http://$target/_sluice/health" >/dev/null && health=yes
  flow_depth=$("$loadgen" depth --target "$target" --queue-url "$flow_queue" 2>/dev/null || echo "?")
  [ "$sfn_type" = STANDARD ] || sfn_running="n/a:$sfn_type" sfn_failed="n/a:$sfn_type"
  for _ in $(seq 30); do  # the last executions are in their 1 s Wait (ListExecutions: STANDARD only)
    [ "$sfn_type" = STANDARD ] || break
    sfn_running=$(sfn ListExecutions "{\"stateMachineArn\":\"$machine\",\"statusFilter\":\"RUNNING\",\"maxResults\":1}" |
      "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["executions"]))') || break
    [ "$sfn_running" = 0 ] && break
    sleep 1
  done
  if [ "$sfn_type" = STANDARD ]; then
    sfn_failed=0
    for st in FAILED TIMED_OUT ABORTED; do
      n=$(sfn ListExecutions "{\"stateMachineArn\":\"$machine\",\"statusFilter\":\"$st\",\"maxResults\":1}" |
        "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["executions"]))') || n="?"
      [ "$n" = 0 ] || sfn_failed="$sfn_failed+$st"
    done
  fi
fi
echo "END server_alive=$server_alive health=$health rss_kb=$(rss_kb) fanout_drained=$drained flow1_depth=$flow_depth sfn_running=$sfn_running sfn_not_succeeded=$sfn_failed" >>"$results"

# ---------------------------------------------------------------- summary
rss_at() {  # MINUTE: RSS in MiB of the minute's last sample
  awk -v m="minute=$1" '$1 == "SAMPLE" && $2 == m { for (i = 3; i <= NF; i++) if ($i ~ /^rss_kb=/) v = substr($i, 8) } END { printf "%.0f", v / 1024 }' "$results"
}
sum() {  # TYPE KEY [LABEL]: sum of KEY=... over the TYPE lines (of that label)
  awk -v t="$1" -v k="$2=" -v l="${3:+label=$3}" '$1 == t && (l == "" || $3 == l) { for (i = 2; i <= NF; i++) if (index($i, k) == 1) s += substr($i, length(k) + 1) } END { printf "%d", s }' "$results"
}
range() {  # TYPE KEY [LABEL]: min-max of KEY=... over the TYPE lines (of that label; LAT: op=all)
  awk -v t="$1" -v k="$2=" -v l="${3:+label=$3}" '$1 == t && (l == "" || $3 == l) && (t != "LAT" || $4 == "op=all") { for (i = 2; i <= NF; i++) if (index($i, k) == 1) { v = substr($i, length(k) + 1) + 0; if (lo == "" || v < lo) lo = v; if (v > hi) hi = v } } END { print lo "-" hi }' "$results"
}
row() { printf '%-44s | %s\n' "$1" "$2"; }
{
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  row metric value
  row "minutes run" "$last of $minutes$(grep -q '^GUARD' "$results" && echo " (stopped by the RSS guard: $(grep '^GUARD' "$results" | head -1))")"
  row "RSS after setup / end of minute 1 / of $last" "$(sum SETUP rss_kb | awk '{ printf "%.0f", $1 / 1024 }') / $(rss_at 1) / $(rss_at "$last") MiB"
  row "RSS max (5 s samples)" "$(awk '$1 == "SAMPLE" { for (i = 3; i <= NF; i++) if ($i ~ /^rss_kb=/ && substr($i, 8) + 0 > v) v = substr($i, 8) + 0 } END { printf "%.0f MiB", v / 1024 }' "$results")"
  execs=$(awk '$1 == "RESULT" && $2 != "minute=1" && $3 == "label=sfn-start" { for (i = 4; i <= NF; i++) if ($i ~ /^all_msgs=/) s += substr($i, 10) } END { printf "%d", s }' "$results")
  row "  growth per sfn-start execution, min 1->$last" \
    "$(awk -v a="$(rss_at 1)" -v b="$(rss_at "$last")" -v n="$execs" -v t="$sfn_type" 'BEGIN { printf "%.1f kB (%d %s executions started after minute 1)", (n > 0 ? (b - a) * 1024 / n : 0), n, t }')"
  row "server fds, min-max (5 s samples)" "$(range SAMPLE fds)"
  for s in $scenarios; do
    for mm in $(echo 1 "$last" | tr ' ' '\n' | sort -un); do
      row "$s minute $mm (rate $(val RESULT "$mm" "$s" rate)/s)" \
        "$(val RESULT "$mm" "$s" msgs_per_s)/s, p50 $(val LAT "$mm" "$s" p50_ms all) ms, p99 $(val LAT "$mm" "$s" p99_ms all) ms, max $(val LAT "$mm" "$s" max_ms all) ms, errors $(val RESULT "$mm" "$s" errors)"
    done
  done
  row "p99 over the minutes, min-max" "$(for s in $scenarios; do printf '%s %s ms; ' "$s" "$(range LAT p99_ms "$s")"; done)"
  published=$(sum RESULT all_msgs sns-publish)
  consumed=$(grep '^CONSUMER .* final=1 ' "$results" | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^total_deleted=/) s += substr($i, 15) } END { printf "%d", s }')
  row "published (answered) / consumed by the long pollers" "$published / $consumed (queue drained at the end: $([ "$drained" = 1 ] && echo yes || echo NO); consumed may exceed published by the Publishes in flight when a loadgen stopped)"
  row "cycles not done when a loadgen stopped (backlog)" "$(for s in $scenarios; do printf '%s %s; ' "$s" "$(sum RESULT incomplete "$s")"; done)"
  row "consumers: SentTimestamp->receive p99, per 60 s" "$(range CONSUMER lag_p99_ms) ms"
  row "errors: loadgen (all requests, all minutes)" "$(sum ERROR total) (first: $(grep -m1 '^ERROR' "$results" | cut -c1-160 || true))"
  row "errors: loadgen other output / bad exits" "$(grep -c '^LOADGEN_OUTPUT' "$results" || true) / $(grep -c '^LOADGEN_EXIT' "$results" || true)"
  row "errors: consumers" "$(grep -c '^CONSUMER_ERROR' "$results" || true) (stderr: $(cat "$out"/consumer-*.err | wc -l) lines)"
  row "server log lines (warn and above)" "$(wc -l <"$out/sluice.log")"
  row "server alive at the end / health" "$server_alive / $health"
  row "end: flow1 queue depth, sfn running, sfn not SUCCEEDED" "$flow_depth, $sfn_running, $sfn_failed"
} | tee -a "$results"
[ "$out" = "$work" ] || log "results: $results (bench/soak_plot.py $results DIR draws the curves)"
