"""The pipeline DAG under the pinned Airflow: it imports cleanly and has the seed's shape."""
from pathlib import Path

import pytest
from airflow.models.dagbag import DagBag

from conftest import AIRFLOW_DIR


@pytest.fixture(scope="module")
def dagbag():
    return DagBag(dag_folder=str(AIRFLOW_DIR / "dags"), include_examples=False)


def test_the_dag_folder_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert list(dagbag.dags) == ["enterprise_data_pipeline"]


def test_task_groups_are_the_seeds_in_order(dagbag):
    dag = dagbag.dags["enterprise_data_pipeline"]
    groups = list(dag.task_group.children)
    assert groups == ["data_generation", "ingestion", "processing", "storage", "analytics"]
    downstream = {g: sorted(dag.task_group.children[g].downstream_group_ids) for g in groups}
    assert downstream == {"data_generation": ["ingestion"], "ingestion": ["processing"], "processing": ["storage"], "storage": ["analytics"], "analytics": []}


def test_tasks_and_operators(dagbag):
    dag = dagbag.dags["enterprise_data_pipeline"]
    tasks = {t.task_id: type(t).__name__ for t in dag.tasks}
    assert tasks == {
        "data_generation.generate_orders": "PythonOperator",
        "data_generation.generate_customers": "PythonOperator",
        "data_generation.generate_products": "PythonOperator",
        "ingestion.check_topics": "PythonOperator",
        "ingestion.wait_for_streaming_flush": "PythonOperator",
        "processing.spark_batch_to_iceberg": "SparkOperator",
        "storage.optimize_orders": "StarburstOperator",
        "storage.optimize_customers": "StarburstOperator",
        "storage.optimize_products": "StarburstOperator",
        "analytics.dbt_build": "DbtOperator",
        "analytics.check_daily_revenue": "StarburstOperator",
    }
    assert dag.get_task("analytics.check_daily_revenue").upstream_task_ids == {"analytics.dbt_build"}
    assert "fail('daily_revenue is empty')" in dag.get_task("analytics.check_daily_revenue").sql
    assert dag.get_task("ingestion.wait_for_streaming_flush").upstream_task_ids == {"ingestion.check_topics"}
    assert dag.get_task("processing.spark_batch_to_iceberg").upstream_task_ids == {"ingestion.wait_for_streaming_flush"}
    assert dag.max_active_runs == 1 and dag.catchup is False
