#!/usr/bin/env bash
# Runs the Python suites for real, each in its own virtualenv (outside the repository, reused):
#   test/python  the Spark applications: pyspark in local mode, Iceberg's runtime from Maven Central
#   test/dbt     the dbt project: parse/compile for Trino, build and test on DuckDB
#   test/airflow the pipeline DAG under the pinned Airflow, the operators and the event generator
# With JUNIT_DIR set, each suite writes <suite>.xml there.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${DATAPLATFORM_CACHE:-$HOME/.cache/dataplatform}"
export DATAPLATFORM_IVY_DIR="$cache/ivy"

venv_for() { # <venv dir> <requirements file>
  local venv="$1" requirements="$2"
  # The stamp covers the file and the files it includes with -r, so a changed pin reinstalls.
  local included
  included=$(sed -n 's/^-r[[:space:]]*//p' "$requirements" | sed "s|^|$(dirname "$requirements")/|")
  local stamp="$venv/.requirements-$(cat "$requirements" $included | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    touch "$stamp"
  fi
}

# --venv <suite>: only make (or reuse) that suite's virtualenv and print its path, for the engine
# tests that run the platform's Python clients against the real engines.
if [ "${1:-}" = "--venv" ]; then
  venv_for "$cache/venv-$2" "test/$2/requirements.txt" >&2
  echo "$cache/venv-$2"
  exit 0
fi

status=0
for suite in python dbt airflow; do
  venv="$cache/venv-$suite"
  venv_for "$venv" "test/$suite/requirements.txt"
  junit=()
  [ -n "${JUNIT_DIR:-}" ] && junit=(--junitxml "$JUNIT_DIR/$suite.xml")
  VIRTUAL_ENV="$venv" "$venv/bin/python" -m pytest "test/$suite" -q "${junit[@]}" "$@" || status=$?
done
exit "$status"
