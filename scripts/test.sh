#!/usr/bin/env bash
# The whole test suite: a Release build that must be warning-free (what a
# packager builds), unit tests in a plain -Werror build, then unit and
# end-to-end tests against an ASan/UBSan build of the daemon with failure
# injection compiled in (CJ_FAULTS, store/fault.h), then each libFuzzer
# target for a short fixed budget (FUZZ_SECONDS, default 20; 0 skips;
# scripts/fuzz.sh runs them for longer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCJ_WERROR=ON >/dev/null
cmake --build build-release -j"$jobs"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCJ_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCJ_SANITIZE=ON -DCJ_WERROR=ON \
    -DCJ_FAULTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build && ctest --output-on-failure -E '^e2e$')
(cd build-asan && ctest --output-on-failure)
fuzz=${FUZZ_SECONDS:-20}
if [ "$fuzz" != 0 ]; then
  scripts/fuzz.sh "$fuzz"
fi
