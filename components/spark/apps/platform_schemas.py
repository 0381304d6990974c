"""The platform's event and table definitions, read from lake-tables.json (one place for all engines).

The file lives in components/lakehouse/ in the repository and is shipped beside these applications
in the deployment. The streaming application parses events with these schemas, the batch job
creates and merges the Iceberg tables with them, and the SQL engines create the same tables.
"""
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql.types import (
    BooleanType, DataType, DateType, DecimalType, DoubleType, IntegerType, LongType, StringType, StructField,
    StructType, TimestampType,
)

_HERE = Path(__file__).resolve().parent
_CANDIDATES = [
    Path(os.environ["PLATFORM_TABLES"]) if "PLATFORM_TABLES" in os.environ else None,
    _HERE / "lake-tables.json",
    _HERE.parent.parent / "lakehouse" / "lake-tables.json",
]

_SIMPLE = {
    "string": StringType(), "int": IntegerType(), "bigint": LongType(), "double": DoubleType(),
    "date": DateType(), "timestamp": TimestampType(), "boolean": BooleanType(),
}


def spark_type(name: str) -> DataType:
    decimal = re.fullmatch(r"decimal\((\d+),(\d+)\)", name)
    if decimal:
        return DecimalType(int(decimal.group(1)), int(decimal.group(2)))
    if name not in _SIMPLE:
        raise ValueError(f"lake-tables.json: type {name} has no Spark mapping")
    return _SIMPLE[name]


def _partition(p: dict) -> str:
    return p["column"] if p["transform"] == "identity" else f"{p['transform']}s({p['column']})"


@dataclass(frozen=True)
class Dataset:
    topic: str
    table: str
    key: str
    event_time: str
    schema: StructType
    partition_by: str
    namespace: str = "default"

    @property
    def identifier(self) -> str:
        return f"{self.namespace}.{self.table}"


def load(path: Path = None) -> dict:
    """Datasets fed by a Kafka topic, by topic."""
    source = path or next(p for p in _CANDIDATES if p is not None and p.is_file())
    spec = json.loads(Path(source).read_text())
    datasets = {}
    for t in spec["tables"]:
        if "topic" not in t:
            continue  # marts, built by the SQL models
        schema = StructType([StructField(c["name"], spark_type(c["type"]), False) for c in t["columns"]])
        datasets[t["topic"]] = Dataset(
            topic=t["topic"], table=t["name"], key=t["key"], event_time=t["eventTime"], schema=schema,
            partition_by=", ".join(_partition(p) for p in t["partitioning"]), namespace=spec["namespace"],
        )
    return datasets


DATASETS = load()
ORDERS, CUSTOMERS, PRODUCTS = DATASETS["orders"], DATASETS["customers"], DATASETS["products"]
