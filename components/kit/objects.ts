/** Turns an engine's plain manifests into Pulumi resources, in an order the API server can satisfy. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { KEPT_MARKS, type Manifest } from "./manifests";
import { applyOverrides, type Overrides } from "./overrides";

type Constructor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const CONSTRUCTORS: Record<string, Constructor> = {
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/Service": k8s.core.v1.Service,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "batch/v1/Job": k8s.batch.v1.Job,
  "batch/v1/CronJob": k8s.batch.v1.CronJob,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
  "cert-manager.io/v1/Certificate": k8s.apiextensions.CustomResource,
  "monitoring.coreos.com/v1/PodMonitor": k8s.apiextensions.CustomResource,
  "monitoring.coreos.com/v1/PrometheusRule": k8s.apiextensions.CustomResource,
};

/** Kinds that hold or own data; protected in production. */
const STATEFUL_KINDS = new Set(["StatefulSet"]);

/** A mark's property path: it stays on a StatefulSet after the run that set it (infra/marks). */
export const keptMark = (annotation: string) => `metadata.annotations["${annotation}"]`;

/**
 * A StatefulSet's claim templates cannot change in place: a change replaces it, deleted first (it
 * keeps its name). Only a volume growth does that, after orphaning its pods (infra/volume-growth).
 */
const STATEFUL_OPTIONS: pulumi.CustomResourceOptions = {
  replaceOnChanges: ["spec.volumeClaimTemplates"],
  deleteBeforeReplace: true,
  ignoreChanges: KEPT_MARKS.map(keptMark),
};

/**
 * Creation phases: configuration; setup Jobs the workload needs done (a schema); the workload; its
 * ClusterIP Service, awaited until it has ready endpoints, so after the workload; other Jobs, which
 * talk to the workload, last.
 */
function phaseOf(m: Manifest, setupJobs: string[]): number {
  if (m.kind === "Job" && setupJobs.some((prefix) => m.metadata.name.startsWith(prefix))) return 1;
  if (m.kind === "StatefulSet" || m.kind === "Deployment") return 2;
  if (m.kind === "Service" && (m.spec as { clusterIP?: string }).clusterIP !== "None") return 3;
  if (m.kind === "Job") return 4;
  // The binding names its policy, which must exist first.
  if (m.kind === "ValidatingAdmissionPolicyBinding") return 1;
  return 0;
}

export interface CreateOptions {
  parent: pulumi.Resource;
  protectStateful: boolean;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Name prefixes of Jobs that must finish before the workloads start. */
  setupJobs?: string[];
  /** The engine's role overrides (kit/overrides), applied to the rendered objects last. */
  overrides?: Overrides;
}

export function createObjects(rendered: Manifest[], o: CreateOptions): pulumi.CustomResource[] {
  const manifests = applyOverrides(rendered, o.overrides);
  const created: pulumi.CustomResource[] = [];
  const external = o.dependsOn ?? [];
  let previous: pulumi.Input<pulumi.Resource>[] = [];
  for (const phase of [0, 1, 2, 3, 4]) {
    const current = manifests
      .filter((m) => phaseOf(m, o.setupJobs ?? []) === phase)
      .map((m) => {
        const ctor = CONSTRUCTORS[`${m.apiVersion}/${m.kind}`];
        if (!ctor) throw new Error(`no resource type for ${m.apiVersion} ${m.kind}`);
        return new ctor(m.metadata.name, m, {
          ...(m.kind === "StatefulSet" ? STATEFUL_OPTIONS : {}),
          parent: o.parent,
          // Every object waits for what the engine waits for, and for the phase before its own.
          dependsOn: [...external, ...previous],
          protect: o.protectStateful && STATEFUL_KINDS.has(m.kind),
        });
      });
    created.push(...current);
    if (current.length) previous = current;
  }
  return created;
}
