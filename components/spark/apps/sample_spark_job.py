"""Batch: the streamed events in HDFS -> deduplicated Iceberg tables (and Parquet snapshots).

For each dataset it reads <streaming path>/<topic>, keeps the latest event per key (by event time,
then Kafka timestamp and offset), creates the Iceberg table with the shared schema and partitioning
if it is missing, and MERGEs the latest rows into it, so reruns are idempotent. A deduplicated
snapshot also goes to <processed path>/<table>.

Settings from the environment: STREAMING_PATH (hdfs:///data/streaming), PROCESSED_PATH
(hdfs:///data/processed), CATALOG (iceberg), TABLES (orders,customers,products).
"""
import os
import sys

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from platform_schemas import DATASETS, Dataset


def latest_per_key(events: DataFrame, dataset: Dataset) -> DataFrame:
    """One row per key: the newest event; the Kafka position breaks ties deterministically."""
    order = [F.col(dataset.event_time).desc(), F.col("_kafka_timestamp").desc(), F.col("_kafka_offset").desc()]
    ranked = events.withColumn("_rank", F.row_number().over(Window.partitionBy(dataset.key).orderBy(*order)))
    return ranked.filter("_rank = 1").select(*[f.name for f in dataset.schema.fields])


def create_table_sql(catalog: str, dataset: Dataset) -> str:
    columns = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in dataset.schema.fields)
    return (
        f"CREATE TABLE IF NOT EXISTS {catalog}.{dataset.identifier} ({columns}) USING iceberg "
        f"PARTITIONED BY ({dataset.partition_by}) TBLPROPERTIES ('format-version'='2', 'write.parquet.compression-codec'='snappy')"
    )


def merge_sql(catalog: str, dataset: Dataset, view: str) -> str:
    return (
        f"MERGE INTO {catalog}.{dataset.identifier} t USING {view} s ON t.{dataset.key} = s.{dataset.key} "
        f"WHEN MATCHED AND s.{dataset.event_time} >= t.{dataset.event_time} THEN UPDATE SET * "
        f"WHEN NOT MATCHED THEN INSERT *"
    )


def has_events(spark: SparkSession, path: str) -> bool:
    """True when the streaming application has written anything under `path` yet."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(hadoop_path)


def process(spark: SparkSession, dataset: Dataset, streaming_path: str, processed_path: str, catalog: str) -> int:
    """Merges the latest events of one dataset; returns the rows merged (0 when nothing was streamed yet)."""
    source = f"{streaming_path}/{dataset.topic}"
    if not has_events(spark, source):
        print(f"{source}: no events yet, skipping {dataset.table}")
        return 0
    events = spark.read.parquet(source)
    latest = latest_per_key(events, dataset).cache()
    latest.write.mode("overwrite").parquet(f"{processed_path}/{dataset.table}")
    spark.sql(create_table_sql(catalog, dataset))
    view = f"latest_{dataset.table}"
    latest.createOrReplaceTempView(view)
    spark.sql(merge_sql(catalog, dataset, view))
    count = latest.count()
    latest.unpersist()
    return count


def main() -> int:
    streaming_path = os.environ.get("STREAMING_PATH", "hdfs:///data/streaming")
    processed_path = os.environ.get("PROCESSED_PATH", "hdfs:///data/processed")
    catalog = os.environ.get("CATALOG", "iceberg")
    tables = [t.strip() for t in os.environ.get("TABLES", ",".join(DATASETS)).split(",") if t.strip()]
    unknown = [t for t in tables if t not in DATASETS]
    if unknown:
        raise SystemExit(f"TABLES names unknown tables {unknown}; known: {sorted(DATASETS)}")
    spark = SparkSession.builder.appName("sample_spark_job").getOrCreate()
    for table in tables:
        rows = process(spark, DATASETS[table], streaming_path, processed_path, catalog)
        print(f"{catalog}.default.{table}: merged {rows} latest rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
