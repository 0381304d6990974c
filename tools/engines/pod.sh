#!/usr/bin/env bash
# A pod without a container runtime, for the engine tests (needs root): the container's command runs
# with the container's own paths, user, environment and hostname, in a network namespace of its own
# on a bridge, with its own hostname, over a copy-on-write view of this machine's root (the "image": the host's JDK and
# shell, plus the engine's files bound where the official image keeps them).
#
#   pod.sh net-up                          the bridge dp-br0 (10.244.0.1/16), idempotent
#   pod.sh net-down                        removes every pod namespace and the bridge
#   pod.sh net-add NAME IP                 pod NAME's network namespace at IP (replacing a leftover one)
#   pod.sh net-rm NAME                     removes pod NAME's namespace
#   pod.sh exec PID DIR UID PATH COMMAND...   a command in running pod PID (an exec probe)
#   pod.sh run NAME IP DIR UID HOSTS -- MOUNTS... -- ENV... -- COMMAND...
#       NAME      namespace and hostname (the pod's name): every container of a pod joins the network
#                 net-add made for it, as a pod's containers share one
#       IP        its address on the bridge (10.244.x.y)
#       DIR       a work directory for the root's writable layer
#       UID       the user (and group) the command runs as
#       HOSTS     a hosts file to serve as the pod's /etc/hosts (cluster DNS stand-in), read live: its
#                 directory is bound into the pod and /etc/hosts links to it, so names added
#                 after the pod started resolve, as cluster DNS answers for pods started later
#       MOUNTS    SOURCE:TARGET[:ro], bound in order (volumes and the image's engine files)
#       ENV       NAME=VALUE, the whole environment besides HOSTNAME and PATH
# DP_POD_USER names UID as the image's /etc/passwd does. The root is read-only unless DP_POD_WRITABLE_ROOT=1, as readOnlyRootFilesystem makes it; only
# the mounts are writable. The process replaces this script, so its PID is the pod's.
set -euo pipefail
BRIDGE=dp-br0
GATEWAY=10.244.0.1

net_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$GATEWAY/16" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

net_down() {
  for ns in $(ip netns list | awk '/^dp-/ {print $1}'); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns delete "$ns"
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE" || true
}

# Removes pod NAME's namespace (its address goes with it, so a later pod may take it).
net_rm() {
  local ns=dp-$1 veth
  veth=dpv$(printf '%s' "$1" | sha256sum | cut -c1-8)
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  ip link delete "$veth" 2>/dev/null || true
}

# The namespace of pod NAME at IP, replacing a leftover one of the same name.
pod_net() {
  local name=$1 ip=$2 ns=dp-$1 veth
  veth=dpv$(printf '%s' "$name" | sha256sum | cut -c1-8)
  ip netns delete "$ns" 2>/dev/null || true
  ip link delete "$veth" 2>/dev/null || true
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" addr add "$ip/16" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" route add default via "$GATEWAY"
}

