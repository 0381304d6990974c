"""The platform's operators build the right commands and Jobs; the generator makes consistent events."""
import json

import pytest

from dataplatform_operators import DbtOperator, SparkOperator, StarburstOperator
from dataplatform_operators.generator import generate, produce, require_events
from fake_trino import FakeCoordinator
from dataplatform_operators.spark import job_from_template, spark_submit_command

CRONJOB = {
    "metadata": {"name": "spark-batch", "namespace": "data-platform", "labels": {"app.kubernetes.io/name": "spark", "app.kubernetes.io/component": "batch"}},
    "spec": {"suspend": True, "jobTemplate": {"spec": {"backoffLimit": 2, "template": {"spec": {
        "serviceAccountName": "spark", "restartPolicy": "Never",
        "containers": [{"name": "batch", "image": "apache/spark:4.0.1", "command": ["old"],
                        "env": [{"name": "TABLES", "value": "orders"}, {"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "minio-credentials", "key": "root-user"}}}]}],
    }}}}},
}


def test_spark_submit_command():
    cmd = spark_submit_command("sample_spark_job.py", {"spark.sql.shuffle.partitions": "64"}, max_cores=4)
    assert cmd[:2] == ["/bin/bash", "-c"]
    assert cmd[2] == ('set -eu\nexec /opt/spark/bin/spark-submit --deploy-mode client --conf spark.driver.host="$POD_IP" '
                      "--conf spark.cores.max=4 --conf spark.sql.shuffle.partitions=64 /opt/platform/apps/sample_spark_job.py")


def test_job_from_the_cronjob_template_keeps_its_secrets_and_swaps_the_command():
    job = job_from_template(CRONJOB, "spark-run-1", ["run"], {"TABLES": "orders,customers"})
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert job["kind"] == "Job" and job["metadata"]["namespace"] == "data-platform"
    assert container["command"] == ["run"]
    assert {"name": "TABLES", "value": "orders,customers"} in container["env"]
    assert {"name": "TABLES", "value": "orders"} not in container["env"]
    assert any(e["name"] == "AWS_ACCESS_KEY_ID" and "valueFrom" in e for e in container["env"])
    assert CRONJOB["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"] == ["old"]


class FakeBatchApi:
    def __init__(self, outcomes, cronjob=CRONJOB):
        self.outcomes = list(outcomes)
        self.created = []
        self.cronjob = cronjob

    def read_namespaced_cron_job(self, name, namespace):
        assert (name, namespace) == (self.cronjob["metadata"]["name"], "data-platform")
        return self.cronjob

    def create_namespaced_job(self, namespace, job):
        self.created.append(job)

    def read_namespaced_job_status(self, name, namespace):
        return {"status": self.outcomes.pop(0)}


def test_spark_operator_runs_a_job_and_waits_for_it():
    api = FakeBatchApi([{}, {"succeeded": 1}])
    op = SparkOperator(task_id="t", application="sample_spark_job.py", namespace="data-platform", job_name="spark-t-1", poll_seconds=0, client_factory=lambda: api)
    assert op.execute({}) == "spark-t-1"
    assert api.created[0]["spec"]["template"]["spec"]["containers"][0]["command"][2].endswith("/opt/platform/apps/sample_spark_job.py")


def test_spark_operator_fails_when_the_job_fails():
    api = FakeBatchApi([{"failed": 3}])
    op = SparkOperator(task_id="t", application="sample_spark_job.py", namespace="data-platform", job_name="spark-t-2", poll_seconds=0, client_factory=lambda: api)
    with pytest.raises(RuntimeError, match=r"Job spark-t-2 \(from cronjob/spark-batch\) failed"):
        op.execute({})


def test_a_job_past_its_deadline_fails_the_task_instead_of_hanging():
    api = FakeBatchApi([{"active": 1}, {"failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}]}])
    op = SparkOperator(task_id="t", application="sample_spark_job.py", namespace="data-platform", job_name="spark-t-3", poll_seconds=0, client_factory=lambda: api)
    with pytest.raises(RuntimeError, match="spark-t-3 .* failed: DeadlineExceeded"):
        op.execute({})


def test_each_try_runs_its_own_job_and_a_restarted_try_follows_the_existing_one():
    class Conflict(Exception):
        status = 409

    class Ti:
        try_number = 2

    api = FakeBatchApi([{"conditions": [{"type": "Complete", "status": "True"}]}])
    api.create_namespaced_job = lambda namespace, job: (_ for _ in ()).throw(Conflict())
    op = SparkOperator(task_id="t", application="sample_spark_job.py", namespace="data-platform", job_name="x" * 70, poll_seconds=0, client_factory=lambda: api)
    name = op.execute({"ti": Ti()})
    assert name == "x" * 61 + "-2" and len(name) == 63

    class Boom(Exception):
        status = 403

    api = FakeBatchApi([])
    api.create_namespaced_job = lambda namespace, job: (_ for _ in ()).throw(Boom())
    with pytest.raises(Boom):
        SparkOperator(task_id="t", application="a.py", namespace="data-platform", job_name="j", poll_seconds=0, client_factory=lambda: api).execute({})


def test_jobs_made_from_templates_are_cleaned_up_a_day_after_they_finish():
    assert job_from_template(CRONJOB, "j", None, {})["spec"]["ttlSecondsAfterFinished"] == 86400


DBT_CRONJOB = {
    "metadata": {"name": "dbt", "namespace": "data-platform", "labels": {"app.kubernetes.io/name": "dbt"}},
    "spec": {"suspend": True, "jobTemplate": {"spec": {"backoffLimit": 1, "template": {"spec": {
        "containers": [{"name": "dbt", "image": "python:3.12.12-slim", "command": ["/bin/sh", "-c", "pip install ... && exec dbt build"],
                        "env": [{"name": "DBT_TARGET", "value": "dev"}, {"name": "TRINO_HOST", "value": "trino"}]}],
    }}}}},
}


def test_dbt_operator_keeps_the_templates_command_and_sets_target_and_selection():
    api = FakeBatchApi([{"succeeded": 1}], cronjob=DBT_CRONJOB)
    op = DbtOperator(task_id="d", target="prod", select="marts", namespace="data-platform", job_name="dbt-d-1", poll_seconds=0, client_factory=lambda: api)
    assert op.execute({}) == "dbt-d-1"
    container = api.created[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == DBT_CRONJOB["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert {"name": "DBT_TARGET", "value": "prod"} in container["env"] and {"name": "DBT_TARGET", "value": "dev"} not in container["env"]
    assert {"name": "DBT_SELECT", "value": "marts"} in container["env"]
    assert {"name": "TRINO_HOST", "value": "trino"} in container["env"]


# The Role the deployment binds to the task runner (components/airflow/spec.ts TASK_JOB_RULES), as API calls.
ALLOWED_CALLS = {"read_namespaced_cron_job", "create_namespaced_job", "read_namespaced_job_status"}


def test_operators_call_only_what_their_role_allows():
    calls = []

    class Recorder(FakeBatchApi):
        def __getattribute__(self, name):
            if not name.startswith("_") and name not in ("outcomes", "created", "cronjob"):
                calls.append(name)
            return object.__getattribute__(self, name)

    for op in (SparkOperator(task_id="s", application="sample_spark_job.py", namespace="data-platform", job_name="s-1", poll_seconds=0, client_factory=lambda: Recorder([{}, {"succeeded": 1}])),
               DbtOperator(task_id="d", target="dev", namespace="data-platform", job_name="d-1", poll_seconds=0, client_factory=lambda: Recorder([{"succeeded": 1}], cronjob=DBT_CRONJOB))):
        op.execute({})
    assert set(calls) == ALLOWED_CALLS


class FakeCursor:
    def __init__(self, log):
        self.log = log

    def execute(self, sql):
        self.log.append(sql)

    def fetchall(self):
        return [(len(self.log),)]


class FakeConnection:
    def __init__(self, log, **params):
        self.params, self.log, self.closed = params, log, False

    def cursor(self):
        return FakeCursor(self.log)

    def close(self):
        self.closed = True


def test_starburst_operator_runs_statements_in_order_on_the_coordinator(monkeypatch):
    monkeypatch.setenv("TRINO_HOST", "trino.data-platform.svc.cluster.local")
    log, made = [], []

    def connect(**params):
        made.append(FakeConnection(log, **params))
        return made[-1]

    op = StarburstOperator(task_id="s", sql=["ALTER TABLE iceberg.default.orders EXECUTE optimize;", "  ", "SELECT 1"], connect=connect)
    assert op.execute({}) == [[2]]
    assert log == ["ALTER TABLE iceberg.default.orders EXECUTE optimize", "SELECT 1"]
    assert made[0].params == {"host": "trino.data-platform.svc.cluster.local", "port": 8080, "user": "airflow", "catalog": "iceberg", "schema": "default", "http_scheme": "http"}
    assert made[0].closed


def test_starburst_operator_logs_in_over_https_when_the_deployment_gives_a_password(monkeypatch):
    """Trino in tls mode: user, password and CA file from the environment the chart values give the pods."""
    from trino.auth import BasicAuthentication

    monkeypatch.setenv("TRINO_HOST", "trino.data-platform.svc.cluster.local")
    monkeypatch.setenv("TRINO_PORT", "8443")
    monkeypatch.setenv("TRINO_USER", "airflow")
    monkeypatch.setenv("TRINO_PASSWORD", "from-the-secret")
    monkeypatch.setenv("TRINO_CA_FILE", "/etc/trino-ca/ca.crt")
    params = StarburstOperator(task_id="s", sql="SELECT 1").connection_params()
    auth = params.pop("auth")
    assert isinstance(auth, BasicAuthentication) and (auth._username, auth._password) == ("airflow", "from-the-secret")
    assert params == {"host": "trino.data-platform.svc.cluster.local", "port": 8443, "user": "airflow", "catalog": "iceberg",
                      "schema": "default", "http_scheme": "https", "verify": "/etc/trino-ca/ca.crt"}


def test_generated_events_are_consistent_and_reproducible():
    a, b = generate(20, 5, 100, seed=1), generate(20, 5, 100, seed=1)
    assert [e["order_id"] for e in a["orders"]] == [e["order_id"] for e in b["orders"]]
    customers = {c["customer_id"] for c in a["customers"]}
    products = {p["product_id"]: p for p in a["products"]}
    assert len(a["orders"]) == 100 and len(customers) == 20
    for o in a["orders"]:
        assert o["customer_id"] in customers and o["product_id"] in products
        assert o["unit_price"] == products[o["product_id"]]["price"]
        assert abs(float(o["total_amount"]) - o["quantity"] * float(o["unit_price"])) < 0.01
        assert o["status"] in {"placed", "paid", "shipped", "cancelled", "returned"}


def test_produce_sends_json_keyed_by_id():
    class Producer:
        def __init__(self):
            self.sent, self.flushed = [], False

        def send(self, topic, key, value):
            self.sent.append((topic, key, json.loads(value)))

        def flush(self):
            self.flushed = True

    p = Producer()
    events = generate(2, 1, 3, seed=3)
    assert produce("kafka:9092", {"orders": events["orders"]}, producer=p) == {"orders": 3}
    assert p.flushed and [k for _, k, _ in p.sent] == [o["order_id"].encode() for o in events["orders"]]


def test_require_events_fails_on_an_empty_topic():
    class Consumer:
        def partitions_for_topic(self, topic):
            return {0, 1}

        def end_offsets(self, partitions):
            return {tp: (5 if tp.topic == "orders" else 0) for tp in partitions}

    with pytest.raises(RuntimeError, match=r"topics without events: \['customers'\]"):
        require_events("kafka:9092", ["orders", "customers"], consumer=Consumer())


def test_starburst_operator_speaks_trinos_protocol_with_the_real_client():
    """The operator's default path: the pinned trino client against a minimal coordinator."""
    with FakeCoordinator() as coordinator:
        op = StarburstOperator(task_id="s", sql=["SELECT 1", "SELECT count(*) FROM iceberg.default.daily_revenue"], host="127.0.0.1", port=coordinator.port)
        assert op.execute({}) == [[20]]
    seen = coordinator.seen
    assert [s["sql"] for s in seen] == ["SELECT 1", "SELECT count(*) FROM iceberg.default.daily_revenue"]
    assert {(s["path"], s["user"], s["catalog"], s["schema"]) for s in seen} == {("/v1/statement", "airflow", "iceberg", "default")}


def test_kafka_clients_use_the_tasks_certificate_over_tls(tmp_path):
    """The settings kafka-python gets in TLS mode, and the files load as Python's ssl (which kafka-python uses) loads them."""
    import ssl
    import subprocess

    from dataplatform_operators.generator import kafka_client_settings

    assert kafka_client_settings({}) == {}
    run = lambda *args: subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "c.csr", "-subj", "/CN=airflow")
    run("x509", "-req", "-in", "c.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2", "-days", "1", "-out", "tls.crt")
    run("pkcs8", "-topk8", "-nocrypt", "-in", "rsa.key", "-out", "tls.key")  # cert-manager's PKCS#8 encoding
    settings = kafka_client_settings({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_TLS_DIR": str(tmp_path)})
    assert settings == {
        "security_protocol": "SSL",
        "ssl_cafile": str(tmp_path / "ca.crt"),
        "ssl_certfile": str(tmp_path / "tls.crt"),
        "ssl_keyfile": str(tmp_path / "tls.key"),
    }
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(settings["ssl_cafile"])
    context.load_cert_chain(settings["ssl_certfile"], settings["ssl_keyfile"])
    with pytest.raises(ValueError, match="allowed: PLAINTEXT, SSL"):
        kafka_client_settings({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
