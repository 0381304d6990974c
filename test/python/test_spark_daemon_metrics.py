"""The standalone master's and worker's metrics on a real Spark. The master and a one-core worker start
with the SPARK_DAEMON_JAVA_OPTS the dev plan gives their pods (the JMX exporter agent with the
spark-daemon-metrics ConfigMap's rules, and their sources as JMX beans), the agent's jar and rules at
local paths and each its own port (in the cluster each pod has 9404). One application holds the
worker's core while a second waits for it: the master and the worker must report exactly that
under every name the alerts and dashboard read."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyspark
import pytest

from conftest import agent_jar, dev_plan_inputs, free_port

ROOT = Path(__file__).resolve().parents[2]
SPARK_HOME = Path(pyspark.__file__).parent
METRICS = json.loads((ROOT / "components" / "spark" / "daemon-metrics.json").read_text())["metrics"]
# The agent's option as the pods carry it: the jar, the port, the rules file.
AGENT_OPTION = re.compile(r"-javaagent:(\S+)=9404:(\S+)")

APP = """
import sys, time
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName(sys.argv[1]).getOrCreate()
print("count", spark.sparkContext.parallelize(range(10), 1).count(), flush=True)
time.sleep(600)
"""


def rendered_daemons() -> dict:
    """SPARK_DAEMON_JAVA_OPTS of the master's and the worker's pods, and the rules ConfigMap's data, in the dev plan."""
    master, worker, rules = dev_plan_inputs(("StatefulSet", "spark-master"), ("Deployment", "spark-worker"), ("ConfigMap", "spark-daemon-metrics"))
    opts = lambda o: next(e["value"] for e in o["spec"]["template"]["spec"]["containers"][0]["env"] if e["name"] == "SPARK_DAEMON_JAVA_OPTS")
    return {"master": opts(master), "worker": opts(worker), "rules": rules["data"]["jmx-exporter.yaml"]}


def local(opts: str, jar: Path, port: int, rules: Path) -> str:
    """The pod's options with the agent's jar, port and rules where this machine has them."""
    assert len(AGENT_OPTION.findall(opts)) == 1, opts
    return AGENT_OPTION.sub(f"-javaagent:{jar}={port}:{rules}", opts)


def scrape(port: int) -> dict[str, float]:
    """The unlabelled samples of the endpoint's spark_* metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {line.split(" ")[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("spark_")}


def wait_for(check, processes, seconds=180):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        for name, p, log in processes:
            assert p.poll() is None, f"{name} stopped: {log.read_text()[-3000:]}"
        try:
            last = check()
            if last:
                return last
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError(f"not reached in {seconds} s; last: {last}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    home = tmp_path_factory.mktemp("spark-daemons")
    rendered = rendered_daemons()
    rules = home / "jmx-exporter.yaml"
    rules.write_text(rendered["rules"])
    jar = agent_jar()
    master_metrics, worker_metrics = free_port(), free_port()
    base = {**os.environ, "SPARK_HOME": str(SPARK_HOME), "SPARK_CONF_DIR": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    master_url = f"spark://127.0.0.1:{free_port()}"
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    running = []

    def start(name, args, env):
        log = home / f"{name}.log"
        with open(log, "w") as out:
            p = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        running.append((name, p, log))
        return p

    try:
        start("master", [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", master_url.rsplit(":", 1)[1],
                         "--webui-port", str(free_port())], {**base, "SPARK_DAEMON_JAVA_OPTS": local(rendered["master"], jar, master_metrics, rules)})
        wait_for(lambda: scrape(master_metrics), running)
        start("worker", [spark_class, "org.apache.spark.deploy.worker.Worker", master_url, "--host", "127.0.0.1", "--port", str(free_port()),
                         "--webui-port", str(free_port()), "--cores", "1", "--memory", "1g", "--work-dir", str(home / "work")],
              {**base, "SPARK_DAEMON_JAVA_OPTS": local(rendered["worker"], jar, worker_metrics, rules)})
        wait_for(lambda: scrape(master_metrics).get(METRICS["aliveWorkers"]) == 1, running)
        (home / "app.py").write_text(APP)
        submit = [str(SPARK_HOME / "bin" / "spark-submit"), "--master", master_url, "--executor-memory", "512m", "--conf", "spark.cores.max=1",
                  "--conf", "spark.ui.enabled=false", str(home / "app.py")]
        first = start("first-app", submit + ["first"], base)
        wait_for(lambda: "count 10" in (home / "first-app.log").read_text(), running)
        start("second-app", submit + ["second"], base)
        wait_for(lambda: scrape(master_metrics).get(METRICS["waitingApplications"]) == 1, running)
        yield {"master": scrape(master_metrics), "worker": scrape(worker_metrics), "home": home}
        assert first.poll() is None
    finally:
        for _, p, _ in reversed(running):
            p.terminate()
        for _, p, _ in running:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()


def test_the_master_reports_its_worker_and_one_application_running_one_waiting(cluster):
    m = cluster["master"]
    assert m.get(METRICS["workers"]) == 1, m
    assert m.get(METRICS["aliveWorkers"]) == 1, m
    assert m.get(METRICS["applications"]) == 2, m
    assert m.get(METRICS["waitingApplications"]) == 1, m


def test_the_worker_reports_the_executor_holding_its_core_and_memory(cluster):
    w = cluster["worker"]
    assert w.get(METRICS["executors"]) == 1, w
    assert (w.get(METRICS["coresUsed"]), w.get(METRICS["coresFree"])) == (1, 0), w
    # 512 MiB of the worker's 1 GiB, in bytes (Spark reports MiB).
    assert (w.get(METRICS["memoryUsed"]), w.get(METRICS["memoryFree"])) == (512 * 2**20, 512 * 2**20), w


def test_each_daemon_serves_only_its_own_gauges_and_the_executor_runs_no_agent(cluster):
    master_names = {METRICS[k] for k in ("workers", "aliveWorkers", "applications", "waitingApplications")}
    assert set(cluster["master"]) == master_names
    assert set(cluster["worker"]) == set(METRICS.values()) - master_names
    # The executor the worker started is its own JVM: the daemon's options are not on its command line.
    stderr = next((cluster["home"] / "work").glob("app-*/*/stderr")).read_text()
    command = next(line for line in stderr.splitlines() if line.startswith("Spark Executor Command:"))
    assert "CoarseGrainedExecutorBackend" in command and "javaagent" not in command, command
