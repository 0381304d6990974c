#!/usr/bin/env bash
# build.sh: statsd_exporter (the exporter Airflow's metrics go through) for the Airflow metrics test,
# built from the Go module proxy into $DP_ENGINES_HOME/statsd-exporter-<version>/bin (default
# ~/.cache/dataplatform/engines), at the release the platform's image pins
# (components/airflow/config.ts). Prints that directory. Warm: no network, instant.
set -euo pipefail
CACHE=${DP_ENGINES_HOME:-$HOME/.cache/dataplatform/engines}
HERE=$(cd "$(dirname "$0")" && pwd)
# The version is the pinned image's tag: one place to change.
version=$(grep -o 'statsd-exporter:v[0-9.]*' "$HERE/../../../components/airflow/config.ts" | head -1 | cut -d: -f2)
[ -n "$version" ] || { echo "statsd-exporter/build.sh: no statsd-exporter image tag in components/airflow/config.ts" >&2; exit 1; }
command -v go >/dev/null || { echo "statsd-exporter/build.sh: Go 1.25 or newer is needed on PATH" >&2; exit 1; }
dir=$CACHE/statsd-exporter-$version
if [ ! -f "$dir/.complete" ]; then
  t=$(date +%s)
  rm -rf "$dir"; mkdir -p "$dir/bin"
  GOBIN="$dir/bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "github.com/prometheus/statsd_exporter@$version" >&2
  touch "$dir/.complete"
  echo "[engines] built statsd_exporter $version in $(( $(date +%s) - t ))s" >&2
fi
echo "$dir"
