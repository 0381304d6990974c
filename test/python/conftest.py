"""A local Spark session with the same SQL settings the deployment writes to spark-defaults.conf,
an Iceberg catalog backed by a temporary warehouse, and the applications on the import path; and
for the tests that start Spark's own processes, what the dev plan renders and the pinned JMX agent."""
import functools
import json
import os
import random
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "components" / "spark" / "apps"))

ICEBERG_PACKAGE = "org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0"
IVY_DIR = os.environ.get("DATAPLATFORM_IVY_DIR", str(Path.home() / ".cache" / "dataplatform" / "ivy"))


@functools.cache
def _dev_plan() -> tuple[dict, ...]:
    """The dev stack's plan, made once per test run: every Spark process test reads from it."""
    script = ("const { planStack } = require('./tools/plan');"
              "planStack({ stack: 'dev' }).then((p) => console.log(JSON.stringify(p.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })))));")
    out = subprocess.run(["node", "--require", "ts-node/register/transpile-only", "-e", script], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return tuple(json.loads(out.stdout.strip().splitlines()[-1]))


def dev_plan_inputs(*objects: tuple[str, str]) -> list[dict]:
    """The inputs of each (kind, name) object in the dev stack's plan."""
    return [next(r["inputs"] for r in _dev_plan() if r["name"] == name and r["type"].endswith(f":{kind}")) for kind, name in objects]


def agent_jar() -> Path:
    """The JMX exporter agent the platform pins, from Maven Central (as the engine suites fetch it)."""
    out = subprocess.run(["bash", str(ROOT / "tools" / "engines" / "fetch.sh"), "jmx-exporter"], capture_output=True, text=True, check=True)
    return next(Path(out.stdout.strip(), "lib").glob("jmx_prometheus_javaagent-*.jar"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dataplatform-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.jars.packages", ICEBERG_PACKAGE)
        .config("spark.jars.ivy", IVY_DIR)
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.iceberg", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.iceberg.type", "hadoop")
        .config("spark.sql.catalog.iceberg.warehouse", str(warehouse))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.parquet.compression.codec", "snappy")
        .getOrCreate()
    )
    yield session
    session.stop()


def iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Events:
    """Small, realistic e-commerce events, as the data generator publishes them."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.start = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)

    def customer(self, i: int, minutes: int = 0, country: str = "DE") -> dict:
        ts = self.start + timedelta(minutes=minutes)
        return {"customer_id": f"c{i}", "name": f"Customer {i}", "email": f"c{i}@example.com", "country": country,
                "segment": self.rng.choice(["retail", "business"]), "signup_ts": iso(self.start - timedelta(days=30)), "updated_ts": iso(ts)}

    def product(self, i: int, price: str = "19.99", minutes: int = 0) -> dict:
        return {"product_id": f"p{i}", "name": f"Product {i}", "category": self.rng.choice(["books", "games"]),
                "price": price, "currency": "EUR", "updated_ts": iso(self.start + timedelta(minutes=minutes))}

    def order(self, i: int, customer: int, product: int, quantity: int = 2, price: str = "19.99", status: str = "placed", minutes: int = 0) -> dict:
        total = f"{quantity * float(price):.2f}"
        return {"order_id": f"o{i}", "customer_id": f"c{customer}", "product_id": f"p{product}", "quantity": quantity,
                "unit_price": price, "total_amount": total, "currency": "EUR", "status": status,
                "order_ts": iso(self.start + timedelta(minutes=minutes))}


def kafka_records(spark, topic: str, values: list, first_offset: int = 0):
    """Rows shaped like Spark's Kafka source: key, value (bytes), topic, partition, offset, timestamp."""
    from pyspark.sql.types import BinaryType, IntegerType, LongType, StringType, StructField, StructType, TimestampType

    schema = StructType([
        StructField("key", BinaryType()), StructField("value", BinaryType()), StructField("topic", StringType()),
        StructField("partition", IntegerType()), StructField("offset", LongType()), StructField("timestamp", TimestampType()),
    ])
    base = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
    rows = []
    for n, v in enumerate(values):
        text = v if isinstance(v, str) else json.dumps(v)
        rows.append((None, bytearray(text.encode()), topic, n % 3, first_offset + n, base + timedelta(seconds=n)))
    return spark.createDataFrame(rows, schema)


@pytest.fixture
def events():
    return Events()
