/** Compliant objects of every kind the pack reads; each test changes one field to break one rule. */
import { cloneDeep } from "lodash";
import { type PackConfig, type PolicyInput, runPolicies, type Violation } from "../../policies/harness";
import { typeOfManifest } from "../../policies/lib/objects";

export const LABELS = {
  "app.kubernetes.io/name": "demo",
  "app.kubernetes.io/instance": "demo-server",
  "app.kubernetes.io/managed-by": "pulumi",
};

function hardenedContainer(name: string): any {
  return {
    name,
    image: "apache/kafka:4.1.1",
    resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

export function compliantPodSpec(): any {
  return {
    serviceAccountName: "demo",
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    initContainers: [hardenedContainer("init")],
    containers: [
      {
        ...hardenedContainer("main"),
        readinessProbe: { tcpSocket: { port: 9092 } },
        livenessProbe: { tcpSocket: { port: 9092 } },
        env: [
          { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "demo", key: "password" } } },
          { name: "KAFKA_HEAP_OPTS", value: "-Xmx128m" },
        ],
      },
    ],
    volumes: [
      { name: "tmp", emptyDir: {} },
      { name: "config", configMap: { name: "demo" } },
    ],
  };
}

export const POD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;
export type PodKind = (typeof POD_KINDS)[number];

const API: Record<string, string> = {
  Pod: "v1",
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  PodDisruptionBudget: "policy/v1",
  NetworkPolicy: "networking.k8s.io/v1",
  Namespace: "v1",
  PersistentVolumeClaim: "v1",
  ReplicationController: "v1",
  PodTemplate: "v1",
};

export function object(kind: string, name: string, body: Record<string, unknown>, namespace: string | undefined = "demo"): PolicyInput {
  const props = { apiVersion: API[kind], kind, metadata: { name, ...(namespace ? { namespace } : {}), labels: { ...LABELS } }, ...body };
  return { type: typeOfManifest(API[kind], kind), name, props, opts: { protect: true } };
}

/** The pod spec wrapped in a workload of the given kind. */
export function workload(kind: PodKind, pod: any = compliantPodSpec(), replicas = 3): PolicyInput {
  const template = { metadata: { labels: { ...LABELS } }, spec: pod };
  const selector = { matchLabels: { ...LABELS } };
  switch (kind) {
    case "Pod":
      return object(kind, "demo", { spec: pod });
    case "Deployment":
    case "ReplicaSet":
      return object(kind, "demo", { spec: { replicas, selector, template } });
    case "StatefulSet":
      return object(kind, "demo", { spec: { replicas, selector, serviceName: "demo", template } });
    case "DaemonSet":
      return object(kind, "demo", { spec: { selector, template } });
    case "Job":
      return object(kind, "demo", { spec: { template: { ...template, spec: { ...pod, restartPolicy: "OnFailure" } } } });
    case "CronJob":
      return object(kind, "demo", {
        spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { ...template, spec: { ...pod, restartPolicy: "OnFailure" } } } } },
      });
  }
}

export function podWith(change: (pod: any) => void): any {
  const pod = cloneDeep(compliantPodSpec());
  change(pod);
  return pod;
}

/** A PDB and a default-deny policy that make a workload's stack complete. */
export function stackAround(...objects: PolicyInput[]): PolicyInput[] {
  return [
    ...objects,
    object("PodDisruptionBudget", "demo", { spec: { maxUnavailable: 1, selector: { matchLabels: { ...LABELS } } } }),
    object("NetworkPolicy", "default-deny-all", { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
  ];
}

/** Violations of one policy at production levels (or with a given pack config). */
export async function violationsOf(policy: string, resources: PolicyInput[], config?: PackConfig): Promise<Violation[]> {
  const run = await runPolicies("test", resources, config);
  return run.violations.filter((v) => v.policy === policy);
}
