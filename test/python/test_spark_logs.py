"""Spark's JSON logs for real. A standalone master and worker, started as the pods start them
(spark-class with SPARK_CONF_DIR), and a driver run by spark-submit against them, all read the
spark-config ConfigMap the program renders for dev (logFormat json). Of its spark-defaults.conf only
the logging settings are kept: the rest names the cluster's services. Every line they and the
executor write must be one JSON event from Spark's layout, saying which engine wrote it.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyspark
import pytest

from conftest import dev_plan_inputs, free_port

ROOT = Path(__file__).resolve().parents[2]
SPARK_HOME = Path(pyspark.__file__).parent
# Printed by the JVM itself before any logging starts (Spark 4 turns on the vector module).
JVM_NOTICE = "WARNING: Using incubator modules"

APP = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("json-logs").getOrCreate()
print("sum", spark.sparkContext.parallelize(range(100), 2).sum())
spark.stop()
"""


def rendered_spark_config() -> dict:
    """The data of the spark-config ConfigMap in the dev stack's plan."""
    return dev_plan_inputs(("ConfigMap", "spark-config"))[0]["data"]


def events(path: Path, killed=False) -> tuple[list[dict], list[str]]:
    """A log's JSON events, and its lines that are not JSON (the JVM's own notice aside). `killed`: the
    process was stopped by a signal while the worker copied its output into the file, so the file's
    last line may be a piece of an event (seen: its end alone)."""
    lines = path.read_text().splitlines(keepends=True)
    if killed and lines:
        lines = lines[:-1]
    parsed, text = [], []
    for line in (line.rstrip("\n") for line in lines):
        if not line.strip() or line.startswith(JVM_NOTICE):
            continue
        try:
            parsed.append(json.loads(line))
        except ValueError:
            text.append(line)
    return parsed, text


def wait_for(path: Path, words: str, process: subprocess.Popen, seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if words in path.read_text():
            return
        assert process.poll() is None, path.read_text()[-3000:]
        time.sleep(1)
    raise AssertionError(f"no {words!r} in {path.name}: {path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    data = rendered_spark_config()
    home = tmp_path_factory.mktemp("spark-logs")
    conf = home / "conf"
    conf.mkdir()
    (conf / "log4j2.properties").write_text(data["log4j2.properties"])
    logging = [line for line in data["spark-defaults.conf"].splitlines() if line.startswith("spark.log.")]
    assert logging, "the rendered spark-defaults.conf has no logging setting"
    (conf / "spark-defaults.conf").write_text("\n".join(logging) + "\n")
    env = {**os.environ, "SPARK_HOME": str(SPARK_HOME), "SPARK_CONF_DIR": str(conf), "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    master_port, worker_port = free_port(), free_port()
    master_url = f"spark://127.0.0.1:{master_port}"
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    daemons = []
    try:
        master = subprocess.Popen([spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(master_port),
                                   "--webui-port", str(free_port())], env=env, stdout=open(home / "master.log", "w"), stderr=subprocess.STDOUT)
        daemons.append(master)
        wait_for(home / "master.log", "I have been elected leader", master)
        worker = subprocess.Popen([spark_class, "org.apache.spark.deploy.worker.Worker", master_url, "--host", "127.0.0.1", "--port", str(worker_port),
                                   "--webui-port", str(free_port()), "--cores", "2", "--memory", "1g", "--work-dir", str(home / "work")],
                                  env=env, stdout=open(home / "worker.log", "w"), stderr=subprocess.STDOUT)
        daemons.append(worker)
        wait_for(home / "worker.log", "Successfully registered with master", worker)
        (home / "app.py").write_text(APP)
        driver = subprocess.run([str(SPARK_HOME / "bin" / "spark-submit"), "--master", master_url, "--executor-memory", "512m", str(home / "app.py")],
                                env=env, capture_output=True, text=True, timeout=300)
        (home / "driver.log").write_text(driver.stderr + driver.stdout)
        assert driver.returncode == 0, (driver.stderr + driver.stdout)[-3000:]
        assert "sum 4950" in driver.stdout
        yield home
    finally:
        for d in daemons:
            d.terminate()
        for d in daemons:
            try:
                d.wait(60)
            except subprocess.TimeoutExpired:
                d.kill()


@pytest.mark.parametrize("log", ["master.log", "worker.log"])
def test_the_master_and_worker_write_only_json_events(logs, log):
    parsed, text = events(logs / log)
    assert not text, text[:5]
    assert len(parsed) > 5
    for event in parsed:
        assert {"ts", "level", "msg", "logger"} <= event.keys(), event
        assert event["engine"] == "spark", event


def test_the_master_saw_the_worker_and_the_application_in_its_events(logs):
    messages = [e["msg"] for e in events(logs / "master.log")[0]]
    assert any(m.startswith("Registering worker 127.0.0.1") for m in messages), messages[:20]
    assert any("Registering app json-logs" in m for m in messages), messages[:40]


def test_the_driver_writes_json_events_with_spark_structured_context(logs):
    parsed, text = events(logs / "driver.log")
    # The application's own print is its business, not the logger's.
    assert [line for line in text if line != "sum 4950"] == []
    assert parsed and all(e["engine"] == "spark" for e in parsed)
    # spark.log.structuredLogging.enabled: Spark's identifiers travel as fields, not only inside the message.
    assert any("app_id" in e.get("context", {}) or "app_name" in e.get("context", {}) for e in parsed), [e.get("context") for e in parsed][:20]


def test_the_executor_the_worker_started_writes_json_events_too(logs):
    outputs = list((logs / "work").glob("app-*/*/stdout"))
    assert outputs, list((logs / "work").rglob("*"))
    # The worker kills its executors when the application ends.
    parsed, text = events(outputs[0], killed=True)
    assert not text, text[:5]
    assert any(e["logger"] == "CoarseGrainedExecutorBackend" for e in parsed), [e["logger"] for e in parsed][:20]
    # Its stderr has no text events either (only what the JVM itself prints).
    parsed, text = events(outputs[0].with_name("stderr"), killed=True)
    assert not [line for line in text if not line.startswith("Spark Executor Command:") and line.strip("=")], text[:5]
