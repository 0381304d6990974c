/**
 * The alerts on what every pod shares (restarts, volumes filling, a scrape unanswered), read from
 * kube-state-metrics, the kubelet and Prometheus itself, which every Prometheus Operator install has.
 * Each engine brings its own alerts with its metrics (its `alerts` contract).
 */
import { alert, type AlertGroup } from "../kit/metrics";

/** What every pod shares, for every stack with monitoring. */
export function platformAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.pods",
    rules: [
      alert(
        "DataPlatformMetricsDown",
        `up{${sel}} == 0`,
        "10m",
        "warning",
        "A data platform pod does not answer its metrics scrape",
        "{{ $labels.pod }} ({{ $labels.job }}) has not answered Prometheus for 10 minutes: the engine is down or its metrics port is blocked.",
      ),
      alert(
        "DataPlatformPodRestarting",
        `increase(kube_pod_container_status_restarts_total{${sel}}[30m]) > 3`,
        "5m",
        "warning",
        "A data platform container keeps restarting",
        "{{ $labels.pod }}/{{ $labels.container }} restarted {{ $value | humanize }} times in 30 minutes.",
      ),
      alert(
        "DataPlatformVolumeFilling",
        `kubelet_volume_stats_available_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}} < 0.15`,
        "15m",
        "warning",
        "A data platform volume is more than 85% full",
        "{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free; grow it with the engine's storage setting (README: Growing storage).",
      ),
      alert(
        "DataPlatformVolumeFullIn24h",
        `predict_linear(kubelet_volume_stats_available_bytes{${sel}}[6h], 24 * 3600) < 0 and kubelet_volume_stats_available_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}} < 0.4`,
        "1h",
        "critical",
        "A data platform volume will be full within a day",
        "{{ $labels.persistentvolumeclaim }} fills at its 6-hour rate within 24 hours.",
      ),
    ],
  };
}
