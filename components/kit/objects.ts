/** Turns an engine's plain manifests into Pulumi resources, in an order the API server can satisfy. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Manifest } from "./manifests";

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
};

/** Kinds that hold or own data; protected in production. */
const STATEFUL_KINDS = new Set(["StatefulSet"]);

/**
 * Creation phases. A ClusterIP Service is awaited until it has ready endpoints, so it comes after its
 * workload; Jobs talk to the workload, so they come last.
 */
function phaseOf(m: Manifest): number {
  if (m.kind === "StatefulSet" || m.kind === "Deployment") return 1;
  if (m.kind === "Service" && (m.spec as { clusterIP?: string }).clusterIP !== "None") return 2;
  if (m.kind === "Job") return 3;
  return 0;
}

export interface CreateOptions {
  parent: pulumi.Resource;
  protectStateful: boolean;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export function createObjects(manifests: Manifest[], o: CreateOptions): pulumi.CustomResource[] {
  const created: pulumi.CustomResource[] = [];
  let previous: pulumi.Input<pulumi.Resource>[] = o.dependsOn ?? [];
  for (const phase of [0, 1, 2, 3]) {
    const current = manifests.filter((m) => phaseOf(m) === phase).map((m) => {
      const ctor = CONSTRUCTORS[`${m.apiVersion}/${m.kind}`];
      if (!ctor) throw new Error(`no resource type for ${m.apiVersion} ${m.kind}`);
      return new ctor(m.metadata.name, m, {
        parent: o.parent,
        dependsOn: previous,
        protect: o.protectStateful && STATEFUL_KINDS.has(m.kind),
      });
    });
    created.push(...current);
    if (current.length) previous = current;
  }
  return created;
}
