#!/usr/bin/env bash
# The main job: install, build, start chanjiaod on its embedded defaults
# (127.0.0.1:7411, ./chanjiao-data) and show it answering.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
log=$(mktemp)
build/chanjiaod 2>"$log" &
pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
cat "$log"
build/chanjiao info
echo "chanjiaod is running as pid $pid (log: $log); stop it with: kill $pid"
