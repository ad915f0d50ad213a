#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configure, build and run every test: ./test.sh [PRESET] [ctest options]
#   ./test.sh                  the ci preset (-Werror, RelWithDebInfo)
#   ./test.sh dev -L unit      unit tests under ASan/UBSan
#   ./test.sh ci -L docker     the docker end-to-end test (tests/docker/e2e.sh)
# Presets are in CMakePresets.json; the build goes to build/<preset>.
set -euo pipefail
cd "$(dirname "$0")"

preset=ci
if [[ $# -gt 0 && $1 != -* ]]; then
	preset=$1
	shift
fi
# The docker end-to-end test (label docker) builds images and runs a
# container cluster: only when asked for, e.g. ./test.sh ci -L docker
select=(-LE docker)
for a in "$@"; do
	case $a in
	-L | -LE | -R | -E | --label-regex | --label-exclude | --tests-regex | --exclude-regex) select=() ;;
	esac
done
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j "$(nproc)" "${select[@]}" "$@"
