/**
 * What the platform gives Prometheus, from the metrics endpoints the engines publish: a NetworkPolicy
 * per endpoint admitting only Prometheus's pods to its port, HTTPS egress for the pods that fetch
 * the JMX exporter agent, and with the Prometheus Operator's CRDs a PodMonitor per endpoint and the
 * platform's alerts (PrometheusRule).
 */
import { httpsEgress, type Manifest, type Workload } from "../kit";
import { selectorLabels, workloadLabels } from "../kit/labels";
import { type AlertGroup, type Dashboard, type MetricsEndpoint, METRICS_PORT_NAME, type MonitoringConfig } from "../kit/metrics";
import { platformAlerts } from "./alerts";
import { dashboardConfigMap, podsDashboard } from "./dashboards";
import { MONITORING } from "./workload";

export { MONITORING };
const id = (w: Workload) => `${w.name}-${w.component}`;

/** Only Prometheus (its namespace, and its pods' labels when given) reaches a metrics port. */
export function scrapePolicy(m: MonitoringConfig, ns: string, e: MetricsEndpoint): Manifest {
  const prometheus = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": m.prometheus.namespace } },
    ...(m.prometheus.podLabels ? { podSelector: { matchLabels: m.prometheus.podLabels } } : {}),
  };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `allow-metrics-${id(e.workload)}`, namespace: ns, labels: workloadLabels(e.workload) },
    spec: {
      podSelector: { matchLabels: selectorLabels(e.workload) },
      policyTypes: ["Ingress"],
      ingress: [{ from: [prometheus], ports: [{ protocol: "TCP", port: e.port }] }],
    },
  };
}

/** A PodMonitor: Prometheus finds the pods by their labels and scrapes the port named "metrics". */
export function podMonitor(m: MonitoringConfig, ns: string, e: MetricsEndpoint): Manifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: id(e.workload), namespace: ns, labels: { ...workloadLabels(e.workload), ...(m.monitorLabels ?? {}) } },
    spec: {
      selector: { matchLabels: selectorLabels(e.workload) },
      podMetricsEndpoints: [
        {
          port: e.portName ?? METRICS_PORT_NAME,
          path: e.path,
          interval: m.scrapeInterval,
          ...(e.tls ? { scheme: "https", tlsConfig: { ca: { secret: e.tls.ca }, serverName: e.tls.serverName } } : {}),
        },
      ],
    },
  };
}

/** The pods' alerts, then each engine's. */
export function prometheusRule(m: MonitoringConfig, ns: string, engineAlerts: AlertGroup[]): Manifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "data-platform", namespace: ns, labels: { ...workloadLabels(MONITORING), ...(m.monitorLabels ?? {}) } },
    spec: { groups: [platformAlerts(ns), ...engineAlerts] },
  };
}

export function monitoringManifests(
  m: MonitoringConfig,
  ns: string,
  endpoints: MetricsEndpoint[],
  alerts: AlertGroup[] = [],
  dashboards: Dashboard[] = [],
): Manifest[] {
  const fetching = endpoints.filter((e) => e.fetchesAgent);
  return [
    ...(m.dashboards.enabled ? [podsDashboard(ns), ...dashboards].map((d) => dashboardConfigMap(m, ns, d)) : []),
    ...endpoints.map((e) => scrapePolicy(m, ns, e)),
    ...fetching.map((e) => httpsEgress(`allow-${id(e.workload)}-jmx-exporter`, ns, e.workload, { matchLabels: selectorLabels(e.workload) })),
    ...(m.prometheusOperator ? [...endpoints.map((e) => podMonitor(m, ns, e)), prometheusRule(m, ns, alerts)] : []),
  ];
}
