"""What `npm run health` asks Airflow by exec: each active DAG's newest run and the tasks that failed in it.

Run with the image's Python inside an Airflow pod, which has the metadata database's connection.
Prints one JSON document: {"dags": [{"dag_id", "paused", "last_run": {...} | null, "failed_tasks": [...]}]}.
"""
import json
import logging

logging.disable(logging.WARNING)

from airflow.models import DagModel, DagRun, TaskInstance  # noqa: E402
from airflow.utils.session import create_session  # noqa: E402
from sqlalchemy import select  # noqa: E402


def newest_runs():
    with create_session() as session:
        dags = session.scalars(select(DagModel).where(DagModel.is_stale.is_(False)).order_by(DagModel.dag_id)).all()
        for dag in dags:
            run = session.scalars(
                select(DagRun).where(DagRun.dag_id == dag.dag_id).order_by(DagRun.run_after.desc()).limit(1)
            ).first()
            failed = []
            if run is not None:
                failed = session.scalars(
                    select(TaskInstance.task_id)
                    .where(TaskInstance.dag_id == dag.dag_id, TaskInstance.run_id == run.run_id, TaskInstance.state == "failed")
                    .order_by(TaskInstance.task_id)
                ).all()
            yield {
                "dag_id": dag.dag_id,
                "paused": bool(dag.is_paused),
                "last_run": None
                if run is None
                else {
                    "run_id": run.run_id,
                    "state": str(run.state),
                    "end_date": run.end_date.isoformat() if run.end_date else None,
                },
                "failed_tasks": list(failed),
            }


print(json.dumps({"dags": list(newest_runs())}))
