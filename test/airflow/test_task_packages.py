"""The pip init container's script, for real: it installs the tasks' packages into a target directory
with the running environment's packages as constraints, as it does in the Airflow image."""
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from conftest import AIRFLOW_DIR

SCRIPT = (AIRFLOW_DIR / "install-task-packages.sh").read_text()
REQUIREMENTS = AIRFLOW_DIR / "requirements.txt"


def test_installs_the_requirements_without_changing_what_airflow_already_has(tmp_path):
    target = tmp_path / "python"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    run = subprocess.run(["bash", "-c", SCRIPT, "--", str(target), str(REQUIREMENTS)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    installed = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in metadata.distributions(path=[str(target)])}
    for line in REQUIREMENTS.read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            assert installed.get(name) == version, (name, installed)
    # Every dependency the environment already had is installed at exactly the same version.
    for name, version in installed.items():
        try:
            present = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        assert present == version, f"{name}: target {version}, environment {present}"
    # The tasks import them from the volume, as PYTHONPATH makes them do in the pods.
    probe = subprocess.run([sys.executable, "-c", "import trino.dbapi, kafka; print(trino.__file__, kafka.__file__)"],
                           env={**env, "PYTHONPATH": str(target)}, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    assert all(p.startswith(str(target)) for p in probe.stdout.split())
