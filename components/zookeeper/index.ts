import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { Flow, Workload } from "../kit";
import type { ZooKeeperEnsemble } from "../kit/contracts";
import type { ZooKeeperConfig } from "./config";
import { zookeeperEnsemble } from "./contract";
import { zookeeperFlows, zookeeperManifests, zookeeperMetrics } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { zookeeperAlerts, zookeeperDashboard } from "./metrics";

export type ZooKeeperArgs = EngineArgs<ZooKeeperConfig>;

export class ZooKeeper extends pulumi.ComponentResource implements ZooKeeperEnsemble, Monitored {
  public readonly connectString: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: ZooKeeperArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:zookeeper:ZooKeeper", name, {}, opts);
    createObjects(zookeeperManifests(args.config, args.namespace, args.clusterDomain, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    ({ connectString: this.connectString, access: this.access } = zookeeperEnsemble(args.namespace, args.clusterDomain));
    this.flows = zookeeperFlows();
    this.metrics = zookeeperMetrics(args.monitoring);
    this.alerts = args.monitoring ? [zookeeperAlerts(args.namespace)] : [];
    this.dashboards = args.monitoring ? [zookeeperDashboard(args.namespace)] : [];
    this.registerOutputs({ connectString: this.connectString });
  }
}
