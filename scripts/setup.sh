#!/usr/bin/env bash
# Install what chanjiao needs to build and test, from Debian's packages.
# Runs apt only when something is missing, so it is cheap to call often.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libevent-dev libmsgpack-dev
      liblmdb-dev libinih-dev libssl-dev libcsv-dev libuchardet-dev libglpk-dev python3 python3-msgpack
      python3-pytest glpk-utils liblemon-dev g++ coinor-libcbc-dev
      libxlsxwriter-dev python3-openpyxl clang libjansson-dev libjs-chart.js
      chromium chromium-driver python3-selenium fonts-noto-cjk)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
