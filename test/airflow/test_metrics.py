"""Airflow's metrics for real. The pinned Airflow, with the [metrics] settings the platform renders
(components/airflow/statsd-metrics.json), reports over StatsD to statsd_exporter started with the
arguments and mappings of the platform's exporter Deployment (built from the Go module proxy at the
pinned image's release). A failing and a passing DAG run, a scheduler and a DAG processor (one DAG
file does not import) feed it; the exporter is scraped for every metric the alerts and dashboard read.
"""
import json
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import AIRFLOW_DIR, ROOT, migrated_airflow, run_dags

SPEC = json.loads((AIRFLOW_DIR / "statsd-metrics.json").read_text())
METRICS = SPEC["metrics"]

DAGS = '''
import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def warehouse_refused():
    raise RuntimeError("the warehouse refused the rows")


with DAG(dag_id="orders_ingest", start_date=pendulum.datetime(2026, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="extract_orders", python_callable=lambda: 1) >> PythonOperator(task_id="write_orders", python_callable=warehouse_refused)

with DAG(dag_id="reports_daily", start_date=pendulum.datetime(2026, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="render_report", python_callable=lambda: 1)
'''
# Mentions airflow and DAG, so the processor parses it; then fails to import.
BROKEN = "from airflow.sdk import DAG\nimport a_module_nobody_installed\n"
# Words only the DAGs, tasks, operator, pool and files carry: no metric name may contain one.
IDENTIFIERS = ["orders_ingest", "reports_daily", "extract_orders", "write_orders", "render_report", "PythonOperator", "default_pool", "probe_dags", "broken_dag"]


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exporter_binary() -> Path:
    out = subprocess.run(["bash", str(ROOT / "tools" / "engines" / "statsd-exporter" / "build.sh")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return Path(out.stdout.strip(), "bin", "statsd_exporter")


def exporter_args(statsd_port: int, web_port: int) -> list[str]:
    """The Deployment's arguments (logFormat json's too), its ports on this host and the mappings file from the repository."""
    e = SPEC["exporter"]
    rewrite = {f":{e['statsdPort']}": f"127.0.0.1:{statsd_port}", f":{e['metricsPort']}": f"127.0.0.1:{web_port}", e["mappingsDir"]: str(AIRFLOW_DIR)}
    args = []
    for arg in e["args"]:
        for old, new in rewrite.items():
            arg = arg.replace(old, new)
        args.append(arg)
    return args + ["--log.format=json"]


def series(text: str, name: str) -> dict[str, float]:
    """A metric's samples: labels -> value."""
    found = {}
    for line in text.splitlines():
        m = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", line)
        if m:
            found[m.group(1) or ""] = float(m.group(2))
    return found


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow-metrics")
    statsd_port, web_port = free_port(socket.SOCK_DGRAM), free_port()
    exporter = subprocess.Popen([str(exporter_binary()), *exporter_args(statsd_port, web_port)], stdout=open(home / "exporter.log", "w"), stderr=subprocess.STDOUT)
    # The settings the chart is given, the exporter on this host.
    metrics_settings = {f"AIRFLOW__METRICS__{k.upper()}": v for k, v in SPEC["config"].items()}
    settings = {**metrics_settings, "AIRFLOW__METRICS__STATSD_HOST": "127.0.0.1", "AIRFLOW__METRICS__STATSD_PORT": str(statsd_port)}
    daemons = []
    try:
        env = migrated_airflow(home, {"probe_dags.py": DAGS, "broken_dag.py": BROKEN}, settings)
        run_dags(env, ["orders_ingest", "reports_daily"])
        for daemon in ("scheduler", "dag-processor"):
            daemons.append(subprocess.Popen(["airflow", daemon], env=env, stdout=open(home / f"{daemon}.log", "w"), stderr=subprocess.STDOUT))
        url = f"http://127.0.0.1:{web_port}/metrics"
        deadline = time.time() + 180
        text = ""
        while time.time() < deadline:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
            beats = sum(series(text, METRICS["schedulerHeartbeat"]).values())
            errors = sum(series(text, METRICS["importErrors"]).values())
            if beats >= 2 and errors >= 1 and series(text, METRICS["fileParsedAgo"]):
                break
            for d in daemons:
                assert d.poll() is None, (home / f"{d.args[1]}.log").read_text()[-3000:]
            time.sleep(2)
        yield {"text": text, "home": home, "statsd": statsd_port, "url": url}
    finally:
        for process in [*daemons, exporter]:
            process.terminate()
        for process in [*daemons, exporter]:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()


def test_the_exporter_serves_every_metric_the_alerts_and_dashboard_read(scraped):
    text = scraped["text"]
    missing = [name for name in METRICS.values() if not series(text, name)]
    assert not missing, f"{missing} missing; served: {sorted({l.split('{')[0].split(' ')[0] for l in text.splitlines() if l.startswith('airflow')})}"


def test_a_failed_task_is_counted_once_in_its_final_state_with_its_dag_and_task_as_labels(scraped):
    text = scraped["text"]
    finished = series(text, METRICS["taskFailed"])
    assert finished['{dag_id="orders_ingest",state="failed",task_id="write_orders"}'] == 1.0
    assert finished['{dag_id="reports_daily",state="success",task_id="render_report"}'] == 1.0
    assert series(text, METRICS["tryFailures"]) == {'{dag_id="orders_ingest",task_id="write_orders"}': 1.0}
    successes = series(text, METRICS["taskSuccesses"])
    assert successes == {'{dag_id="orders_ingest",task_id="extract_orders"}': 1.0, '{dag_id="reports_daily",task_id="render_report"}': 1.0}
    assert list(series(text, METRICS["dagRunsFailed"])) == ['{dag_id="orders_ingest",run_type="manual"}']
    assert list(series(text, METRICS["dagRunsSucceeded"])) == ['{dag_id="reports_daily",run_type="manual"}']
    assert '{dag_id="reports_daily",run_type="manual",quantile="0.9"}' in series(text, METRICS["dagRunDuration"])


def test_the_scheduler_beats_reports_its_pools_and_the_processor_counts_the_file_that_does_not_import(scraped):
    text = scraped["text"]
    assert sum(series(text, METRICS["schedulerHeartbeat"]).values()) >= 2
    assert series(text, METRICS["importErrors"]) == {"": 1.0}
    assert {'{file="probe_dags"}', '{file="broken_dag"}'} <= set(series(text, METRICS["fileParsedAgo"]))
    # The default pool: 128 slots, none taken once the runs are over.
    assert series(text, METRICS["poolOpenSlots"]) == {'{pool_name="default_pool"}': 128.0}
    assert series(text, METRICS["poolQueuedSlots"]) == {'{pool_name="default_pool"}': 0.0}


def test_no_metric_name_carries_a_dag_task_operator_pool_or_file(scraped):
    names = {line.split("{")[0].split(" ")[0] for line in scraped["text"].splitlines() if line.startswith("airflow")}
    assert len(names) > 20, names
    leaked = sorted(n for n in names if any(i in n for i in IDENTIFIERS))
    assert not leaked, leaked


# Every name Airflow 3.1.8 sends with an identifier inside (airflow/metrics/validators.py lists them),
# beside its tagged twin, as Airflow's StatsD client writes them: what the mappings drop, what they keep.
LEGACY_AND_TWINS = [
    ("ti.start.d_x.t_x", "ti.start,dag_id=d_x,task_id=t_x", "c"),
    ("ti.finish.d_x.t_x.failed", "ti.finish,dag_id=d_x,task_id=t_x,state=failed", "c"),
    ("ti.running.q_x.d_x.t_x", "ti.running,queue=q_x,dag_id=d_x,task_id=t_x", "g"),
    ("operator_failures_OpX", "operator_failures,dag_id=d_x,task_id=t_x,operator=OpX", "c"),
    ("operator_successes_OpX", "operator_successes,dag_id=d_x,task_id=t_x,operator=OpX", "c"),
    ("task_instance_created_OpX", "task_instance_created,dag_id=d_x,task_type=OpX", "c"),
    ("task_removed_from_dag.d_x", "task_removed_from_dag,dag_id=d_x", "c"),
    ("task_restored_to_dag.d_x", "task_restored_to_dag,dag_id=d_x", "c"),
    ("pool.open_slots.p_x", "pool.open_slots,pool_name=p_x", "g"),
    ("pool.starving_tasks.p_x", "pool.starving_tasks,pool_name=p_x", "g"),
    ("dagrun.dependency-check.d_x", "dagrun.dependency-check,dag_id=d_x", "ms"),
    ("dag.d_x.t_x.duration", "task.duration,dag_id=d_x,task_id=t_x", "ms"),
    ("dag.d_x.t_x.queued_duration", "task.queued_duration,dag_id=d_x,task_id=t_x", "ms"),
    ("dag.d_x.t_x.scheduled_duration", "task.scheduled_duration,dag_id=d_x,task_id=t_x", "ms"),
    ("dagrun.duration.success.d_x", "dagrun.duration.success,dag_id=d_x", "ms"),
    ("dagrun.duration.failed.d_x", "dagrun.duration.failed,dag_id=d_x", "ms"),
    ("dagrun.schedule_delay.d_x", "dagrun.schedule_delay,dag_id=d_x", "ms"),
    ("dagrun.d_x.first_task_scheduling_delay", "dagrun.first_task_scheduling_delay,dag_id=d_x", "ms"),
    ("triggers.running.h_x", "triggers.running,hostname=h_x", "g"),
    ("triggerer.capacity_left.h_x", "triggerer.capacity_left,hostname=h_x", "g"),
]


def test_every_name_with_an_identifier_inside_is_dropped_and_its_tagged_twin_kept(scraped):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for legacy, twin, kind in LEGACY_AND_TWINS:
            for stat in (legacy, twin):
                s.sendto(f"{SPEC['config']['statsd_prefix']}.{stat}:1|{kind}".encode(), ("127.0.0.1", scraped["statsd"]))
    time.sleep(2)
    text = urllib.request.urlopen(scraped["url"], timeout=5).read().decode()
    names = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line.startswith("airflow")}
    leaked = sorted(n for n in names if re.search(r"[dtqph]_x|OpX", n))
    assert not leaked, leaked
    for _, twin, _ in LEGACY_AND_TWINS:
        name = "airflow_" + re.sub(r"[.-]", "_", twin.split(",")[0])
        kept = [line for line in text.splitlines() if line.startswith(name) and ("d_x" in line or "p_x" in line or "h_x" in line)]
        assert kept, f"{twin}: no {name} with its labels"


def test_the_exporter_logs_json_events(scraped):
    lines = [line for line in (scraped["home"] / "exporter.log").read_text().splitlines() if line.strip()]
    assert lines
    for line in lines:
        event = json.loads(line)
        assert {"time", "level", "msg"} <= event.keys(), event
