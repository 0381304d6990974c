"""The streaming driver's metrics on a real Spark: a driver started as the platform's spark-submit line
starts it (the JMX exporter agent with components/spark/jmx-exporter.yaml, and the settings of
components/spark/streaming-metrics.json), running a streaming query named as the application names
its queries, scraped for every metric the alerts and dashboard read."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import agent_jar, free_port

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "components" / "spark" / "streaming-metrics.json").read_text())
RULES = ROOT / "components" / "spark" / "jmx-exporter.yaml"
QUERY = "orders_to_hdfs"

DRIVER = f"""
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[2]").appName("streaming-metrics").config("spark.ui.enabled", "false").getOrCreate()
query = (spark.readStream.format("rate").option("rowsPerSecond", 50).load()
         .writeStream.queryName("{QUERY}").foreachBatch(lambda df, batch: df.count()).trigger(processingTime="1 second").start())
query.awaitTermination()
"""


def samples(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name + "{") or line.startswith(name + " ")]


def test_the_streaming_driver_serves_each_querys_gauges_under_the_names_the_alerts_read(tmp_path):
    port = free_port()
    # As the pod's spark-submit line: the agent through --driver-java-options, the settings as --conf.
    submit = [f"--driver-java-options '-javaagent:{agent_jar()}={port}:{RULES}'"] + [f"--conf {k}={v}" for k, v in SPEC["conf"].items()]
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": " ".join(submit + ["pyspark-shell"])}
    driver = subprocess.Popen([sys.executable, "-c", DRIVER], env=env, stdout=open(tmp_path / "driver.log", "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 180
        text = ""
        while time.time() < deadline:
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
                processed = samples(text, SPEC["metrics"]["processedRate"])
                if processed and float(processed[0].rsplit(" ", 1)[1]) > 0:
                    break
            except OSError:
                pass
            assert driver.poll() is None, (tmp_path / "driver.log").read_text()[-3000:]
            time.sleep(2)
        for name in SPEC["metrics"].values():
            found = samples(text, name)
            assert found, f"{name} missing; the driver served: {[l for l in text.splitlines() if 'spark' in l][:20]}"
            assert all(f'query="{QUERY}"' in line for line in found), found
        assert float(samples(text, SPEC["metrics"]["processedRate"])[0].rsplit(" ", 1)[1]) > 0
        assert float(samples(text, SPEC["metrics"]["latency"])[0].rsplit(" ", 1)[1]) >= 0
    finally:
        driver.terminate()
        driver.wait(60)
