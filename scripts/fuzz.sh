#!/usr/bin/env bash
# Build the libFuzzer targets of tests/fuzz with clang (build-fuzz/) and run
# each for SECONDS (default 60), one after the other.
#
#   scripts/fuzz.sh [SECONDS]
#
# scripts/test.sh (CI) runs it with 20 s a target (FUZZ_SECONDS); that
# catches what a change breaks in the parsers' first layers.  The long run
# goes deeper: an hour a target before a release, or overnight after
# touching proto/, model/schema.c or config/:
#
#   scripts/fuzz.sh 3600
#   nohup scripts/fuzz.sh 28800 >fuzz.log 2>&1 &
#
# Inputs worth keeping (new coverage, or a fixed crash) go into
# tests/fuzz/corpus/<target>/ by hand; tests/fuzz/make_corpus.py remakes
# the seeds.
# Each target starts from a scratch copy of its committed seed corpus
# (build-fuzz/corpus-<target>, remade every run; tests/fuzz/corpus is never
# written) with tests/fuzz/msgpack.dict.  A crash, leak, timeout or OOM
# leaves its input in build-fuzz/artifacts-<target>/ and the whole log in
# build-fuzz/fuzz-<target>.log; reproduce with
#   build-fuzz/tests/fuzz/<target> <artifact>
# Prints the execs and the verdict of every target; exits 1 if any found
# something.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
fi

scripts/setup.sh                     # installs clang with the rest
cc=$(command -v clang || command -v clang-14)

targets=(fuzz_frame fuzz_schema fuzz_config)
CC=$cc cmake -S . -B build-fuzz -DCJ_FUZZ=ON -DCJ_SANITIZE=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=0
summary=()
for t in "${targets[@]}"; do
  work=build-fuzz/corpus-$t
  art=build-fuzz/artifacts-$t
  log=build-fuzz/fuzz-$t.log
  rm -rf "$work" "$art"
  mkdir -p "$work" "$art"
  cp tests/fuzz/corpus/"$t"/* "$work"/
  echo "fuzz: $t for ${secs}s"
  rc=0
  build-fuzz/tests/fuzz/"$t" -max_total_time="$secs" -max_len=65536 \
    -timeout=10 -dict=tests/fuzz/msgpack.dict -print_final_stats=1 \
    -artifact_prefix="$art"/ "$work" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  found=$(find "$art" -type f | sort)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    failed=1
    line="$t: ${execs:-?} execs, CRASH (exit $rc)"
    for f in $found; do line+=" $f"; done
    grep -m1 -E 'ERROR: |runtime error|invariant failed' "$log" || true
  else
    line="$t: ${execs:-?} execs, no crash"
  fi
  echo "$line"
  summary+=("$line")
done

echo "fuzz summary (${secs}s each):"
printf '  %s\n' "${summary[@]}"
exit "$failed"
