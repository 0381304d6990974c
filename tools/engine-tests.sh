#!/usr/bin/env bash
# npm run test:engines: the engines run the configuration the program renders (test/engines). Each
# suite fetches its engine from Maven Central into ~/.cache/dataplatform/engines once, and starts
# its pods with tools/engines/pod.sh (network and mount namespaces: needs root).
# DP_ENGINE_STACKS=dev limits the stacks; DP_ENGINE_SUITES=kafka limits the suites.
# Writes a TAP report to $JUNIT_DIR/engines.tap when JUNIT_DIR is set.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test:engines: the pods need network and mount namespaces: run as root" >&2; exit 1; }
# Helm renders the vendor charts as the provider does (built from Go modules once, like the e2e toolchain).
bash tools/toolchain/build.sh helm k8s etcd >&2
suites=()
for s in ${DP_ENGINE_SUITES:-zookeeper kafka trino minio hadoop hive-metastore}; do suites+=("test/engines/$s.engine.ts"); done
reporters=(--test-reporter=spec --test-reporter-destination=stdout)
[ -n "${JUNIT_DIR:-}" ] && reporters+=(--test-reporter=tap "--test-reporter-destination=$JUNIT_DIR/engines.tap")
status=0
node --require ts-node/register/transpile-only --test --test-concurrency=1 "${reporters[@]}" "${suites[@]}" || status=$?
bash tools/engines/pod.sh net-down
# The API server the health checks go through (test/engines/api-server.ts).
DP_CLUSTER=engines bash tools/toolchain/control-plane.sh down
exit "$status"
