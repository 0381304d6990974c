"""kafka_to_hdfs_streaming.py, for real in local mode on small generated data."""
import json
from decimal import Decimal

import pytest

from conftest import kafka_records
from kafka_to_hdfs_streaming import kafka_security_options, parse_events, settings, start_topic, write_batch
from platform_schemas import CUSTOMERS, DATASETS, ORDERS


def test_parses_events_into_typed_columns_with_kafka_metadata(spark, events):
    raw = kafka_records(spark, "orders", [events.order(1, customer=1, product=1, quantity=3, price="10.50")])
    row = parse_events(raw, ORDERS).collect()[0]
    assert row.order_id == "o1" and row.quantity == 3
    assert row.unit_price == Decimal("10.50") and row.total_amount == Decimal("31.50")
    assert row.order_ts.isoformat().startswith("2026-11-01T08:00")
    assert row.event_date.isoformat() == "2026-11-01"
    assert (row._kafka_partition, row._kafka_offset) == (0, 0)
    assert row._valid is True


@pytest.mark.parametrize("bad", ["{not json", json.dumps({"customer_id": "c1", "quantity": 1}), json.dumps({"order_id": "o9"})])
def test_marks_unparseable_or_incomplete_events_invalid(spark, bad):
    row = parse_events(kafka_records(spark, "orders", [bad]), ORDERS).collect()[0]
    assert row._valid is False
    assert row._raw == bad


def test_write_batch_keeps_good_events_by_date_and_rejected_ones_with_raw_text(spark, events, tmp_path):
    raw = kafka_records(spark, "customers", [events.customer(1), "garbage", events.customer(2, minutes=60 * 24)])
    write_batch(parse_events(raw, CUSTOMERS), 0, CUSTOMERS, str(tmp_path))
    good = spark.read.parquet(str(tmp_path / "customers"))
    assert sorted(r.customer_id for r in good.collect()) == ["c1", "c2"]
    assert sorted(p.name for p in (tmp_path / "customers").iterdir() if p.name.startswith("event_date=")) == ["event_date=2026-11-01", "event_date=2026-11-02"]
    assert "_raw" not in good.columns and "_valid" not in good.columns
    rejected = spark.read.parquet(str(tmp_path / "_rejected" / "customers")).collect()
    assert [(r.raw, r.batch_id) for r in rejected] == [("garbage", 0)]


def test_streaming_query_resumes_from_its_checkpoint_without_duplicates(spark, events, tmp_path):
    """The real query path (parse, foreachBatch sink, checkpoint) over a file source shaped like Kafka."""
    source_dir, out, checkpoints = tmp_path / "source", tmp_path / "streaming", tmp_path / "checkpoint"
    first = kafka_records(spark, "orders", [events.order(i, customer=i, product=1) for i in range(5)])
    first.write.mode("append").parquet(str(source_dir))

    def run():
        source = spark.readStream.schema(first.schema).parquet(str(source_dir))
        query = start_topic(source, ORDERS, str(out), str(checkpoints), {"availableNow": True})
        query.awaitTermination(120)
        assert query.exception() is None

    run()
    assert spark.read.parquet(str(out / "orders")).count() == 5
    run()  # nothing new: the checkpoint says all is written
    assert spark.read.parquet(str(out / "orders")).count() == 5
    kafka_records(spark, "orders", [events.order(i, customer=i, product=2) for i in range(5, 8)], first_offset=5).write.mode("append").parquet(str(source_dir))
    run()
    assert spark.read.parquet(str(out / "orders")).count() == 8
    assert (checkpoints / "orders" / "offsets").is_dir()


def test_settings_come_from_the_environment_and_refuse_unknown_topics():
    s = settings({"KAFKA_BOOTSTRAP_SERVERS": "kafka-bootstrap:9092", "TOPICS": "orders, products", "TRIGGER_SECONDS": "10"})
    assert s["topics"] == ["orders", "products"] and s["trigger_seconds"] == 10
    assert s["streaming_path"] == "hdfs:///data/streaming" and s["checkpoint_path"] == "hdfs:///data/checkpoint"
    with pytest.raises(SystemExit, match="KAFKA_BOOTSTRAP_SERVERS is required"):
        settings({})
    with pytest.raises(SystemExit, match=r"unknown topics \['refunds'\]"):
        settings({"KAFKA_BOOTSTRAP_SERVERS": "x:9092", "TOPICS": "orders,refunds"})


def test_every_topic_has_a_dataset():
    assert sorted(DATASETS) == ["customers", "orders", "products"]


def test_tls_settings_give_the_client_certificate_inline_and_refuse_an_unknown_protocol(tmp_path):
    for name, text in {"ca.crt": "CA PEM", "tls.crt": "CHAIN PEM", "tls.key": "KEY PEM"}.items():
        (tmp_path / name).write_text(text)
    assert kafka_security_options({}) == {}
    options = kafka_security_options({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_TLS_DIR": str(tmp_path)})
    assert options == {
        "kafka.security.protocol": "SSL",
        "kafka.ssl.truststore.type": "PEM",
        "kafka.ssl.truststore.certificates": "CA PEM",
        "kafka.ssl.keystore.type": "PEM",
        "kafka.ssl.keystore.certificate.chain": "CHAIN PEM",
        "kafka.ssl.keystore.key": "KEY PEM",
    }
    s = settings({"KAFKA_BOOTSTRAP_SERVERS": "x:9092", "KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_TLS_DIR": str(tmp_path)})
    assert s["security"] == options and s["group_prefix"] == "spark-streaming"
    with pytest.raises(SystemExit, match="KAFKA_SECURITY_PROTOCOL is SASL_SSL; allowed: PLAINTEXT, SSL"):
        kafka_security_options({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
    with pytest.raises(SystemExit, match="KAFKA_TLS_DIR is not set"):
        kafka_security_options({"KAFKA_SECURITY_PROTOCOL": "SSL"})
