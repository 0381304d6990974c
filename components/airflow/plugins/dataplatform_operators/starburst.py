"""StarburstOperator: runs SQL statements on the Trino/Starburst coordinator, one after another."""
import os
from typing import Callable, Optional, Sequence

from airflow.sdk import BaseOperator


class StarburstOperator(BaseOperator):
    """Runs `sql` (one statement or a list) on the coordinator and returns the last statement's rows.

    The coordinator comes from `host`/`port`, else TRINO_HOST/TRINO_PORT (set by the deployment).
    """

    template_fields: Sequence[str] = ("sql",)

    def __init__(self, *, sql, catalog: str = "iceberg", schema: str = "default", host: Optional[str] = None,
                 port: Optional[int] = None, user: str = "airflow", connect: Optional[Callable] = None, **kwargs):
        super().__init__(**kwargs)
        self.sql = sql
        self.catalog = catalog
        self.schema = schema
        self.host = host
        self.port = port
        self.user = user
        self._connect = connect

    def statements(self) -> list:
        statements = [self.sql] if isinstance(self.sql, str) else list(self.sql)
        return [s.strip().rstrip(";") for s in statements if s and s.strip()]

    def connection_params(self) -> dict:
        params = {
            "host": self.host or os.environ.get("TRINO_HOST", "trino"),
            "port": int(self.port or os.environ.get("TRINO_PORT", "8080")),
            "user": os.environ.get("TRINO_USER", self.user),
            "catalog": self.catalog,
            "schema": self.schema,
            "http_scheme": "http",
        }
        password = os.environ.get("TRINO_PASSWORD")
        if password:
            # Trino in tls mode: a login over HTTPS, the coordinator's certificate checked against the platform CA.
            from trino.auth import BasicAuthentication
            params.update(http_scheme="https", auth=BasicAuthentication(params["user"], password),
                          verify=os.environ.get("TRINO_CA_FILE", True))
        return params

    def execute(self, context):
        if self._connect is None:
            from trino.dbapi import connect  # installed in the Airflow image; not needed to parse the DAG
            self._connect = connect
        conn = self._connect(**self.connection_params())
        rows = []
        try:
            cursor = conn.cursor()
            for statement in self.statements():
                self.log.info("Running on %s: %s", self.connection_params()["host"], statement)
                cursor.execute(statement)
                rows = cursor.fetchall()
        finally:
            conn.close()
        return [list(r) for r in rows]
