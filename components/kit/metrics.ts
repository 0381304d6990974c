/**
 * Prometheus metrics: the endpoints engines publish, the JMX exporter Java agent the JVM engines
 * run with, and the environment's `monitoring` section (where Prometheus runs, and whether the
 * Prometheus Operator's objects and Grafana dashboards are made).
 */
import type * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import type { Workload } from "./labels";
import { configMap, container, type Manifest, scratchVolume } from "./manifests";
import { image } from "./sizing";

/** The agent from Maven Central: the newest release Maven Central served when it was pinned (later ones are not published there). */
export const JMX_EXPORTER = {
  coordinates: "io.prometheus.jmx:jmx_prometheus_javaagent:1.0.1",
  jar: "jmx_prometheus_javaagent-1.0.1.jar",
  /** Checked after the download: Maven Central's own checksums travel with the jar. */
  sha256: "7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1",
} as const;
export const MAVEN_IMAGE = "maven:3.9.9-eclipse-temurin-17";
/** Where the agent jar is: fetched into a volume there, or already in the image (agent: image). */
export const AGENT_DIR = "/opt/jmx-exporter";
export const AGENT_JAR = `${AGENT_DIR}/${JMX_EXPORTER.jar}`;
/** Where the engine's rules file is mounted. */
export const AGENT_CONFIG_DIR = "/etc/jmx-exporter";
export const AGENT_CONFIG_FILE = "jmx-exporter.yaml";
/** The port every JMX exporter serves /metrics on (a container port named "metrics"). */
export const METRICS_PORT = 9404;
export const METRICS_PORT_NAME = "metrics";

const labelMap = z.record(z.string(), z.string({ error: "must be a label value" }));

export const monitoringConfig = z.strictObject({
  /**
   * Where the JMX exporter agent comes from: "maven" fetches it from Maven Central in an init
   * container (checksum verified; the pod needs HTTPS egress), "image" expects it in the engine's
   * image at /opt/jmx-exporter/<jar> (an image built with it; no egress).
   */
  agent: z.enum(["maven", "image"], { error: 'must be "maven" or "image"' }).default("maven"),
  mavenImage: image.default(MAVEN_IMAGE),
  /** Who scrapes: Prometheus's namespace, and (optionally) its pods' labels. Only they reach a metrics port. */
  prometheus: z
    .strictObject({
      namespace: z
        .string({ error: "must be a namespace name" })
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a namespace name" })
        .default("monitoring"),
      podLabels: labelMap.optional(),
    })
    .default({ namespace: "monitoring" }),
  /** The cluster has the Prometheus Operator's CRDs: PodMonitors and PrometheusRules are made. */
  prometheusOperator: z.boolean({ error: "must be true or false" }).default(false),
  /** Labels Prometheus selects PodMonitors and PrometheusRules by (kube-prometheus-stack: release: <its release>). */
  monitorLabels: labelMap.optional(),
  /**
   * Grafana dashboards as ConfigMaps, labelled for Grafana's dashboard sidecar (kube-prometheus-stack
   * and the Grafana chart look for grafana_dashboard: "1" by default).
   */
  dashboards: z
    .strictObject({
      enabled: z.boolean({ error: "must be true or false" }).default(true),
      labels: labelMap.default({ grafana_dashboard: "1" }),
    })
    .default({ enabled: true, labels: { grafana_dashboard: "1" } }),
  /** How engines write their logs to stdout where they can choose: one JSON object per event, or their usual text. */
  logFormat: z.enum(["json", "text"], { error: 'must be "json" or "text"' }).default("json"),
  scrapeInterval: z
    .string()
    .regex(/^\d+(s|m)$/, { error: "must be seconds or minutes, such as 30s" })
    .default("30s"),
});
export type MonitoringConfig = z.infer<typeof monitoringConfig>;
export type LogFormat = MonitoringConfig["logFormat"];

/** An engine's metrics endpoint: the pods (by workload), the port (a container port named "metrics"), the path. */
export interface MetricsEndpoint {
  workload: Workload;
  port: number;
  path: string;
  /** The container port's name, when the metrics share an engine's own port (MinIO's S3 port); else "metrics". */
  portName?: string;
  /** An engine's own port over TLS: Prometheus verifies it with the CA for the Service's name. */
  tls?: { ca: { name: string; key: string }; serverName: string };
  /** Its pods fetch the JMX exporter agent from Maven Central (HTTPS egress). */
  fetchesAgent?: boolean;
}

/** The JMX exporter agent's endpoints of an engine's workloads: /metrics on METRICS_PORT. */
export function jmxEndpoints(m: MonitoringConfig, ...workloads: Workload[]): MetricsEndpoint[] {
  return workloads.map((workload) => ({ workload, port: METRICS_PORT, path: "/metrics", fetchesAgent: m.agent === "maven" }));
}

