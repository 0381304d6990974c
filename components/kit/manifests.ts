/**
 * Builders for the Kubernetes objects every engine needs. They return plain manifests so that an
 * engine's spec function stays pure and unit-testable; `createObjects` turns them into resources.
 */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import { selectorLabels, workloadLabels, type Workload } from "./labels";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./security";
import type { Resources, Storage } from "./sizing";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Port {
  name: string;
  port: number;
  /** TCP unless said (StatsD's UDP). */
  protocol?: "UDP";
}

/** A short, stable digest of any JSON-serialisable value (config checksums, Job names). */
export function digest(value: unknown, length = 10): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, length);
}

export function containerResources(r: Resources): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { cpu: r.requests.cpu, memory: r.requests.memory },
    limits: { memory: r.limits.memory, ...(r.limits.cpu ? { cpu: r.limits.cpu } : {}) },
  };
}

/** The container ports for the ports a Service exposes (one list for both). */
export function containerPorts(ports: Port[]): { name: string; containerPort: number; protocol?: string }[] {
  return ports.map((p) => ({ name: p.name, containerPort: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) }));
}

/** A container with the restricted security context and the given sizing. */
export function container(c: Omit<Container, "securityContext" | "resources"> & { resources: Resources }): Container {
  return { imagePullPolicy: "IfNotPresent", ...c, resources: containerResources(c.resources), securityContext: restrictedContainerSecurity() };
}

/** Prefer spreading replicas over nodes and zones, but never refuse to schedule because of it. */
export function softSpread(w: Workload): Pick<PodSpec, "affinity" | "topologySpreadConstraints"> {
  const labelSelector = { matchLabels: selectorLabels(w) };
  return {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector } }],
      },
    },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector }],
  };
}

/** Pod spec defaults shared by every workload: restricted security, no service links, own account. */
export function podSpec(w: Workload, uid: number, spec: PodSpec, serviceAccountName: string): PodSpec {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    // Service env vars such as KAFKA_PORT=tcp://... break images that map env vars to config.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(uid),
    ...softSpread(w),
    ...spec,
  };
}

export function serviceAccount(name: string, namespace: string, w: Workload): Manifest {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace, labels: workloadLabels(w) },
    automountServiceAccountToken: false,
  };
}

function service(name: string, namespace: string, w: Workload, ports: Port[], spec: Record<string, unknown>): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: workloadLabels(w) },
    spec: {
      ...spec,
      selector: selectorLabels(w),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol ?? "TCP" })),
    },
  };
}

/** Peer discovery: per-pod DNS names that exist before the pods are ready (quorum bootstrap). */
export function headlessService(name: string, namespace: string, w: Workload, ports: Port[]): Manifest {
  return service(name, namespace, w, ports, { clusterIP: "None", publishNotReadyAddresses: true });
}

/** The stable client endpoint of a workload: a ClusterIP Service over its ready pods. */
export function clientService(name: string, namespace: string, w: Workload, ports: Port[]): Manifest {
  return service(name, namespace, w, ports, { type: "ClusterIP" });
}

/** One pod at a time may go, and a crash-looping pod never blocks a node drain. */
export function podDisruptionBudget(name: string, namespace: string, w: Workload): Manifest {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace, labels: workloadLabels(w) },
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: selectorLabels(w) },
    },
  };
}

/** A pod template: the workload's labels, and the checksum of its rendered config so a change rolls it. */
function podTemplate(w: Workload, version: string | undefined, configChecksum: string | undefined, pod: PodSpec) {
  return {
    metadata: {
      labels: workloadLabels(w, version),
      ...(configChecksum ? { annotations: { "dataplatform.io/config-checksum": configChecksum } } : {}),
    },
    spec: pod,
  };
}

export interface VolumeClaim {
  name: string;
  storage: Storage;
}

export interface StatefulSetArgs {
  name: string;
  namespace: string;
  workload: Workload;
  version?: string;
  replicas: number;
  serviceName: string;
  pod: PodSpec;
  volumeClaims: VolumeClaim[];
  /** Anything whose change must roll the pods (rendered config files). */
  configChecksum?: string;
  /** A quorum: why its size cannot change by editing the count, and what to do (kit/size-guard). */
  fixedSize?: string;
}

/** On a StatefulSet: why its size is fixed and what to do instead (the size guard's refusal message). */
export const FIXED_SIZE_ANNOTATION = "dataplatform.io/fixed-size";

/**
 * On a StatefulSet recreated for larger volumes: which claims grew, from and to what. Set by the run
 * that grows them (infra/volume-growth), kept by the runs after it (objects.ts ignores it).
 */
