"""The dbt project, for real: parse and compile for Trino, then build and test on DuckDB with data."""
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from fake_trino import FakeCoordinator  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "components" / "dbt" / "enterprise_data_pipeline"
DBT = str(Path(os.environ.get("VIRTUAL_ENV", Path(__file__).parent)) / "bin" / "dbt") if os.environ.get("VIRTUAL_ENV") else "dbt"


def dbt(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT / "profiles"), "DBT_TARGET_PATH": str(tmp / "target"),
                   "DBT_LOG_PATH": str(tmp / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env}
    return subprocess.run([DBT, *args], cwd=PROJECT, env=environment, capture_output=True, text=True)


def test_parses_and_compiles_for_trino(tmp_path):
    parsed = dbt(tmp_path, "parse", "--target", "prod")
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    compiled = dbt(tmp_path, "compile", "--target", "prod", "--no-populate-cache")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    sql = (tmp_path / "target/compiled/enterprise_data_pipeline/models/staging/stg_orders.sql").read_text()
    assert 'from "iceberg"."default"."orders"' in sql
    mart = (tmp_path / "target/compiled/enterprise_data_pipeline/models/marts/daily_revenue.sql").read_text()
    assert 'from "iceberg"."staging"."stg_orders"' in mart


START = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def load_lake(path: Path) -> None:
    """Small generated lake: 3 customers (two cohorts), 2 products, orders over two days and months."""
    con = duckdb.connect(str(path))
    con.execute('create schema if not exists "default"')
    con.execute('create table "default".customers (customer_id varchar, name varchar, email varchar, country varchar, segment varchar, signup_ts timestamptz, updated_ts timestamptz)')
    con.execute('create table "default".products (product_id varchar, name varchar, category varchar, price decimal(10,2), currency varchar, updated_ts timestamptz)')
    con.execute('create table "default".orders (order_id varchar, customer_id varchar, product_id varchar, quantity integer, unit_price decimal(10,2), total_amount decimal(12,2), currency varchar, status varchar, order_ts timestamptz)')
    customers = [("c1", "2026-10-05"), ("c2", "2026-10-20"), ("c3", "2026-11-02")]
    for cid, signup in customers:
        con.execute('insert into "default".customers values (?, ?, ?, ?, ?, ?, ?)', [cid, f"Customer {cid}", f"{cid.upper()}@Example.com", "de", "Retail", f"{signup} 10:00:00+00", START])
    con.execute('insert into "default".products values (?, ?, ?, ?, ?, ?)', ["p1", "Book", "Books", Decimal("10.00"), "eur", START])
    con.execute('insert into "default".products values (?, ?, ?, ?, ?, ?)', ["p2", "Game", "Games", Decimal("25.50"), "eur", START])
    orders = [
        ("o1", "c1", "p1", 2, "10.00", "placed", 0),
        ("o2", "c2", "p2", 1, "25.50", "shipped", 1),
        ("o3", "c1", "p2", 2, "25.50", "cancelled", 2),
        ("o4", "c3", "p1", 3, "10.00", "PAID", 24),
        ("o5", "c2", "p1", 1, "10.00", "placed", 24 * 31),
    ]
    for oid, cid, pid, qty, price, status, hours in orders:
        total = Decimal(price) * qty
        con.execute('insert into "default".orders values (?, ?, ?, ?, ?, ?, ?, ?, ?)', [oid, cid, pid, qty, Decimal(price), total, "EUR", status, START + timedelta(hours=hours)])
    con.close()


@pytest.fixture
def lake(tmp_path):
    path = tmp_path / "ci.duckdb"
    load_lake(path)
    return path


def test_models_and_data_tests_run_on_generated_data(tmp_path, lake):
    built = dbt(tmp_path, "build", "--target", "ci", DBT_DUCKDB_PATH=str(lake))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Completed successfully" in built.stdout
    con = duckdb.connect(str(lake), read_only=True)
    revenue = con.execute('select order_date, currency, orders, items, revenue from "default".daily_revenue order by order_date').fetchall()
    assert [(str(d), c, o, i, r) for d, c, o, i, r in revenue] == [
        ("2026-11-01", "EUR", 2, 3, Decimal("45.50")),   # o1 + o2; o3 was cancelled
        ("2026-11-02", "EUR", 1, 3, Decimal("30.00")),   # o4 (status normalised from PAID)
        ("2026-12-02", "EUR", 1, 1, Decimal("10.00")),   # o5
    ]
    cohorts = con.execute('select cast(cohort_month as varchar), cast(activity_month as varchar), months_since_signup, customers, revenue from "default".customer_cohorts order by 1, 2').fetchall()
    assert cohorts == [
        ("2026-10-01", "2026-11-01", 1, 2, Decimal("45.50")),
        ("2026-10-01", "2026-12-01", 2, 1, Decimal("10.00")),
        ("2026-11-01", "2026-11-01", 0, 1, Decimal("30.00")),
    ]
    con.close()


def test_data_tests_catch_bad_data(tmp_path, lake):
    con = duckdb.connect(str(lake))
    con.execute("""insert into "default".orders values ('o9', 'c404', 'p1', 1, 10.00, 10.00, 'EUR', 'lost', now())""")
    con.close()
    built = dbt(tmp_path, "build", "--target", "ci", "--select", "staging", DBT_DUCKDB_PATH=str(lake))
    assert built.returncode != 0
    assert "relationships_stg_orders_customer_id" in built.stdout
    assert "accepted_values_stg_orders_status" in built.stdout


@pytest.mark.parametrize("password", ["", "s3cr3t-from-the-secret"])
def test_profile_logs_in_with_the_credentials_the_job_gives_it(tmp_path, password):
    """No password: the user name only, over HTTP. A password (from the Secret): LDAP basic auth over HTTPS."""
    import base64

    coordinator = FakeCoordinator(tls_dir=tmp_path if password else None)
    env = {"TRINO_HOST": "127.0.0.1", "TRINO_PORT": str(coordinator.port), "TRINO_USER": "etl"}
    if password:
        # The coordinator's certificate is verified against the given CA, as the Job does with dbt.caConfigMap.
        env.update(TRINO_PASSWORD=password, REQUESTS_CA_BUNDLE=str(tmp_path / "cert.pem"))
    try:
        debug = dbt(tmp_path, "debug", "--target", "prod", **env)
    finally:
        coordinator.server.shutdown()
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert coordinator.seen and {s["user"] for s in coordinator.seen} == {"etl"}
    expected = "Basic " + base64.b64encode(f"etl:{password}".encode()).decode() if password else None
    assert {s["authorization"] for s in coordinator.seen} == {expected}
    assert not password or password not in debug.stdout + debug.stderr
