#!/usr/bin/env bash
# The libFuzzer targets, for ctest (label fuzz) and by hand:
#   tests/fuzz/run.sh build BUILD_DIR              configure (clang++) and build them
#   tests/fuzz/run.sh run BUILD_DIR TARGET SECONDS run one over its seed corpus
# A run starts from tests/fuzz/corpus/TARGET (read-only) and a scratch corpus, and fails
# on the first crash, leak, timeout (10 s) or sanitizer report, printing the input (its
# Base64 is in the log). Keep such an input as corpus/TARGET/regression-NAME and add a
# unit test for it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?build or run}
dir=${2:?build directory}
case $cmd in
  build)
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="${CXX:-clang++}" "${launcher[@]}" >/dev/null
    cmake --build "$dir"
    ;;
  run)
    target=${3:?target} seconds=${4:-15}
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir "$work/corpus"
    cd "$work"
    "$dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 "$work/corpus" "$here/corpus/$target"
    ;;
  *) echo "usage: $0 build DIR | run DIR TARGET SECONDS" >&2; exit 2 ;;
esac
