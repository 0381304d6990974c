# Installs the tasks' packages into a shared volume, run by an init container as:
#   bash -c "<this>" -- <target directory> <requirements file>
# The image's own packages are the constraints: a dependency the image already has resolves to the very
# version Airflow runs with, so the volume (first on PYTHONPATH) never shadows it with another one.
set -eu
target="$1"
requirements="$2"
constraints="$(mktemp)"
pip freeze --all | grep -v ' @ ' > "$constraints"
exec pip install --quiet --no-cache-dir --disable-pip-version-check --target "$target" -c "$constraints" -r "$requirements"
