#!/usr/bin/env bash
# Startup time with a data dir holding 1 million messages (issue #6: under 3 s).
#   bench/startup-1m.sh [--sluice PATH] [--loadgen PATH] [--messages N] [--restarts N]
# Fills one queue of a `--data-dir` server with N 1 KiB messages (SendMessageBatch, 16
# connections), stops it with SIGTERM, then restarts it on the same data dir `restarts`
# times and prints, for each, the time from exec to the first answer of
# /_sluice/health (the port opens after everything is restored), the RSS, and the
# depth the restored queue reports. About 3 minutes for 1M.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sluice=$root/build/release/sluice
loadgen=$root/build/release/bench/loadgen
messages=1000000 restarts=5
while [ $# -gt 0 ]; do
  case $1 in
    --sluice) sluice=$2; shift ;;
    --loadgen) loadgen=$2; shift ;;
    --messages) messages=$2; shift ;;
    --restarts) restarts=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$sluice" ] || { echo "no sluice binary at $sluice" >&2; exit 2; }
[ -x "$loadgen" ] || { echo "no loadgen at $loadgen (target sluice_loadgen)" >&2; exit 2; }
work=$(mktemp -d /tmp/sluice-startup-1m.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
# Below Linux's ephemeral range (32768+), where the load generator's own connections
# take their local ports: a server port taken from there could already be in use.
port=$((20000 + RANDOM % 10000))
target=127.0.0.1:$port
start() {
  t0=$(date +%s%N)
  "$sluice" --port "$port" --data-dir "$work/data" --log-level warn &
  pid=$!
  until curl -sf "http://$target/_sluice/health" -o /dev/null; do sleep 0.005; done
  t1=$(date +%s%N)
}
start
q=$("$loadgen" create-queue --target "$target" --name startup-1m)
echo "filling $q with $messages messages..." >&2
"$loadgen" run --target "$target" --templates "$here/requests/js-v3-json" --queue-url "$q" \
  --scenario send-batch --connections 16 --count $((messages / 10)) --label fill |
  grep -E '^(RESULT|ERROR)' >&2
echo "depth before restart: $("$loadgen" depth --target "$target" --queue-url "$q")"
kill -TERM "$pid"; wait "$pid" || true
echo "data dir: $(du -sh "$work/data" | cut -f1)"
for i in $(seq 1 "$restarts"); do
  start
  ms=$(( (t1 - t0) / 1000000 ))
  echo "restart $i: ${ms} ms to the first answer, RSS $(awk '/^VmRSS/ {print $2}' /proc/$pid/status) kB, depth $("$loadgen" depth --target "$target" --queue-url "$q")"
  kill -TERM "$pid"; wait "$pid" || true
done
