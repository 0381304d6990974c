/**
 * One role of an engine (Kafka's brokers, ZooKeeper's servers, the Hive Metastore) as a record, and
 * the objects every such role gets, made the same way for every engine: its account, its config
 * files' ConfigMap, its Services, its disruption budget, and its StatefulSet or Deployment.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Workload } from "./labels";
import { imageVersion } from "./labels";
import {
  clientService,
  configMap,
  deployment,
  digest,
  headlessService,
  type Manifest,
  type Port,
  podDisruptionBudget,
  serviceAccount,
  statefulSet,
  type VolumeClaim,
} from "./manifests";

/** What every role has, whatever runs its pods. */
interface Role {
  /** The workload's name; the role's ConfigMap and budget carry it too. */
  name: string;
  namespace: string;
  workload: Workload;
  /** The main image: its tag is the version label. */
  image: string;
  replicas: number;
  pod: k8s.types.input.core.v1.PodSpec;
  /** The stable client endpoint, when clients reach the role. */
  client?: { name: string; ports: Port[] };
  /** The role's config files, in a ConfigMap named after it. */
  files?: Record<string, string>;
  /** What rolls the pods when it changes; the files by default. */
  checksumOf?: unknown;
  /** Its own ServiceAccount, when the engine has one account per role. */
  serviceAccount?: string;
}

export interface StatefulRole extends Role {
  /** Peer discovery: per-pod names before the pods are ready. */
  headless: { name: string; ports: Port[] };
  volumeClaims: VolumeClaim[];
  /** A quorum: why its size is fixed (kit/size-guard). */
  fixedSize?: string;
}

export interface StatelessRole extends Role {
  /** Recreate: never two pods at once (a single streaming driver on one checkpoint). */
  strategy?: "RollingUpdate" | "Recreate";
  /** A budget only for a role of several pods (one pod's budget would block every drain). */
  budgetWhenReplicated?: boolean;
}

const accountAndFiles = (r: Role): Manifest[] => [
  ...(r.serviceAccount ? [serviceAccount(r.serviceAccount, r.namespace, r.workload)] : []),
  ...(r.files ? [configMap(r.name, r.namespace, r.workload, r.files)] : []),
];
const checksum = (r: Role) => (r.checksumOf !== undefined || r.files ? digest(r.checksumOf ?? r.files) : undefined);
const clientOf = (r: Role): Manifest[] => (r.client ? [clientService(r.client.name, r.namespace, r.workload, r.client.ports)] : []);

export function statefulRoleObjects(r: StatefulRole): Manifest[] {
  return [
    ...accountAndFiles(r),
    headlessService(r.headless.name, r.namespace, r.workload, r.headless.ports),
    podDisruptionBudget(r.name, r.namespace, r.workload),
    statefulSet({
      name: r.name,
      namespace: r.namespace,
      workload: r.workload,
      version: imageVersion(r.image),
      replicas: r.replicas,
      serviceName: r.headless.name,
      pod: r.pod,
      configChecksum: checksum(r),
      volumeClaims: r.volumeClaims,
      fixedSize: r.fixedSize,
    }),
    ...clientOf(r),
  ];
}

export function statelessRoleObjects(r: StatelessRole): Manifest[] {
  const budget = !r.budgetWhenReplicated || r.replicas > 1;
  return [
    ...accountAndFiles(r),
    ...(budget ? [podDisruptionBudget(r.name, r.namespace, r.workload)] : []),
    deployment({
      name: r.name,
      namespace: r.namespace,
      workload: r.workload,
      version: imageVersion(r.image),
      replicas: r.replicas,
      pod: r.pod,
      configChecksum: checksum(r),
      strategy: r.strategy,
    }),
    ...clientOf(r),
  ];
}
