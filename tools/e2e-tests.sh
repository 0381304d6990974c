#!/usr/bin/env bash
# npm run test:e2e: builds the toolchain if its cache is cold (tools/toolchain/build.sh, about 25 min
# on 2 cores; seconds when warm), starts the loopback control plane, and runs test/e2e with the real
# Pulumi engine against it, one stack after another. DP_E2E_STACKS=dev limits the stacks.
# Writes a TAP report to $JUNIT_DIR/e2e.tap when JUNIT_DIR is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/toolchain/build.sh >&2
bash tools/toolchain/control-plane.sh up >/dev/null
reporters=(--test-reporter=spec --test-reporter-destination=stdout)
[ -n "${JUNIT_DIR:-}" ] && reporters+=(--test-reporter=tap "--test-reporter-destination=$JUNIT_DIR/e2e.tap")
status=0
node --require ts-node/register/transpile-only --test --test-concurrency=1 "${reporters[@]}" test/e2e/*.e2e.ts || status=$?
# Each run uses its own namespaces; stopping the control plane keeps the next run's start clean.
bash tools/toolchain/control-plane.sh down
exit "$status"
