#!/usr/bin/env bash
# A Kubernetes control plane on 127.0.0.1 for the end-to-end tests: etcd, kube-apiserver (RBAC,
# the default admission plugins including PodSecurity, service-account signing) and
# kube-controller-manager (all default controllers). No scheduler and no kubelet: Pods are created
# and admitted but stay Pending.
#
#   control-plane.sh up      start (idempotent; a crashed earlier run is cleaned up by PID)
#   control-plane.sh down    stop by PID, keep the data
#   control-plane.sh wipe    stop and delete etcd's data (a lost cluster)
#   control-plane.sh status  exit 0 when the API server is ready
#
# Prints the kubeconfig path on `up`. Binaries come from build.sh; state lives in
# $DP_TOOLCHAIN_HOME/cluster/$DP_CLUSTER (ports shift by DP_PORT_OFFSET for a second cluster).
set -euo pipefail
HOME_DIR=${DP_TOOLCHAIN_HOME:-$HOME/.cache/dataplatform/toolchain}
BIN=$HOME_DIR/bin
CLUSTER=${DP_CLUSTER:-e2e}
RUN=$HOME_DIR/cluster/$CLUSTER
PKI=$RUN/pki
OFFSET=${DP_PORT_OFFSET:-0}
ETCD_PORT=$((22379 + OFFSET)) PEER_PORT=$((22380 + OFFSET)) API_PORT=$((26443 + OFFSET)) KCM_PORT=$((26257 + OFFSET))
KUBECONFIG_FILE=$RUN/kubeconfig
SERVICE_RANGE=10.96.0.0/16
log() { echo "[control-plane $(date -u +%H:%M:%S)] $*" >&2; }

# ours NAME: the PID of our running NAME process, if its pidfile points at our binary
ours() {
  local p; p=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  [ -n "$p" ] && [ "$(readlink "/proc/$p/exe" 2>/dev/null | sed 's/ (deleted)$//')" = "$BIN/$1" ] && echo "$p"
}
stop() {
  local p; p=$(ours "$1") || { rm -f "$RUN/$1.pid"; return 0; }
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 60); do [ -d "/proc/$p" ] || break; sleep 0.25; done
  [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null || true
  rm -f "$RUN/$1.pid"
}
stop_all() { stop kube-controller-manager; stop kube-apiserver; stop etcd; }
curl_api() { curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT$1"; }
etcd_ok() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
api_ok() { curl_api /readyz >/dev/null; }
kcm_ok() { curl -skf --max-time 2 "https://127.0.0.1:$KCM_PORT/healthz" >/dev/null; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # what seconds check
  local what=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "timed out waiting for $what"; return 1; }
    sleep 0.5
  done
}
launch() { # NAME args...: its own session, so it outlives the caller's shell
  local name=$1; shift
  echo "==== $(date -u +%FT%TZ)" >> "$RUN/$name.log"
  setsid "$BIN/$name" "$@" >> "$RUN/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

make_pki() {
  [ -f "$PKI/.complete" ] && return
  log "creating certificates in $PKI"
  rm -rf "$PKI"; mkdir -p "$PKI"
  ( cd "$PKI"; umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=dataplatform-e2e-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    sign() { # name subject extensions
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      printf '%s\n' "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out "$1.crt" -extfile "$1.ext" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
    sign admin "/O=system:masters/CN=dataplatform-admin" "$client"
    sign kcm "/CN=system:kube-controller-manager" "$client"
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    touch .complete )
}

kubeconfig() { # user cert key
  cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: dataplatform-$CLUSTER
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: $1
  user:
    client-certificate-data: $(base64 -w0 < "$2")
    client-key-data: $(base64 -w0 < "$3")
contexts:
- name: dataplatform-$CLUSTER
  context: {cluster: dataplatform-$CLUSTER, user: $1}
current-context: dataplatform-$CLUSTER
EOF
}

up() {
  for b in etcd kube-apiserver kube-controller-manager; do
    [ -x "$BIN/$b" ] || { log "missing $BIN/$b: run tools/toolchain/build.sh first"; exit 1; }
  done
  mkdir -p "$RUN"; make_pki
  # Keep what is ours and healthy; restart the rest (a crashed run leaves stale pidfiles).
  if ours etcd >/dev/null && etcd_ok && ours kube-apiserver >/dev/null && api_ok && ours kube-controller-manager >/dev/null && kcm_ok; then
    log "already up"; echo "$KUBECONFIG_FILE"; return
  fi
  stop_all
  for p in $ETCD_PORT $PEER_PORT $API_PORT $KCM_PORT; do
    port_free "$p" || { log "127.0.0.1:$p is used by a process that is not this cluster's; set DP_PORT_OFFSET"; exit 1; }
  done
  mkdir -p "$RUN/etcd"; chmod 700 "$RUN/etcd"
  launch etcd --name e2e --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
    --initial-cluster "e2e=http://127.0.0.1:$PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 etcd_ok || { tail -20 "$RUN/etcd.log" >&2; exit 1; }
  launch kube-apiserver --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --service-cluster-ip-range=$SERVICE_RANGE --endpoint-reconciler-type=none \
    --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" --profiling=false --v=1
  wait_for kube-apiserver 180 api_ok || { tail -30 "$RUN/kube-apiserver.log" >&2; exit 1; }
  kubeconfig dataplatform-admin "$PKI/admin.crt" "$PKI/admin.key" > "$KUBECONFIG_FILE.tmp"; mv "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"
  kubeconfig system:kube-controller-manager "$PKI/kcm.crt" "$PKI/kcm.key" > "$RUN/kcm.kubeconfig"
  chmod 600 "$KUBECONFIG_FILE" "$RUN/kcm.kubeconfig"
  launch kube-controller-manager --kubeconfig="$RUN/kcm.kubeconfig" \
    --authentication-kubeconfig="$RUN/kcm.kubeconfig" --authorization-kubeconfig="$RUN/kcm.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false --controllers='*' \
    --use-service-account-credentials=true --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range=$SERVICE_RANGE --profiling=false --v=1
  wait_for kube-controller-manager 90 kcm_ok || { tail -30 "$RUN/kube-controller-manager.log" >&2; exit 1; }
  # The service-account controller makes default/default once the controllers run.
  wait_for "the default ServiceAccount" 60 curl_api /api/v1/namespaces/default/serviceaccounts/default \
    || { tail -30 "$RUN/kube-controller-manager.log" >&2; exit 1; }
  log "up: etcd $(ours etcd), kube-apiserver $(ours kube-apiserver), kube-controller-manager $(ours kube-controller-manager)"
  echo "$KUBECONFIG_FILE"
}

case ${1:-} in
  up) up ;;
  down) stop_all ;;
  wipe) stop_all; rm -rf "$RUN/etcd"; log "etcd data deleted" ;;
  status) api_ok ;;
  *) echo "usage: control-plane.sh up|down|wipe|status" >&2; exit 2 ;;
esac