export const VOLUME_GROWTH_ANNOTATION = "dataplatform.io/volume-growth";

/**
 * On the DataNode StatefulSet: the ordinals the NameNodes keep excluded (decommissioned before a
 * scale-down), so a later scale-up readmits them. Set by infra/datanode-decommission, kept likewise.
 */
export const DECOMMISSIONED_ANNOTATION = "dataplatform.io/decommissioned-datanodes";

/** Marks a run sets on a StatefulSet and the runs after it keep (objects.ts ignores their changes). */
export const KEPT_MARKS = [VOLUME_GROWTH_ANNOTATION, DECOMMISSIONED_ANNOTATION];

/**
 * A StatefulSet with an explicit name (a replacement finds the same PVCs `<claim>-<name>-<ordinal>`),
 * parallel pod management (quorum members must start together) and retained volumes.
 */
export function statefulSet(a: StatefulSetArgs): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: {
      name: a.name,
      namespace: a.namespace,
      labels: workloadLabels(a.workload, a.version),
      // Always an annotations object: the marks a run sets are kept by ignoring changes below it,
      // which Pulumi cannot do where the object itself comes and goes.
      annotations: a.fixedSize ? { [FIXED_SIZE_ANNOTATION]: a.fixedSize } : {},
    },
    spec: {
      replicas: a.replicas,
      serviceName: a.serviceName,
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate" },
      selector: { matchLabels: selectorLabels(a.workload) },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      template: podTemplate(a.workload, a.version, a.configChecksum, a.pod),
      volumeClaimTemplates: a.volumeClaims.map((v) => ({
        metadata: { name: v.name, labels: selectorLabels(a.workload) },
        spec: {
          accessModes: ["ReadWriteOnce"],
          ...(v.storage.storageClass ? { storageClassName: v.storage.storageClass } : {}),
          resources: { requests: { storage: v.storage.size } },
        },
      })),
    },
  };
}

export interface DeploymentArgs {
  name: string;
  namespace: string;
  workload: Workload;
  version?: string;
  replicas: number;
  pod: PodSpec;
  configChecksum?: string;
  /** Recreate: never two pods at once (a single streaming driver on one checkpoint). */
  strategy?: "RollingUpdate" | "Recreate";
}

/** A Deployment for a stateless workload, rolled when its rendered configuration changes. */
export function deployment(a: DeploymentArgs): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: a.name, namespace: a.namespace, labels: workloadLabels(a.workload, a.version) },
    spec: {
      replicas: a.replicas,
      ...(a.strategy ? { strategy: { type: a.strategy } } : {}),
      selector: { matchLabels: selectorLabels(a.workload) },
      template: podTemplate(a.workload, a.version, a.configChecksum, a.pod),
    },
  };
}

export function configMap(name: string, namespace: string, w: Workload, data: Record<string, string>): Manifest {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, labels: workloadLabels(w) }, data };
}

export interface JobArgs {
  /** Name prefix; the digest of the pod spec is appended so a changed task runs as a new Job. */
  prefix: string;
  namespace: string;
  workload: Workload;
  uid: number;
  serviceAccountName: string;
  container: Container;
  initContainers?: Container[];
  volumes?: k8s.types.input.core.v1.Volume[];
}

/** A one-shot, idempotent task. Jobs are immutable, so the name carries the digest of what it does. */
export function job(a: JobArgs): Manifest {
  const pod = podSpec(
    a.workload,
    a.uid,
    {
      restartPolicy: "OnFailure",
      ...(a.initContainers?.length ? { initContainers: a.initContainers } : {}),
      containers: [a.container],
      volumes: a.volumes,
    },
    a.serviceAccountName,
  );
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `${a.prefix}-${digest(pod, 8)}`, namespace: a.namespace, labels: workloadLabels(a.workload) },
    spec: {
      backoffLimit: 10,
      activeDeadlineSeconds: 1800,
      template: { metadata: { labels: workloadLabels(a.workload) }, spec: pod },
    },
  };
}

/** A writable scratch directory for a read-only root filesystem. */
export function scratchVolume(name: string, sizeLimit = "256Mi"): k8s.types.input.core.v1.Volume {
  return { name, emptyDir: { sizeLimit } };
}

/** A pod spec's init containers: an empty list adds no key, so a pod without any stays as it was. */
export function initContainers(list: k8s.types.input.core.v1.Container[]): { initContainers?: k8s.types.input.core.v1.Container[] } {
  return list.length ? { initContainers: list } : {};
}
