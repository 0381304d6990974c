"""Streams the platform's Kafka topics into HDFS as Parquet, one directory per topic.

Events are parsed with the shared schemas; each micro-batch appends the good rows, partitioned by
event date, under <streaming path>/<topic>, and events that do not parse (bad JSON, a missing
key or event time) under <streaming path>/_rejected/<topic> with the raw text, so nothing is lost
silently. Checkpoints under <checkpoint path>/<topic> make restarts resume where they stopped.

Settings come from the environment (set by the deployment):
  KAFKA_BOOTSTRAP_SERVERS   required
  STREAMING_PATH            default hdfs:///data/streaming
  CHECKPOINT_PATH           default hdfs:///data/checkpoint
  TOPICS                    default orders,customers,products
  STARTING_OFFSETS          default earliest
  TRIGGER_SECONDS           default 30
  KAFKA_SECURITY_PROTOCOL   PLAINTEXT (default) or SSL: then the client certificate in KAFKA_TLS_DIR
  KAFKA_TLS_DIR             tls.crt, tls.key and ca.crt (the Secret of the client's certificate)
  KAFKA_GROUP_PREFIX        default spark-streaming: the consumer groups' prefix the ACLs grant
"""
import os
import sys
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from platform_schemas import DATASETS, Dataset


def parse_events(raw: DataFrame, dataset: Dataset) -> DataFrame:
    """Kafka records (value as bytes) -> typed event columns, Kafka metadata and `_raw`/`_valid`."""
    text = F.col("value").cast("string")
    parsed = raw.select(
        text.alias("_raw"),
        F.from_json(text, dataset.schema, {"mode": "PERMISSIVE", "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX"}).alias("event"),
        F.col("partition").alias("_kafka_partition"),
        F.col("offset").alias("_kafka_offset"),
        F.col("timestamp").alias("_kafka_timestamp"),
    )
    valid = F.col(f"event.{dataset.key}").isNotNull() & F.col(f"event.{dataset.event_time}").isNotNull()
    return parsed.select(
        "event.*",
        "_kafka_partition",
        "_kafka_offset",
        "_kafka_timestamp",
        F.to_date(F.col(f"event.{dataset.event_time}")).alias("event_date"),
        "_raw",
        valid.alias("_valid"),
    )


def write_batch(events: DataFrame, batch_id: int, dataset: Dataset, streaming_path: str) -> None:
    """Appends one micro-batch: good events by date, rejected ones with their raw text.

    The batch is cached so both writes see the same records (the source is read once).
    """
    events.persist()
    try:
        good = events.filter("_valid").drop("_raw", "_valid")
        good.write.mode("append").partitionBy("event_date").parquet(f"{streaming_path}/{dataset.topic}")
        rejected = events.filter("NOT _valid").select(
            F.col("_raw").alias("raw"), "_kafka_partition", "_kafka_offset", "_kafka_timestamp", F.lit(batch_id).alias("batch_id"),
        )
        rejected.write.mode("append").parquet(f"{streaming_path}/_rejected/{dataset.topic}")
    finally:
        events.unpersist()


def kafka_security_options(env=os.environ) -> dict:
    """The Kafka client's TLS settings, the PEM texts given inline so executors need no file of their own."""
    protocol = env.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    if protocol == "PLAINTEXT":
        return {}
    if protocol != "SSL":
        raise SystemExit(f"KAFKA_SECURITY_PROTOCOL is {protocol}; allowed: PLAINTEXT, SSL")
    tls_dir = env.get("KAFKA_TLS_DIR")
    if not tls_dir:
        raise SystemExit("KAFKA_SECURITY_PROTOCOL is SSL but KAFKA_TLS_DIR is not set")

    def read(name):
        with open(os.path.join(tls_dir, name), encoding="utf-8") as f:
            return f.read()

    return {
        "kafka.security.protocol": "SSL",
        "kafka.ssl.truststore.type": "PEM",
        "kafka.ssl.truststore.certificates": read("ca.crt"),
        "kafka.ssl.keystore.type": "PEM",
        "kafka.ssl.keystore.certificate.chain": read("tls.crt"),
        "kafka.ssl.keystore.key": read("tls.key"),
    }


def kafka_source(spark: SparkSession, bootstrap: str, topic: str, starting_offsets: str, security: dict | None = None, group_prefix: str = "spark-streaming") -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("subscribe", topic)
        .option("startingOffsets", starting_offsets)
        .option("failOnDataLoss", "false")
        .option("groupIdPrefix", group_prefix)
    )
    for key, value in (security or {}).items():
        reader = reader.option(key, value)
    return reader.load()


def start_topic(source: DataFrame, dataset: Dataset, streaming_path: str, checkpoint_path: str, trigger: dict):
    """Starts one topic's query; `trigger` as for DataStreamWriter.trigger (processingTime=..., availableNow=True)."""
    sink: Callable[[DataFrame, int], None] = lambda df, batch_id: write_batch(df, batch_id, dataset, streaming_path)
    return (
        parse_events(source, dataset).writeStream.queryName(f"{dataset.topic}_to_hdfs")
        .foreachBatch(sink)
        .option("checkpointLocation", f"{checkpoint_path}/{dataset.topic}")
        .trigger(**trigger)
        .start()
    )


def settings(env=os.environ) -> dict:
    bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        raise SystemExit("KAFKA_BOOTSTRAP_SERVERS is required")
    topics = [t.strip() for t in env.get("TOPICS", ",".join(DATASETS)).split(",") if t.strip()]
    unknown = [t for t in topics if t not in DATASETS]
    if unknown:
        raise SystemExit(f"TOPICS names unknown topics {unknown}; known: {sorted(DATASETS)}")
    return {
        "bootstrap": bootstrap,
        "topics": topics,
        "streaming_path": env.get("STREAMING_PATH", "hdfs:///data/streaming"),
        "checkpoint_path": env.get("CHECKPOINT_PATH", "hdfs:///data/checkpoint"),
        "starting_offsets": env.get("STARTING_OFFSETS", "earliest"),
        "trigger_seconds": int(env.get("TRIGGER_SECONDS", "30")),
        "group_prefix": env.get("KAFKA_GROUP_PREFIX", "spark-streaming"),
        "security": kafka_security_options(env),
    }


def main() -> int:
    s = settings()
    spark = SparkSession.builder.appName("kafka_to_hdfs_streaming").getOrCreate()
    for topic in s["topics"]:
        source = kafka_source(spark, s["bootstrap"], topic, s["starting_offsets"], s["security"], s["group_prefix"])
        start_topic(source, DATASETS[topic], s["streaming_path"], s["checkpoint_path"], {"processingTime": f"{s['trigger_seconds']} seconds"})
    spark.streams.awaitAnyTermination()
    return 0


if __name__ == "__main__":
    sys.exit(main())
