#!/usr/bin/env bash
# mariadb.sh: a MySQL-compatible server for the engine tests, from Debian's packages (the MySQL image
# itself cannot be pulled here): the packages are downloaded and unpacked, not installed, into
# $DP_ENGINES_HOME/mariadb-<Debian version>; prints that directory (its usr/ is the server's tree).
set -euo pipefail
CACHE=${DP_ENGINES_HOME:-$HOME/.cache/dataplatform/engines}
# Debian's current build of its MariaDB (10.11 in bookworm): the security archive keeps only the newest.
candidate() { apt-cache policy mariadb-server-core 2>/dev/null | awk '/Candidate:/ {print $2}'; }
VERSION=$(candidate)
if [ -z "$VERSION" ] || [ "$VERSION" = "(none)" ]; then apt-get update -qq >&2; VERSION=$(candidate); fi
[ -n "$VERSION" ] && [ "$VERSION" != "(none)" ] || { echo "mariadb.sh: Debian's mariadb-server-core is not available from apt" >&2; exit 1; }
dir=$CACHE/mariadb-${VERSION#*:}
if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"; mkdir -p "$dir/debs"
  # The server, its client tools (mysqladmin, the probe's command) and the libraries this machine lacks.
  (cd "$dir/debs" && apt-get download -q "mariadb-server-core=$VERSION" "mariadb-client-core=$VERSION" "mariadb-client=$VERSION" libaio1 liburing2 >&2)
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir"; done
  rm -rf "$dir/debs"
  touch "$dir/.complete"
fi
echo "$dir"
