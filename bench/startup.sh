#!/usr/bin/env bash
# Startup to first served request, and idle memory, of the sluice binary.
#   bench/startup.sh [path/to/sluice] [runs]
# Starts sluice on a free port, polls /_sluice/health with curl until it answers, and
# prints the elapsed time; then reads the idle RSS (VmRSS) and, after SIGTERM, the peak
# RSS that /usr/bin/time -v reports. Repeats `runs` times and prints the median.
set -euo pipefail
bin=${1:-build/release/sluice}
runs=${2:-20}
# Below Linux's ephemeral range (32768+): see run.sh.
port_base=$((20000 + RANDOM % 10000))
times=()
rss=()
peaks=()
for i in $(seq 1 "$runs"); do
  port=$((port_base + i))
  log=$(mktemp)
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$log.time" "$bin" --port "$port" --log-level warn &
  tpid=$!
  until curl -sf "http://127.0.0.1:$port/_sluice/health" -o /dev/null; do :; done
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000 )))
  sleep 0.5
  pid=$(pgrep -P "$tpid" sluice || true)
  rss+=($(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))
  kill -TERM "$pid"
  wait "$tpid"
  peaks+=($(awk -F': ' '/Maximum resident/ {print $2}' "$log.time"))
  rm -f "$log" "$log.time"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "runs: $runs"
echo "startup to first served request (us, median): $(median "${times[@]}")  (min $(printf '%s\n' "${times[@]}" | sort -n | head -1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -1))"
echo "idle RSS (kB, median): $(median "${rss[@]}")"
echo "peak RSS from /usr/bin/time -v (kB, median): $(median "${peaks[@]}")"
