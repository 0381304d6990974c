"""enterprise_data_pipeline: events into Kafka, Spark into HDFS and Iceberg, dbt models through Trino.

Task groups as in the architecture: Data Generation -> Ingestion -> Processing -> Storage -> Analytics.
Settings come from the environment the deployment gives the Airflow pods (KAFKA_BOOTSTRAP_SERVERS,
TRINO_HOST, ...), so the DAG parses anywhere without connections.
"""
import os
import time
from datetime import datetime, timedelta

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, TaskGroup

from dataplatform_operators import DbtOperator, SparkOperator, StarburstOperator
from dataplatform_operators.generator import generate, produce, require_events

TABLES = ["orders", "customers", "products"]
BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "kafka-bootstrap:9092")
# The streaming application writes what arrived every TRIGGER_SECONDS (components/spark: 30 s).
# The catalog's floor for expire_snapshots (starburst.icebergSnapshotRetention): maintenance keeps that much history.
SNAPSHOT_RETENTION = os.environ.get("ICEBERG_SNAPSHOT_RETENTION", "7d")
STREAMING_TRIGGER_SECONDS = int(os.environ.get("STREAMING_TRIGGER_SECONDS", "30"))


def _wait_for_streaming_flush():
    # Two triggers: one may have started just before the events arrived.
    time.sleep(2 * STREAMING_TRIGGER_SECONDS + 10)


def _generate_and_produce(topic: str, **context):
    counts = {"customers": int(os.environ.get("GENERATE_CUSTOMERS", "200")),
              "products": int(os.environ.get("GENERATE_PRODUCTS", "50")),
              "orders": int(os.environ.get("GENERATE_ORDERS", "1000"))}
    events = generate(counts["customers"], counts["products"], counts["orders"], seed=int(context["logical_date"].timestamp()))
    return produce(BOOTSTRAP, {topic: events[topic]})


with DAG(
    dag_id="enterprise_data_pipeline",
    description="Events -> Kafka -> HDFS -> Iceberg -> dbt marts",
    start_date=datetime(2026, 1, 1),
    schedule="@hourly",
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-platform", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["data-platform"],
) as dag:
    with TaskGroup("data_generation", tooltip="Realistic events into Kafka") as data_generation:
        generated = [PythonOperator(task_id=f"generate_{t}", python_callable=_generate_and_produce, op_kwargs={"topic": t}) for t in TABLES]

    with TaskGroup("ingestion", tooltip="Events in Kafka, for the streaming application (Kafka -> HDFS)") as ingestion:
        # The streaming driver runs all the time and moves what the topics hold into HDFS.
        topics_ready = PythonOperator(task_id="check_topics", python_callable=require_events, op_kwargs={"bootstrap_servers": BOOTSTRAP, "topics": TABLES})
        flushed = PythonOperator(task_id="wait_for_streaming_flush", python_callable=_wait_for_streaming_flush)
        topics_ready >> flushed

    with TaskGroup("processing", tooltip="HDFS -> Iceberg by the batch application") as processing:
        batch = SparkOperator(task_id="spark_batch_to_iceberg", application="sample_spark_job.py", env={"TABLES": ",".join(TABLES)})

    with TaskGroup("storage", tooltip="Iceberg table maintenance") as storage:
        maintenance = [StarburstOperator(
            task_id=f"optimize_{t}",
            sql=[f"ALTER TABLE iceberg.default.{t} EXECUTE optimize", f"ALTER TABLE iceberg.default.{t} EXECUTE expire_snapshots(retention_threshold => '{SNAPSHOT_RETENTION}')"],
        ) for t in TABLES]

    with TaskGroup("analytics", tooltip="dbt models and data tests, then a sanity check") as analytics:
        dbt_build = DbtOperator(task_id="dbt_build", target=os.environ.get("DBT_TARGET", "dev"))
        # Trino's fail() makes the task fail when the mart came out empty.
        check = StarburstOperator(task_id="check_daily_revenue", sql="SELECT CASE WHEN count(*) = 0 THEN fail('daily_revenue is empty') ELSE count(*) END FROM iceberg.default.daily_revenue")
        dbt_build >> check

    data_generation >> ingestion >> processing >> storage >> analytics
