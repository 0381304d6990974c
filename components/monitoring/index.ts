import * as pulumi from "@pulumi/pulumi";
import type { AlertGroup, Dashboard, MetricsEndpoint, MonitoringConfig } from "../kit/metrics";
import { createObjects } from "../kit/objects";
import { monitoringManifests } from "./spec";

export interface MonitoringArgs {
  namespace: string;
  config: MonitoringConfig;
  /** Every engine's metrics endpoints (their `metrics` contract). */
  endpoints: MetricsEndpoint[];
  /** Every engine's alerts on its metrics (their `alerts` contract). */
  alerts: AlertGroup[];
  /** Every engine's dashboards (their `dashboards` contract). */
  dashboards: Dashboard[];
  dependsOn?: pulumi.Resource[];
}

/** Prometheus's view of the platform: who may scrape, Grafana's dashboards, and (with the Operator's CRDs) what to scrape and alert on. */
export class Monitoring extends pulumi.ComponentResource {
  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:monitoring:Monitoring", name, {}, opts);
    createObjects(monitoringManifests(args.config, args.namespace, args.endpoints, args.alerts, args.dashboards), {
      parent: this,
      protectStateful: false,
      dependsOn: args.dependsOn,
    });
    this.registerOutputs({ endpoints: args.endpoints.length });
  }
}
