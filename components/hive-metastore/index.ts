import * as pulumi from "@pulumi/pulumi";
import type { Flow, Workload } from "../kit";
import type { DatabaseServer, MetastoreService, ObjectStore } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { HiveMetastoreConfig } from "./config";
import { metastoreService } from "./contract";
import { hiveMetastoreManifests, metastoreFlows, metastoreMetrics, SETUP_JOBS } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { metastoreAlerts, metastoreDashboard } from "./metrics";

export interface HiveMetastoreArgs extends EngineArgs<HiveMetastoreConfig> {
  /** The metastore's database (MySQL). */
  database: DatabaseServer;
  /** The lake its warehouse lives in (MinIO). */
  lake: ObjectStore;
}

export class HiveMetastore extends pulumi.ComponentResource implements MetastoreService, Monitored {
  public readonly uri: string;
  public readonly warehouse: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: HiveMetastoreArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:hive:Metastore before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:hive-metastore:HiveMetastore", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:hive:Metastore" }] });
    const backends = { database: args.database, lake: args.lake };
    createObjects(hiveMetastoreManifests(args.config, args.namespace, backends, undefined, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
      setupJobs: SETUP_JOBS,
    });
    ({ uri: this.uri, warehouse: this.warehouse, access: this.access } = metastoreService(args.namespace, args.lake, args.clusterDomain));
    this.flows = metastoreFlows(backends);
    this.metrics = metastoreMetrics(args.monitoring);
    this.alerts = args.monitoring ? [metastoreAlerts(args.namespace)] : [];
    this.dashboards = args.monitoring ? [metastoreDashboard(args.namespace)] : [];
    this.registerOutputs({ uri: this.uri });
  }
}
