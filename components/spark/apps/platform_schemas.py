"""The platform's event and table definitions, in one place.

Each topic carries JSON events; each becomes an Iceberg table in the `iceberg.default` namespace.
The streaming application parses events with these schemas, the batch job creates and merges the
tables with them, and the SQL engines read the same tables.
"""
from dataclasses import dataclass

from pyspark.sql.types import (
    DecimalType, IntegerType, StringType, StructField, StructType, TimestampType,
)


@dataclass(frozen=True)
class Dataset:
    topic: str
    table: str
    key: str
    event_time: str
    schema: StructType
    partition_by: str

    @property
    def identifier(self) -> str:
        return f"default.{self.table}"


def _schema(*fields: StructField) -> StructType:
    return StructType(list(fields))


ORDERS = Dataset(
    topic="orders",
    table="orders",
    key="order_id",
    event_time="order_ts",
    partition_by="days(order_ts)",
    schema=_schema(
        StructField("order_id", StringType(), False),
        StructField("customer_id", StringType(), False),
        StructField("product_id", StringType(), False),
        StructField("quantity", IntegerType(), False),
        StructField("unit_price", DecimalType(10, 2), False),
        StructField("total_amount", DecimalType(12, 2), False),
        StructField("currency", StringType(), False),
        StructField("status", StringType(), False),
        StructField("order_ts", TimestampType(), False),
    ),
)

CUSTOMERS = Dataset(
    topic="customers",
    table="customers",
    key="customer_id",
    event_time="updated_ts",
    partition_by="country",
    schema=_schema(
        StructField("customer_id", StringType(), False),
        StructField("name", StringType(), False),
        StructField("email", StringType(), False),
        StructField("country", StringType(), False),
        StructField("segment", StringType(), False),
        StructField("signup_ts", TimestampType(), False),
        StructField("updated_ts", TimestampType(), False),
    ),
)

PRODUCTS = Dataset(
    topic="products",
    table="products",
    key="product_id",
    event_time="updated_ts",
    partition_by="category",
    schema=_schema(
        StructField("product_id", StringType(), False),
        StructField("name", StringType(), False),
        StructField("category", StringType(), False),
        StructField("price", DecimalType(10, 2), False),
        StructField("currency", StringType(), False),
        StructField("updated_ts", TimestampType(), False),
    ),
)

DATASETS = {d.topic: d for d in (ORDERS, CUSTOMERS, PRODUCTS)}

# Columns the streaming application adds to every event.
METADATA_COLUMNS = ["_kafka_partition", "_kafka_offset", "_kafka_timestamp", "event_date"]
