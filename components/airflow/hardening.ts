/** The platform's hardening of the chart's own objects (tokens, service links, probes, the pod-launcher binding). */
import type { AirflowConfig } from "./config";
import { apiCallers, chartName, RELEASE, SCHEDULER_ACCOUNT } from "./names";

/**
 * What the chart does not set on its pods but the policy pack requires: no service-account token where
 * a pod never calls the Kubernetes API, no service-link variables, and a readiness probe on the
 * scheduler, dag-processor and triggerer, which have only a liveness check: their job's heartbeat
 * (`airflow jobs check`), which is also what "ready" means for them. Applied to the chart's objects.
 */
export function hardenChartObject(cfg: AirflowConfig, type: string, props: Record<string, any>): Record<string, any> | undefined {
  if (type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") return onlySchedulerLaunchesPods(props);
  if (!["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"].includes(type)) return undefined;
  const spec = props.spec?.template?.spec;
  if (!spec) return undefined;
  const token = apiCallers(cfg).some((w) => chartName(w) === props.metadata?.name);
  const longRunning = type !== "kubernetes:batch/v1:Job";
  const containers = (spec.containers ?? []).map((c: any) =>
    longRunning && c.livenessProbe && !c.readinessProbe ? { ...c, readinessProbe: c.livenessProbe } : c,
  );
  return {
    ...props,
    spec: {
      ...props.spec,
      template: { ...props.spec.template, spec: { ...spec, containers, automountServiceAccountToken: token, enableServiceLinks: false } },
    },
  };
}

/**
 * The chart binds its pod-launcher Role (pods create/delete/patch and pods/exec) to the scheduler, the
 * triggerer and the task pods' account. Only the scheduler starts task pods: a task able to exec into
 * any pod of the namespace could read every engine's credentials.
 */
export const POD_LAUNCHER_BINDING = `${RELEASE}-pod-launcher-rolebinding`;
function onlySchedulerLaunchesPods(props: Record<string, any>): Record<string, any> | undefined {
  if (props.metadata?.name !== POD_LAUNCHER_BINDING) return undefined;
  return { ...props, subjects: (props.subjects ?? []).filter((s: any) => s.kind === "ServiceAccount" && s.name === SCHEDULER_ACCOUNT) };
}
