#!/usr/bin/env bash
# Builds the end-to-end toolchain from Go modules: kube-apiserver and kube-controller-manager,
# etcd, the Pulumi CLI and the kubernetes provider, each from its wrapper module beside this
# script. Binaries go to $DP_TOOLCHAIN_HOME/bin (default ~/.cache/dataplatform/toolchain), each
# stamped with its version and a digest of its wrapper, so a warm run only checks stamps.
# Usage: build.sh [part ...]   parts: k8s etcd pulumi provider helm crds (default: all but helm,
# which only the engine tests use to render the vendor charts). `crds` fetches the CSI snapshot CRDs
# (snapshot.storage.k8s.io/v1) from the external-snapshotter client module, and cert-manager's CRDs
# (cert-manager.io/v1) from its module, and the Prometheus Operator's PodMonitor and PrometheusRule
# CRDs (monitoring.coreos.com/v1) from its module, into $DP_TOOLCHAIN_HOME/crds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
HOME_DIR=${DP_TOOLCHAIN_HOME:-$HOME/.cache/dataplatform/toolchain}
BIN=$HOME_DIR/bin
mkdir -p "$BIN" "$HOME_DIR/src" "$HOME_DIR/logs"
# One build at a time per toolchain home: .ci/run starts one early, and the suites' own calls wait for it.
exec 9>"$HOME_DIR/.build.lock"
flock 9
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"
command -v go >/dev/null || { echo "build.sh: Go 1.26 or newer is needed on PATH" >&2; exit 1; }
command -v jq >/dev/null || { echo "build.sh: jq is needed on PATH" >&2; exit 1; }
log() { echo "[toolchain $(date -u +%H:%M:%S)] $*" >&2; }

# version_of WRAPPER MODULE: the version the wrapper's go.mod requires
version_of() { (cd "$HERE/$1" && go list -m -f '{{.Version}}' "$2"); }
stamp_of() { # part version: what a binary built from this wrapper is stamped with
  echo "$2 $(cat "$HERE/$1"/go.mod "$HERE/$1"/go.sum $(find "$HERE/$1" -name '*.go' | sort) | sha256sum | cut -c1-16)"
}
fresh() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/.$1.stamp" 2>/dev/null)" = "$2" ]; }
gobuild() { # name stamp dir ldflags tags package
  local name=$1 stamp=$2 dir=$3 ld=$4 tags=$5 pkg=$6 t
  if fresh "$name" "$stamp"; then log "$name up to date ($stamp)"; return; fi
  t=$(date +%s); log "building $name ($stamp)"
  (cd "$dir" && go build -trimpath -tags "$tags" -ldflags "-s -w $ld" -o "$BIN/$name.tmp" "$pkg")
  mv "$BIN/$name.tmp" "$BIN/$name"; echo "$stamp" > "$BIN/.$name.stamp"
  log "built $name in $(( $(date +%s) - t ))s"
  echo "$name $stamp $(( $(date +%s) - t ))s $(date -u +%FT%TZ)" >> "$HOME_DIR/logs/build-times.txt"
}

