import type { MonitoringConfig } from "./metrics";
import type * as pulumi from "@pulumi/pulumi";

/** What every engine component takes: where, its validated config, and the tier's protection. */
export interface EngineArgs<C> {
  namespace: string;
  /** The cluster's DNS domain (kit/dns). */
  clusterDomain: string;
  config: C;
  /** Production protects stateful resources and credentials against deletion. */
  production: boolean;
  /** The environment's monitoring section: engines serve Prometheus metrics while it is set. */
  monitoring?: MonitoringConfig;
  /** Resources the engine's objects must wait for (the namespace). Children do not inherit dependsOn. */
  dependsOn?: pulumi.Resource[];
}
