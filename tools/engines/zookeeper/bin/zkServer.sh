#!/bin/bash
# Stands in for the zookeeper image's zkServer.sh in the engine tests: `start-foreground [CONFIG]`
# runs the quorum peer with the image's heap (ZK_SERVER_HEAP, MiB), log directory and config dir.
[ "${1:-}" = start-foreground ] || { echo "zkServer.sh (engine tests): only start-foreground is provided" >&2; exit 2; }
config=${2:-${ZOOCFGDIR:-/conf}/zoo.cfg}
lib=$(dirname "$0")/../lib
exec java -Xmx${ZK_SERVER_HEAP:-1000}m -Dzookeeper.log.dir=${ZOO_LOG_DIR:-/logs} -Dzookeeper.root.logger=INFO,CONSOLE \
  -cp "$lib/*:${ZOOCFGDIR:-/conf}" org.apache.zookeeper.server.quorum.QuorumPeerMain "$config"