build_k8s() {
  local v ld p commit; v=$(version_of k8s k8s.io/kubernetes)
  commit=$(cd "$HERE/k8s" && go mod download -json "k8s.io/kubernetes@$v" | jq -r '.Origin.Hash // "unknown"')
  # The binary derives its emulation version from gitVersion, so it must be the real one.
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="${ld:-} -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$(echo "$v" | cut -d. -f2)"
    ld="$ld -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for c in kube-apiserver kube-controller-manager; do
    gobuild "$c" "$(stamp_of k8s "$v")" "$HERE/k8s" "$ld" "" "k8s.io/kubernetes/cmd/$c"
  done
}
build_etcd() {
  local v; v=$(version_of etcd go.etcd.io/etcd/server/v3)
  gobuild etcd "$(stamp_of etcd "$v")" "$HERE/etcd" "" "" go.etcd.io/etcd/server/v3
}
build_pulumi() {
  local v; v=$(version_of pulumi github.com/pulumi/pulumi/pkg/v3)
  gobuild pulumi "$(stamp_of pulumi "$v")" "$HERE/pulumi" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v" osusergo,grpcnotrace \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}
build_helm() {
  local v; v=$(version_of helm helm.sh/helm/v3)
  gobuild helm "$(stamp_of helm "$v")" "$HERE/helm" "-X helm.sh/helm/v3/internal/version.version=$v" "" helm.sh/helm/v3/cmd/helm
}
build_provider() {
  local v=4.25.0 stamp src mod
  stamp=$(stamp_of provider "$v")
  fresh pulumi-resource-kubernetes "$stamp" && { log "pulumi-resource-kubernetes up to date ($stamp)"; return; }
  # The upstream main package embeds files that go generate makes from the module's committed JSON.
  src=$HOME_DIR/src/provider; rm -rf "$src"; cp -r "$HERE/provider" "$src"
  # `go mod download -json` fetches the module first: on a cold cache `go list -m` has no Dir yet.
  mod=$(cd "$src" && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 | jq -r '.Dir // empty')
  [ -n "$mod" ] || { log "cannot download github.com/pulumi/pulumi-kubernetes/provider/v4"; exit 1; }
  mod=$mod/cmd/pulumi-resource-kubernetes
  jq -c --arg v "$v" '.version=$v' "$mod/schema.json" > "$src/cmd/pulumi-resource-kubernetes/schema-embed.json"
  jq -c . "$mod/terraform-mapping.json" > "$src/cmd/pulumi-resource-kubernetes/terraform-mapping-embed.json"
  gobuild pulumi-resource-kubernetes "$stamp" "$src" \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$v" "" ./cmd/pulumi-resource-kubernetes
}

# The CSI snapshot CRDs as the snapshot controller's project publishes them, checked by Go's sum database.
SNAPSHOT_CRDS=v8.2.0
CERT_MANAGER_CRDS=v1.19.1
# The newest prometheus-operator the Go module proxy serves whole (later tags are refused).
PROMETHEUS_OPERATOR_CRDS=v0.85.0
# fetch_crds NAME VERSION MODULE FILES...: a module's CRD files (paths inside it, globs allowed) into
# crds/NAME-VERSION, once: the module comes from the Go module proxy, checked by Go's sum database.
fetch_crds() {
  local name=$1 version=$2 module=$3 dest=$HOME_DIR/crds/$1-$2 dir f
  # Beside the directory, not in it: the e2e harness installs every file there.
  local done=$HOME_DIR/crds/.$1-$2.complete
  shift 3
  if [ -f "$done" ] && [ -d "$dest" ]; then log "$name CRDs up to date ($version)"; return; fi
  dir=$(cd "$HOME_DIR/src" && GOFLAGS= go mod download -json "$module@$version" | jq -r '.Dir // empty')
  [ -n "$dir" ] || { log "cannot download the module $module@$version"; exit 1; }
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  for f in "$@"; do cp "$dir"/$f "$dest.tmp/"; done
  rm -rf "$dest" && mv "$dest.tmp" "$dest" && touch "$done"
  log "$name CRDs $version in $dest"
}
build_crds() {
  fetch_crds snapshot "$SNAPSHOT_CRDS" github.com/kubernetes-csi/external-snapshotter/client/v8 'config/crd/snapshot.storage.k8s.io_*.yaml'
  # cert-manager's own CRDs (the kinds the program's Certificates and a CA issuer use), as its release installs them.
  fetch_crds cert-manager "$CERT_MANAGER_CRDS" github.com/cert-manager/cert-manager 'deploy/crds/cert-manager.io_*.yaml'
  # The Prometheus Operator's PodMonitor and PrometheusRule CRDs (what monitoring.prometheusOperator makes).
  fetch_crds prometheus-operator "$PROMETHEUS_OPERATOR_CRDS" github.com/prometheus-operator/prometheus-operator \
    example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml
}

parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(k8s etcd pulumi provider crds)
for part in "${parts[@]}"; do
  case $part in
    k8s|etcd|pulumi|provider|helm|crds) "build_$part" ;;
    *) echo "build.sh: unknown part '$part' (allowed: k8s etcd pulumi provider helm crds)" >&2; exit 2 ;;
  esac
done
echo "$BIN"
