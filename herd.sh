#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build herd and run the launcher in one step: ./herd.sh up [herd up options]
# Installs the Debian build dependencies first when some are missing (with
# sudo unless root), builds the release preset into build/release, then
# runs build/release/herd with the given arguments.  Build output goes to
# stderr, so `eval "$(./herd.sh up)"` works too.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)

if ! "$src/.ci/deps" --check; then
	"$src/.ci/deps" >&2
fi
if [[ ! -f $src/build/release/build.ninja ]]; then
	(cd "$src" && cmake --preset release) >&2
fi
(cd "$src" && cmake --build --preset release) >&2
exec "$src/build/release/herd" "$@"
