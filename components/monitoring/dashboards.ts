/**
 * Grafana dashboards from the engines' panels: Grafana's JSON model, one ConfigMap each, labelled for
 * Grafana's dashboard sidecar. Each asks the Prometheus data source chosen on the dashboard.
 */
import type { Manifest } from "../kit";
import { workloadLabels } from "../kit/labels";
import { type Dashboard, type MonitoringConfig, panel } from "../kit/metrics";
import { MONITORING } from "./workload";

const WIDTH = 12;
const HEIGHT = 8;

/** Grafana's JSON model of a dashboard: time series panels, two per row, on a data source variable. */
export function grafanaJson(d: Dashboard): Record<string, unknown> {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  return {
    uid: d.uid,
    title: d.title,
    tags: ["data-platform"],
    editable: false,
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    templating: {
      list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0 }],
    },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      datasource,
      gridPos: { x: (i % 2) * WIDTH, y: Math.floor(i / 2) * HEIGHT, w: WIDTH, h: HEIGHT },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: t.expr, legendFormat: t.legend })),
    })),
  };
}

/** Every pod's scrape, restarts and volumes: what the platform alerts share. */
export function podsDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  return {
    uid: "data-platform-pods",
    title: "Data platform / Pods",
    panels: [
      panel("Metrics endpoints answering", `sum by (job) (up{${sel}})`, "short", "{{job}}"),
      panel("Container restarts in the last hour", `sum by (pod) (increase(kube_pod_container_status_restarts_total{${sel}}[1h])) > 0`, "short", "{{pod}}"),
      panel(
        "Volume space free",
        `kubelet_volume_stats_available_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}}`,
        "percentunit",
        "{{persistentvolumeclaim}}",
      ),
    ],
  };
}

export function dashboardConfigMap(m: MonitoringConfig, ns: string, d: Dashboard): Manifest {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: d.uid, namespace: ns, labels: { ...workloadLabels(MONITORING), ...m.dashboards.labels } },
    data: { [`${d.uid}.json`]: JSON.stringify(grafanaJson(d), null, 1) },
  };
}
