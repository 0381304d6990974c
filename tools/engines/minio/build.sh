#!/usr/bin/env bash
# build.sh: MinIO's server and client (mc) for the engine tests, built from the Go module proxy into
# $DP_ENGINES_HOME/minio-<versions>/bin (default ~/.cache/dataplatform/engines), and prints that
# directory. The proxy serves no RELEASE.* tag (not semantic versions): the pins are the commits the
# proxy resolves as pseudo-versions, the newest it serves of each. Warm: no network, instant.
set -euo pipefail
CACHE=${DP_ENGINES_HOME:-$HOME/.cache/dataplatform/engines}
MINIO=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
MC=github.com/minio/mc@v0.0.0-20250313080218-cf909e1063a9
command -v go >/dev/null || { echo "minio/build.sh: Go 1.24 or newer is needed on PATH" >&2; exit 1; }
dir=$CACHE/minio-$(printf '%s\n%s\n' "$MINIO" "$MC" | sha256sum | cut -c1-16)
# One build at a time: .ci/run starts one early, and the MinIO suite's call waits for it.
mkdir -p "$CACHE"
exec 9>"$CACHE/.minio-build.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  t=$(date +%s)
  rm -rf "$dir"; mkdir -p "$dir/bin"
  for module in "$MINIO" "$MC"; do
    GOBIN="$dir/bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "$module" >&2
  done
  printf '%s\n%s\n' "$MINIO" "$MC" > "$dir/VERSIONS"
  touch "$dir/.complete"
  echo "[engines] built minio and mc in $(( $(date +%s) - t ))s" >&2
fi
echo "$dir"