/** A Prometheus alerting rule (PrometheusRule spec.groups[].rules[]). */
export interface Alert {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "warning" | "critical" };
  annotations: { summary: string; description: string };
}
export interface AlertGroup {
  name: string;
  rules: Alert[];
}

export function alert(name: string, expr: string, forDuration: string, severity: "warning" | "critical", summary: string, description: string): Alert {
  return { alert: name, expr, for: forDuration, labels: { severity }, annotations: { summary, description } };
}

/** A graph on a dashboard: its queries (PromQL, each with its legend) and unit (Grafana's ids: short, bytes, s, percentunit...). */
export interface Panel {
  title: string;
  unit: string;
  targets: { expr: string; legend: string }[];
}
/** An engine's dashboard: its graphs, in reading order. */
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

/** `queries`: one PromQL expression, or several by their legends ({{label}} names a series by its label). */
export function panel(title: string, queries: string | Record<string, string>, unit = "short", legend = ""): Panel {
  const targets = typeof queries === "string" ? [{ expr: queries, legend }] : Object.entries(queries).map(([l, expr]) => ({ expr, legend: l }));
  return { title, unit, targets };
}

/** An engine that serves metrics: the endpoints Prometheus scrapes, its alerts and dashboards on them (none while monitoring is off). */
export interface Monitored {
  metrics: MetricsEndpoint[];
  alerts: AlertGroup[];
  dashboards: Dashboard[];
}

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** What a JVM pod adds to run the JMX exporter agent with its engine's rules. */
export interface JmxAgent {
  initContainers: Container[];
  volumes: Volume[];
  /** For the JVM's container. */
  mounts: VolumeMount[];
  /** The JVM option that loads the agent, serving METRICS_PORT. */
  javaOption: string;
  port: { name: string; containerPort: number };
}

/** The init container's script: the agent from Maven Central, refused unless its SHA-256 is the pinned one. */
export function agentFetchScript(): string {
  return [
    "set -eu",
    `mvn -q dependency:copy -Dartifact=${JMX_EXPORTER.coordinates} -DoutputDirectory=${AGENT_DIR} -Dmaven.repo.local=/tmp/m2`,
    `echo "${JMX_EXPORTER.sha256}  ${AGENT_JAR}" | sha256sum -c -`,
  ].join("\n");
}

/**
 * The agent for one pod: `rulesConfigMap` holds the engine's rules under AGENT_CONFIG_FILE. In
 * "maven" mode an init container fetches the jar into a volume; in "image" mode the image has it.
 */
export function jmxAgent(m: MonitoringConfig, rulesConfigMap: string): JmxAgent {
  const fetch = m.agent === "maven";
  return {
    initContainers: fetch
      ? [
          container({
            name: "jmx-exporter",
            image: m.mavenImage,
            command: ["/bin/bash", "-c", agentFetchScript()],
            env: [
              { name: "HOME", value: "/tmp" },
              { name: "MAVEN_CONFIG", value: "/tmp/.m2" },
            ],
            resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } },
            volumeMounts: [
              { name: "jmx-exporter", mountPath: AGENT_DIR },
              { name: "jmx-exporter-tmp", mountPath: "/tmp" },
            ],
          }),
        ]
      : [],
    volumes: [
      ...(fetch ? [scratchVolume("jmx-exporter", "64Mi"), scratchVolume("jmx-exporter-tmp", "1Gi")] : []),
      { name: "jmx-exporter-config", configMap: { name: rulesConfigMap, items: [{ key: AGENT_CONFIG_FILE, path: AGENT_CONFIG_FILE }] } },
    ],
    mounts: [
      ...(fetch ? [{ name: "jmx-exporter", mountPath: AGENT_DIR, readOnly: true }] : []),
      { name: "jmx-exporter-config", mountPath: AGENT_CONFIG_DIR, readOnly: true },
    ],
    javaOption: `-javaagent:${AGENT_JAR}=${METRICS_PORT}:${AGENT_CONFIG_DIR}/${AGENT_CONFIG_FILE}`,
    port: { name: METRICS_PORT_NAME, containerPort: METRICS_PORT },
  };
}

/**
 * An engine's agent while monitoring is on: the JMX agent reading its rules from `rulesConfigMap`,
 * that ConfigMap's data (which its pods' checksum includes), and the ConfigMap itself. All empty when off.
 */
export function engineAgent(monitoring: MonitoringConfig | undefined, rulesConfigMap: string, rulesFile: () => string) {
  const jmx = monitoring ? jmxAgent(monitoring, rulesConfigMap) : undefined;
  const rules: Record<string, string> = jmx ? { [AGENT_CONFIG_FILE]: rulesFile() } : {};
  return {
    jmx,
    rules,
    configMaps: (ns: string, w: Workload): Manifest[] => (jmx ? [configMap(rulesConfigMap, ns, w, rules)] : []),
  };
}
