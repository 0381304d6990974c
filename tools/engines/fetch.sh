#!/usr/bin/env bash
# fetch.sh ENGINE: resolves the engine's artifacts from Maven Central (tools/engines/ENGINE/pom.xml,
# transitive dependencies included) into $DP_ENGINES_HOME (default ~/.cache/dataplatform/engines),
# keyed by the pom's digest, and prints the directory: lib/ holds the jars, and any .tar.gz artifact
# is unpacked beside it. Warm: no network, well under a second.
#   fetch.sh NAME POM   the direct dependencies of another pom (an image's jar list), as its build copies them
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${DP_ENGINES_HOME:-$HOME/.cache/dataplatform/engines}
engine=${1:?usage: fetch.sh ENGINE | fetch.sh NAME POM}
pom=${2:-$HERE/$engine/pom.xml}
exclude_transitive=$([ -n "${2:-}" ] && echo true || echo false)
[ -f "$pom" ] || { echo "fetch.sh: no $pom; engines: $(cd "$HERE" && ls -d */ | tr -d / | tr '\n' ' ')" >&2; exit 2; }
command -v mvn >/dev/null || { echo "fetch.sh: Maven (mvn) is needed on PATH" >&2; exit 1; }
dir=$CACHE/$engine-$(sha256sum "$pom" | cut -c1-16)
if [ ! -f "$dir/.complete" ]; then
  t=$(date +%s)
  rm -rf "$dir"; mkdir -p "$dir"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dir/lib" -DincludeScope=runtime -DexcludeTransitive="$exclude_transitive" >&2
  for archive in "$dir"/lib/*.tar.gz; do
    [ -e "$archive" ] || continue
    tar -xzf "$archive" -C "$dir" && rm "$archive"
  done
  touch "$dir/.complete"
  echo "[engines] fetched $engine in $(( $(date +%s) - t ))s" >&2
fi
echo "$dir"
