"""Airflow in a throw-away home; the platform's plugins folder on the path, as Airflow puts it."""
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_DIR = ROOT / "components" / "airflow"
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="airflow-home-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(AIRFLOW_DIR / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(AIRFLOW_DIR / "plugins")
sys.path.insert(0, str(AIRFLOW_DIR / "plugins"))
sys.path.insert(0, str(ROOT / "test" / "support"))


def migrated_airflow(home, dag_files, settings=None):
    """A throw-away Airflow in `home`: the DAG files in home/dags, a migrated SQLite database and the
    DAGs serialized into it. Returns the environment its commands run with (and `settings`)."""
    import subprocess

    dags = home / "dags"
    dags.mkdir()
    for name, text in dag_files.items():
        (dags / name).write_text(text)
    env = {**os.environ, **(settings or {}), "AIRFLOW_HOME": str(home), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for command in (["airflow", "db", "migrate"], ["airflow", "dags", "reserialize"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return env


def run_dags(env, dag_ids):
    """Runs each DAG once with dag.test(), as a user would try it (task failures are the DAGs' business)."""
    import subprocess

    runs = ("from airflow.models.dagbag import DagBag\n"
            f"bag = DagBag({env['AIRFLOW__CORE__DAGS_FOLDER']!r}, include_examples=False)\n"
            + "".join(f"bag.dags[{d!r}].test()\n" for d in dag_ids))
    ran = subprocess.run([sys.executable, "-c", runs], env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
