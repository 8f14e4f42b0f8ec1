#!/usr/bin/env bash
# The main job: install what is needed, build, start chanjiaod on its
# embedded defaults (127.0.0.1:7411, the web console on 127.0.0.1:7412,
# data in ./chanjiao-data), import the Jinhua fair of examples/jinhua-fair/,
# print the organizer's report, and end with the fair's page in the web
# console; the daemon keeps running so that the page opens.
#
#   scripts/run.sh                 # the whole job; the daemon keeps running
#   STOP=1 scripts/run.sh          # stop the daemon at the end
#   LISTEN=127.0.0.1:0 HTTP=127.0.0.1:0 DATA=/tmp/x scripts/run.sh   # elsewhere
#
# A daemon already answering on LISTEN is used as it is (and left running).
set -euo pipefail
cd "$(dirname "$0")/.."
LISTEN=${LISTEN:-127.0.0.1:7411}
HTTP=${HTTP:-127.0.0.1:7412}
DATA=${DATA:-./chanjiao-data}
FAIR=${FAIR:-JHJS-2026-05}

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target chanjiaod chanjiao >/dev/null

pid=
log=
cleanup() {
  if [ -n "$pid" ] && [ -n "${STOP:-}" ]; then
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

host=$LISTEN
web=$HTTP
if [ "${LISTEN##*:}" = 0 ] || ! build/chanjiao --host "$LISTEN" ping >/dev/null 2>&1; then
  # the daemon's log goes on to the file after this script ends
  mkdir -p "$DATA"
  log=$DATA/chanjiaod.log
  nohup build/chanjiaod --listen "$LISTEN" --http "$HTTP" --data "$DATA" \
    2>"$log" </dev/null >/dev/null &
  pid=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  host=$(sed -n 's/^chanjiaod: listening on \([^ ]*\).*/\1/p' "$log" | head -1)
  web=$(sed -n 's/^chanjiaod: http on \([^ ]*\).*/\1/p' "$log" | head -1)
  echo "chanjiaod started on $host (data and log in $DATA)"
else
  echo "using the chanjiaod already running on $host"
fi

build/chanjiao --host "$host" import examples/jinhua-fair
echo
build/chanjiao --host "$host" fair report "$FAIR"
echo
if [ -n "$pid" ] && [ -z "${STOP:-}" ]; then
  echo "chanjiaod keeps running as pid $pid on $host; stop it with: kill $pid"
fi
if [ -z "$web" ]; then
  echo "web console: off (127.0.0.1:7412 is taken; see $log)"
elif [ -n "$pid" ] && [ -n "${STOP:-}" ]; then
  echo "web console (while chanjiaod runs): http://$web/fair/$FAIR"
else
  echo "打开网页控制台 / open the web console: http://$web/fair/$FAIR"
fi
