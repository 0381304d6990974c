"""SparkOperator: runs one of the platform's Spark applications as a Kubernetes Job.

The Job is made from the suspended CronJob `spark-batch` that the deployment keeps as a template (so
image, configuration, credentials and network rules are the platform's), with the application and
its settings swapped in. The operator waits for the Job and fails when it fails.
"""
import copy
import time
from typing import Callable, Dict, Optional, Sequence

from airflow.sdk import BaseOperator

APPS_DIR = "/opt/platform/apps"


def spark_submit_command(application: str, conf: Optional[Dict[str, str]] = None, max_cores: Optional[int] = None) -> list:
    """The driver's command: client mode in the Job's pod, reachable by executors at the pod IP."""
    args = ["/opt/spark/bin/spark-submit", "--deploy-mode", "client", "--conf", 'spark.driver.host="$POD_IP"']
    if max_cores:
        args += ["--conf", f"spark.cores.max={max_cores}"]
    for key, value in sorted((conf or {}).items()):
        args += ["--conf", f"{key}={value}"]
    args.append(f"{APPS_DIR}/{application}")
    return ["/bin/bash", "-c", "set -eu\nexec " + " ".join(args)]


def job_from_template(cronjob: dict, name: str, command: Optional[list], env: Dict[str, str]) -> dict:
    """A Job manifest from the CronJob's template with extra environment, and a new command if given."""
    spec = copy.deepcopy(cronjob["spec"]["jobTemplate"]["spec"])
    # Finished Jobs (and their pods' logs) stay a day, then Kubernetes removes them.
    spec.setdefault("ttlSecondsAfterFinished", 86400)
    driver = spec["template"]["spec"]["containers"][0]
    if command is not None:
        driver["command"] = command
    known = {e["name"] for e in driver.get("env", [])}
    driver["env"] = [e for e in driver.get("env", []) if e["name"] not in env] + [{"name": k, "value": v} for k, v in sorted(env.items())]
    labels = dict(cronjob["metadata"].get("labels", {}))
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": cronjob["metadata"]["namespace"], "labels": labels,
                     "annotations": {"dataplatform.io/created-by": "airflow", "dataplatform.io/replaced-env": ",".join(sorted(known & set(env)))}},
        "spec": spec,
    }


def job_outcome(status: dict, backoff_limit: int) -> Optional[str]:
    """"Complete", "Failed" or None (still running), from the Job's conditions: a deadline or a
    backoff limit ends a Job as Failed however many pods failed."""
    for condition in status.get("conditions") or []:
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed"):
            return condition["type"]
    if status.get("succeeded"):
        return "Complete"
    if (status.get("failed") or 0) > backoff_limit:
        return "Failed"
    return None


class TemplateJobOperator(BaseOperator):
    """Runs a Kubernetes Job made from a suspended CronJob the deployment keeps as a template."""

    template_fields: Sequence[str] = ("env", "job_name")

    def __init__(self, *, template_cronjob: str, env: Optional[Dict[str, str]] = None, namespace: Optional[str] = None,
                 job_name: str = "{{ ti.task_id | replace('_', '-') | replace('.', '-') }}-{{ ts_nodash | lower }}",
                 poll_seconds: int = 15, client_factory: Optional[Callable] = None, **kwargs):
        super().__init__(**kwargs)
        self.template_cronjob = template_cronjob
        self.env = env or {}
        self.namespace = namespace
        self.job_name = job_name
        self.poll_seconds = poll_seconds
        self._client_factory = client_factory

    def command(self) -> Optional[list]:
        """The Job's command; None keeps the template's."""
        return None

    def job_env(self) -> Dict[str, str]:
        return dict(self.env)

    def _batch_api(self):
        if self._client_factory:
            return self._client_factory()
        from kubernetes import client, config  # in the Airflow image (cncf.kubernetes provider)
        config.load_incluster_config()
        return client.BatchV1Api()

    def _namespace(self) -> str:
        if self.namespace:
            return self.namespace
        with open("/var/run/secrets/kubernetes.io/serviceaccount/namespace") as f:
            return f.read().strip()

    def name_for(self, context) -> str:
        """One Job per try: a retry runs a new Job instead of colliding with the failed one."""
        ti = context.get("ti") if context else None
        suffix = f"-{ti.try_number}" if ti is not None and getattr(ti, "try_number", None) else ""
        return self.job_name[:63 - len(suffix)].rstrip("-.") + suffix

    def execute(self, context):
        api = self._batch_api()
        namespace = self._namespace()
        cronjob = api.read_namespaced_cron_job(self.template_cronjob, namespace)
        cronjob = cronjob if isinstance(cronjob, dict) else api.api_client.sanitize_for_serialization(cronjob)
        job = job_from_template(cronjob, self.name_for(context), self.command(), self.job_env())
        name = job["metadata"]["name"]
        try:
            api.create_namespaced_job(namespace, job)
            self.log.info("Started Job %s from cronjob/%s", name, self.template_cronjob)
        except Exception as e:  # the same try started it already (the task process was restarted): follow it
            if getattr(e, "status", None) != 409:
                raise
            self.log.info("Job %s exists already; waiting for it", name)
        while True:
            status = api.read_namespaced_job_status(name, namespace)
            status = status if isinstance(status, dict) else api.api_client.sanitize_for_serialization(status)
            outcome = job_outcome(status.get("status") or {}, job["spec"].get("backoffLimit", 6))
            if outcome == "Complete":
                return name
            if outcome == "Failed":
                reasons = [c.get("reason") for c in (status.get("status") or {}).get("conditions") or [] if c.get("type") == "Failed"]
                raise RuntimeError(f"Job {name} (from cronjob/{self.template_cronjob}) failed{': ' + ', '.join(r for r in reasons if r) if any(reasons) else ''}")
            time.sleep(self.poll_seconds)


class SparkOperator(TemplateJobOperator):
    """Submits one of the platform's Spark applications (components/spark/apps) from the spark-batch template."""

    template_fields: Sequence[str] = ("application", "env", "job_name")

    def __init__(self, *, application: str, conf: Optional[Dict[str, str]] = None, max_cores: Optional[int] = None,
                 template_cronjob: str = "spark-batch", **kwargs):
        super().__init__(template_cronjob=template_cronjob, **kwargs)
        self.application = application
        self.conf = conf or {}
        self.max_cores = max_cores

    def command(self) -> list:
        return spark_submit_command(self.application, self.conf, self.max_cores)


class DbtOperator(TemplateJobOperator):
    """Runs `dbt build` from the dbt Job template: its command installs dbt, mounts the project and
    builds $DBT_TARGET (and only $DBT_SELECT when set)."""

    template_fields: Sequence[str] = ("target", "select", "env", "job_name")

    def __init__(self, *, target: str, select: Optional[str] = None, template_cronjob: str = "dbt", **kwargs):
        super().__init__(template_cronjob=template_cronjob, **kwargs)
        self.target = target
        self.select = select

    def job_env(self) -> Dict[str, str]:
        return {**self.env, "DBT_TARGET": self.target, **({"DBT_SELECT": self.select} if self.select else {})}