run() {
  local name=$1 ip=$2 dir=$3 uid=$4 hosts=$5; shift 5
  [ "${1:-}" = "--" ] || { echo "pod.sh run: expected -- before the mounts" >&2; exit 2; }; shift
  local mounts=() env=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do mounts+=("$1"); shift; done; shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do env+=("$1"); shift; done; shift
  [ $# -gt 0 ] || { echo "pod.sh run: no command" >&2; exit 2; }
  ip netns list | grep -qx "dp-$name\( .*\)\?" || { echo "pod.sh run: no network for pod $name ($ip): run pod.sh net-add first" >&2; exit 1; }
  rm -rf "$dir/upper" "$dir/work"; mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  exec ip netns exec "dp-$name" unshare --uts bash -c '
    set -euo pipefail
    dir=$1 uid=$2 hosts=$3 name=$4 nmounts=$5; shift 5
    root=$dir/root
    mount --make-rprivate /
    hostname "$name"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" "$root"
    for m in proc dev sys; do mount --rbind "/$m" "$root/$m"; done
    mkdir -p "$root/run/dp-dns"
    mount --bind "$(dirname "$hosts")" "$root/run/dp-dns"
    ln -sfn "/run/dp-dns/$(basename "$hosts")" "$root/etc/hosts"
    # The image'"'"'s name for the user (DP_POD_USER), as its /etc/passwd has it: daemons that name their superuser after it (the NameNode) see the image'"'"'s.
    if [ -n "${DP_POD_USER:-}" ]; then
      grep -v "^[^:]*:[^:]*:$uid:" /etc/passwd > "$root/etc/passwd"
      echo "$DP_POD_USER:x:$uid:$uid::/tmp:/bin/bash" >> "$root/etc/passwd"
    fi
    printf "%s\n" "$name" > "$root/etc/hostname"
    # A mount target with its symlinks resolved inside the root, as a container runtime resolves it
    # (the image'"'"'s /var/run -> /run must not lead out to this machine'"'"'s /run).
    in_root() {
      local out="" part link i=0
      local -a parts lp
      IFS=/ read -ra parts <<< "${1#/}"
      while [ "$i" -lt "${#parts[@]}" ]; do
        part=${parts[$i]}; i=$((i + 1))
        case $part in ""|.) continue ;; ..) out=${out%/*}; continue ;; esac
        if [ -L "$root$out/$part" ]; then
          link=$(readlink "$root$out/$part")
          case $link in /*) out="" ;; esac
          IFS=/ read -ra lp <<< "${link#/}"
          parts=("${lp[@]}" "${parts[@]:$i}"); i=0
        else
          out=$out/$part
        fi
      done
      printf "%s" "${out:-/}"
    }
    readonly=()
    for ((i = 0; i < nmounts; i++)); do
      IFS=: read -r src target mode <<< "$1"; shift
      target=$(in_root "$target")
      if [ -d "$src" ]; then mkdir -p "$root$target"; else mkdir -p "$(dirname "$root$target")"; touch "$root$target"; fi
      mount --bind "$src" "$root$target"
      [ "$mode" = ro ] && readonly+=("$root$target")
    done
    # Read-only once all are bound: a mount may sit inside another (a catalog dir in a config dir).
    for target in "${readonly[@]}"; do mount -o remount,bind,ro "$target"; done
    [ "${DP_POD_WRITABLE_ROOT:-}" = 1 ] || mount -o remount,ro "$root"
    exec chroot "$root" setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all \
      env -i HOSTNAME="$name" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' pod "$dir" "$uid" "$hosts" "$name" "${#mounts[@]}" "${mounts[@]}" "${env[@]}" "$@"
}

# A probe's or a tool's command inside a running pod: its namespaces, root and user.
exec_in() {
  local pid=$1 dir=$2 uid=$3 path=$4; shift 4
  exec nsenter -t "$pid" -m -n -u chroot "$dir/root" setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all \
    env -i HOSTNAME="$(cat "/proc/$pid/root/etc/hostname" 2>/dev/null || hostname)" PATH="$path" "$@"
}

case ${1:-} in
  net-up) net_up ;;
  net-down) net_down ;;
  net-add)
    ip link show "$BRIDGE" >/dev/null 2>&1 || { echo "pod.sh net-add: no bridge $BRIDGE: run pod.sh net-up first" >&2; exit 1; }
    pod_net "$2" "$3" ;;
  net-rm) net_rm "$2" ;;
  run) shift; run "$@" ;;
  exec) shift; exec_in "$@" ;;
  *) echo "usage: pod.sh net-up | net-down | net-add NAME IP | net-rm NAME | run NAME IP DIR UID HOSTS -- MOUNTS... -- ENV... -- COMMAND... | exec PID DIR UID PATH COMMAND..." >&2; exit 2 ;;
esac
