import * as pulumi from "@pulumi/pulumi";
import { allowDns, defaultDeny, type Flow, flowPolicies } from "./network";
import { createObjects } from "./objects";

export interface NetworkPoliciesArgs {
  namespace: string;
  flows: Flow[];
  dependsOn?: pulumi.Resource[];
}

/** Default-deny for the namespace, DNS for every pod, and one allow-list policy per workload. */
export class NetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kit:NetworkPolicies", name, {}, opts);
    createObjects([defaultDeny(args.namespace), allowDns(args.namespace), ...flowPolicies(args.namespace, args.flows)], {
      parent: this,
      protectStateful: false,
      dependsOn: args.dependsOn,
    });
    this.registerOutputs({});
  }
}
