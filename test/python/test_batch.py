"""sample_spark_job.py, for real: HDFS-shaped Parquet -> Iceberg tables, idempotent reruns."""
from decimal import Decimal

from conftest import kafka_records
from kafka_to_hdfs_streaming import parse_events, write_batch
from platform_schemas import CUSTOMERS, ORDERS, PRODUCTS
from sample_spark_job import create_table_sql, latest_per_key, process


def stream(spark, dataset, values, path, first_offset=0):
    write_batch(parse_events(kafka_records(spark, dataset.topic, values, first_offset), dataset), 0, dataset, str(path))


def test_latest_event_per_key_wins(spark, events, tmp_path):
    stream(spark, CUSTOMERS, [events.customer(1, minutes=0, country="DE"), events.customer(1, minutes=5, country="FR"), events.customer(2)], tmp_path)
    latest = {r.customer_id: r.country for r in latest_per_key(spark.read.parquet(str(tmp_path / "customers")), CUSTOMERS).collect()}
    assert latest == {"c1": "FR", "c2": "DE"}


def test_creates_partitioned_iceberg_tables_and_merges_idempotently(spark, events, tmp_path):
    streaming, processed = tmp_path / "streaming", tmp_path / "processed"
    stream(spark, ORDERS, [events.order(1, 1, 1), events.order(2, 2, 1, quantity=1), events.order(1, 1, 1, status="shipped", minutes=30)], streaming)
    stream(spark, PRODUCTS, [events.product(1, price="19.99")], streaming)

    assert process(spark, ORDERS, str(streaming), str(processed), "iceberg") == 2
    assert process(spark, PRODUCTS, str(streaming), str(processed), "iceberg") == 1
    orders = {r.order_id: r.status for r in spark.table("iceberg.default.orders").collect()}
    assert orders == {"o1": "shipped", "o2": "placed"}
    spec = spark.sql("SELECT * FROM iceberg.default.orders.partitions").columns
    assert "partition" in spec
    assert spark.sql("SELECT partition FROM iceberg.default.orders.partitions").first().partition.order_ts_day is not None

    # A rerun over the same events changes nothing; newer events update in place.
    process(spark, ORDERS, str(streaming), str(processed), "iceberg")
    assert spark.table("iceberg.default.orders").count() == 2
    stream(spark, ORDERS, [events.order(2, 2, 1, quantity=1, status="cancelled", minutes=90)], streaming, first_offset=10)
    process(spark, ORDERS, str(streaming), str(processed), "iceberg")
    assert {r.order_id: r.status for r in spark.table("iceberg.default.orders").collect()} == {"o1": "shipped", "o2": "cancelled"}
    assert spark.read.parquet(str(processed / "orders")).count() == 2
    price = spark.table("iceberg.default.products").first().price
    assert price == Decimal("19.99")


def test_table_ddl_uses_the_shared_schema_and_partitioning():
    ddl = create_table_sql("iceberg", ORDERS)
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS iceberg.default.orders (order_id string,")
    assert "unit_price decimal(10,2)" in ddl and "PARTITIONED BY (days(order_ts))" in ddl


def test_a_dataset_nothing_was_streamed_for_yet_is_skipped(spark, tmp_path):
    assert process(spark, CUSTOMERS, str(tmp_path / "streaming"), str(tmp_path / "processed"), "iceberg") == 0
    assert not (tmp_path / "processed" / "customers").exists()


def test_unknown_tables_are_refused(monkeypatch):
    import pytest
    import sample_spark_job

    monkeypatch.setenv("TABLES", "orders,refunds")
    with pytest.raises(SystemExit, match=r"unknown tables \['refunds'\]"):
        sample_spark_job.main()
