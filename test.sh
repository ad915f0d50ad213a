#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configure, build and run every test: ./test.sh [PRESET] [ctest options]
#   ./test.sh                  the ci preset (-Werror, RelWithDebInfo)
#   ./test.sh dev -L unit      unit tests under ASan/UBSan
# Presets are in CMakePresets.json; the build goes to build/<preset>.
set -euo pipefail
cd "$(dirname "$0")"

preset=ci
if [[ $# -gt 0 && $1 != -* ]]; then
	preset=$1
	shift
fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j "$(nproc)" "$@"
