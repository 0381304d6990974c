"""The DAG-runs check of npm run health under the pinned Airflow.

components/airflow/health/dag_runs.py is run as npm run health runs it in the API server's pod
(python -c <script>) against a migrated metadata database where one DAG's run really failed (run by
dag.test()) and another never ran; its output is then judged by the TypeScript judge the tool uses.
"""
import json
import subprocess
import sys

import pytest

from conftest import AIRFLOW_DIR, ROOT, migrated_airflow, run_dags

SCRIPT = (AIRFLOW_DIR / "health" / "dag_runs.py").read_text()

PROBE_DAGS = '''
import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def lake_unreachable():
    raise RuntimeError("the lake did not answer")


with DAG(dag_id="ingest", start_date=pendulum.datetime(2026, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="extract", python_callable=lambda: 1) >> PythonOperator(task_id="load", python_callable=lake_unreachable)

with DAG(dag_id="reports", start_date=pendulum.datetime(2026, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="render", python_callable=lambda: 1)
'''


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory):
    env = migrated_airflow(tmp_path_factory.mktemp("airflow-health"), {"probe.py": PROBE_DAGS})
    run_dags(env, ["ingest"])
    return env


def judged(code, output):
    """The verdict of infra/engine-health.ts judgeDagRuns on this output, as npm run health gives it."""
    judge = ("const { judgeDagRuns } = require('./infra/engine-health');"
             "let input = ''; process.stdin.on('data', (d) => (input += d));"
             "process.stdin.on('end', () => console.log(JSON.stringify(judgeDagRuns(Number(process.argv[1]), input))));")
    node = subprocess.run(["node", "--require", "ts-node/register/transpile-only", "-e", judge, str(code)],
                          cwd=ROOT, input=output, capture_output=True, text=True)
    assert node.returncode == 0, node.stderr[-3000:]
    return json.loads(node.stdout)


def test_the_script_reads_each_dags_newest_run_and_its_failed_tasks(airflow_env):
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=airflow_env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    dags = {d["dag_id"]: d for d in json.loads(run.stdout.strip().splitlines()[-1])["dags"]}
    assert sorted(dags) == ["ingest", "reports"]
    assert dags["ingest"]["last_run"]["state"] == "failed"
    assert dags["ingest"]["failed_tasks"] == ["load"]
    assert dags["reports"]["last_run"] is None

    verdict = judged(run.returncode, run.stdout + run.stderr)
    assert verdict["state"] == "degraded"
    assert verdict["problems"] == [f"ingest (paused): last run {dags['ingest']['last_run']['run_id']} failed: load"]
    assert verdict["facts"] == ["reports (paused): no run yet"]


def test_a_database_it_cannot_read_is_a_fact_not_a_verdict(airflow_env, tmp_path):
    broken = {**airflow_env, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/missing/airflow.db"}
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=broken, capture_output=True, text=True)
    assert run.returncode != 0
    verdict = judged(run.returncode, run.stdout + run.stderr)
    assert verdict["state"] == "healthy" and verdict["problems"] == []
    assert verdict["facts"][0].startswith(f"DAG runs not read (exit {run.returncode}): ")
