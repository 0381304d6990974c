#!/usr/bin/env bash
# Runs the Spark applications' tests for real: pyspark in local mode, Iceberg from Maven Central.
# The virtualenv and the Ivy cache live outside the repository and are reused between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${DATAPLATFORM_CACHE:-$HOME/.cache/dataplatform}"
venv="$cache/venv"
requirements=test/python/requirements.txt
stamp="$venv/.requirements-$(sha256sum "$requirements" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi
export DATAPLATFORM_IVY_DIR="$cache/ivy"
exec "$venv/bin/python" -m pytest test/python -q "$@"
