/**
 * The Apache Hadoop distribution that HDFS, YARN and their clients share: its image, user and
 * configuration directory, daemon containers, and mounting a discovery ConfigMap's client files.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { HadoopClientConfig } from "./contracts";
import { engineAgent, type JmxAgent, type MonitoringConfig } from "./metrics";
import { heapMiB } from "./jvm";
import { container } from "./manifests";
import type { Resources } from "./sizing";

export const HADOOP_IMAGE = "apache/hadoop:3.4.1";
/** The apache/hadoop image's hadoop user. */
export const HADOOP_UID = 1000;
export const HADOOP_CONF_DIR = "/opt/hadoop/etc/hadoop";

type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/**
 * Mounts of a ConfigMap's files over the image's (otherwise empty) site files; `keys`: a file taken
 * from another key of the ConfigMap than its own name.
 */
export function hadoopConfigMounts(volume: string, files: string[], dir = HADOOP_CONF_DIR, keys: Record<string, string> = {}): VolumeMount[] {
  return files.map((f) => ({ name: volume, mountPath: `${dir}/${f}`, subPath: keys[f] ?? f }));
}

/** A producer's discovery ConfigMap as a pod volume, and its files mounted into the configuration directory. */
export function clientConfigVolume(volume: string, c: HadoopClientConfig): k8s.types.input.core.v1.Volume {
  return { name: volume, configMap: { name: c.configMap } };
}

export function clientConfigMounts(volume: string, c: HadoopClientConfig, dir = HADOOP_CONF_DIR): VolumeMount[] {
  return hadoopConfigMounts(volume, Object.keys(c.files), dir);
}

export interface DaemonArgs {
  name: string;
  image: string;
  script: string;
  sizing: { heapPercent: number; resources: Resources };
  ports: { name: string; containerPort: number }[];
  readiness: Record<string, unknown>;
  liveness: Record<string, unknown>;
  /** Holds liveness off while a first start formats or copies metadata. */
  startup?: Record<string, unknown>;
  env?: k8s.types.input.core.v1.EnvVar[];
  /** Where the `data` volume is mounted, for daemons that keep state. */
  dataDir?: string;
  /** The site files, mounted into the configuration directory. */
  configMounts: VolumeMount[];
  /** Anything else the daemon reads (a trust store, a copied JDK). */
  mounts?: VolumeMount[];
  /** Monitoring on: the JMX exporter agent (its init containers and volumes are the pod's to add). */
  agent?: DaemonAgent;
}

/**
 * The agent, loaded through the daemon's own options variable (HDFS_NAMENODE_OPTS, YARN_NODEMANAGER_OPTS):
 * Hadoop's scripts read it for that subcommand alone, so an admin tool run in the container (hdfs
 * dfsadmin) starts no second agent on the port. The NameNode's own format or bootstrap before it
 * starts loads one too, and exits before the daemon binds the port.
 */
export interface DaemonAgent {
  jmx: JmxAgent;
  optsVar: `${"HDFS" | "YARN"}_${string}_OPTS`;
}

/**
 * Monitoring on: the agent each of an engine's daemons loads through its options variable
 * (`${engine}_${DAEMON}_OPTS`), the rules for its ConfigMap, and what its pods add. All empty when off.
 */
export function hadoopAgents(monitoring: MonitoringConfig | undefined, engine: "HDFS" | "YARN", rulesConfigMap: string, rulesFile: () => string) {
  const agent = engineAgent(monitoring, rulesConfigMap, rulesFile);
  const jmx = agent.jmx;
  return {
    ...agent,
    of: (daemon: string): DaemonAgent | undefined => jmx && { jmx, optsVar: `${engine}_${daemon}_OPTS` },
    initContainers: jmx?.initContainers ?? [],
    volumes: jmx?.volumes ?? [],
  };
}

/** A Hadoop daemon container: heap from the limit, site files mounted, logs and temp in emptyDirs. */
export function hadoopDaemon(a: DaemonArgs) {
  const heap = heapMiB(a.sizing.resources.limits.memory, a.sizing.heapPercent);
  return container({
    name: a.name,
    image: a.image,
    command: ["/bin/bash", "-c", a.script],
    env: [
      { name: "HADOOP_HEAPSIZE_MAX", value: `${heap}m` },
      { name: "HADOOP_HEAPSIZE_MIN", value: `${heap}m` },
      { name: "HADOOP_LOG_DIR", value: "/tmp/logs" },
      ...(a.env ?? []),
      ...(a.agent ? [{ name: a.agent.optsVar, value: a.agent.jmx.javaOption }] : []),
    ],
    ports: [...a.ports, ...(a.agent ? [a.agent.jmx.port] : [])],
    readinessProbe: a.readiness,
    livenessProbe: a.liveness,
    ...(a.startup ? { startupProbe: a.startup } : {}),
    resources: a.sizing.resources,
    volumeMounts: [
      ...(a.dataDir ? [{ name: "data", mountPath: a.dataDir }] : []),
      ...a.configMounts,
      { name: "tmp", mountPath: "/tmp" },
      ...(a.mounts ?? []),
      ...(a.agent?.jmx.mounts ?? []),
    ],
  });
}
