#!/usr/bin/env bash
# The main job: install what is needed, build, start chanjiaod on its
# embedded defaults (127.0.0.1:7411, data in ./chanjiao-data), import the
# Jinhua fair of examples/jinhua-fair/ and print the organizer's report.
#
#   scripts/run.sh                 # the whole job; the daemon stops at the end
#   KEEP=1 scripts/run.sh          # leave the daemon running to explore
#   LISTEN=127.0.0.1:0 DATA=/tmp/x scripts/run.sh   # elsewhere (tests do)
#
# A daemon already answering on LISTEN is used as it is (and left running).
set -euo pipefail
cd "$(dirname "$0")/.."
LISTEN=${LISTEN:-127.0.0.1:7411}
DATA=${DATA:-./chanjiao-data}
FAIR=${FAIR:-JHJS-2026-05}

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target chanjiaod chanjiao >/dev/null

pid=
log=$(mktemp)
cleanup() {
  if [ -n "$pid" ] && [ -z "${KEEP:-}" ]; then
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT

host=$LISTEN
if [ "${LISTEN##*:}" = 0 ] || ! build/chanjiao --host "$LISTEN" ping >/dev/null 2>&1; then
  build/chanjiaod --listen "$LISTEN" --data "$DATA" 2>"$log" &
  pid=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  host=$(sed -n 's/^chanjiaod: listening on \([^ ]*\).*/\1/p' "$log" | head -1)
  echo "chanjiaod started on $host (data in $DATA)"
else
  echo "using the chanjiaod already running on $host"
fi

build/chanjiao --host "$host" import examples/jinhua-fair
echo
build/chanjiao --host "$host" fair report "$FAIR"
if [ -n "$pid" ] && [ -n "${KEEP:-}" ]; then
  echo
  echo "chanjiaod keeps running as pid $pid on $host; stop it with: kill $pid"
fi
