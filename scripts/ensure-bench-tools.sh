#!/usr/bin/env bash
# Installs what `make bench` needs and Python's pip cannot: Debian's wrk (the HTTP load
# client of the benchmarks). Idempotent; does nothing when it is already there.
set -euo pipefail
command -v wrk >/dev/null && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing wrk (benchmarks)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wrk >/dev/null
else
  echo "The benchmarks need wrk. Install it with: sudo apt-get install -y wrk" >&2
  exit 1
fi
