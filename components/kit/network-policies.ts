import * as pulumi from "@pulumi/pulumi";
import type { Workload } from "./labels";
import { allowDns, defaultDeny, type Flow, flowPolicies, ingressFromCidrs } from "./network";
import { createObjects } from "./objects";

export interface NetworkPoliciesArgs {
  namespace: string;
  flows: Flow[];
  /** Address blocks admitted to some workloads' ports (the API server's proxy to health endpoints). */
  admitted?: { cidrs: string[]; endpoints: { workload: Workload; port: number }[] };
  dependsOn?: pulumi.Resource[];
}

/** One policy per endpoint of a workload some flow names (a disabled engine's endpoints get none). */
function admittedPolicies(a: NetworkPoliciesArgs) {
  if (!a.admitted) return [];
  const present = new Set(a.flows.flatMap((f) => [f.from, f.to]).map((w) => `${w.name}-${w.component}`));
  return a.admitted.endpoints
    .filter((e) => present.has(`${e.workload.name}-${e.workload.component}`))
    .map((e) => ingressFromCidrs(a.namespace, `allow-health-${e.workload.name}-${e.workload.component}`, e.workload, [e.port], a.admitted!.cidrs));
}

/** Default-deny for the namespace, DNS for every pod, and one allow-list policy per workload. */
export class NetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kit:NetworkPolicies", name, {}, opts);
    createObjects([defaultDeny(args.namespace), allowDns(args.namespace), ...flowPolicies(args.namespace, args.flows), ...admittedPolicies(args)], {
      parent: this,
      protectStateful: false,
      dependsOn: args.dependsOn,
    });
    this.registerOutputs({});
  }
}
