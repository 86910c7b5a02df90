#!/usr/bin/env bash
# Installs what Sluice needs to build and test on Debian 12 (bookworm): the Debian
# packages below and the pinned npm packages of the JS end-to-end tests. Idempotent:
# packages already present are not reinstalled. Run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: compiler, CMake/Ninja, ccache, Boost 1.81 (Beast), nlohmann/json, spdlog,
# SQLite, OpenSSL, GoogleTest. Test clients: Debian's boto3 1.26 and awscli (SQS over
# AWS Query), Node.js and npm for the AWS SDK for JavaScript v3; clang for the libFuzzer
# targets (tests/fuzz).
build_packages=(g++ cmake ninja-build ccache pkg-config libboost1.81-dev nlohmann-json3-dev
  libspdlog-dev libsqlite3-dev libssl-dev libgtest-dev libgmock-dev)
test_packages=(python3 python3-boto3 awscli curl nodejs npm clang libclang-rt-14-dev)

# The container test (ctest label `container`) builds the image with podman.
container_packages=(podman buildah runc debootstrap)

want=("${build_packages[@]}")
if [[ "${SLUICE_SETUP_TESTS:-1}" == 1 ]]; then want+=("${test_packages[@]}"); fi
if [[ "${SLUICE_SETUP_CONTAINER:-0}" == 1 ]]; then want+=("${container_packages[@]}"); fi

missing=()
for p in "${want[@]}"; do
  # node/npm may come from outside Debian (e.g. an image's own Node.js): accept them.
  if [[ "$p" == nodejs && -x "$(command -v node || true)" ]]; then continue; fi
  if [[ "$p" == npm && -x "$(command -v npm || true)" ]]; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

if [[ "${SLUICE_SETUP_TESTS:-1}" == 1 ]]; then
  # The JS SDK v3 packages, pinned by tests/e2e/js/package-lock.json.
  if [[ ! -d tests/e2e/js/node_modules/@aws-sdk/client-sqs ]] ||
     [[ tests/e2e/js/package-lock.json -nt tests/e2e/js/node_modules/.package-lock.json ]]; then
    echo "setup: npm ci in tests/e2e/js"
    (cd tests/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "setup: done"
