import * as pulumi from "@pulumi/pulumi";
import type { Flow, Workload } from "../kit";
import type { DatabaseServer, MetastoreService, ObjectStore } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { HiveMetastoreConfig } from "./config";
import { metastoreService } from "./contract";
import { hiveMetastoreManifests, metastoreFlows, SETUP_JOBS } from "./spec";

export interface HiveMetastoreArgs extends EngineArgs<HiveMetastoreConfig> {
  /** The metastore's database (MySQL). */
  database: DatabaseServer;
  /** The lake its warehouse lives in (MinIO). */
  lake: ObjectStore;
}

export class HiveMetastore extends pulumi.ComponentResource implements MetastoreService {
  public readonly uri: string;
  public readonly warehouse: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];

  constructor(name: string, args: HiveMetastoreArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:hive:Metastore before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:hive-metastore:HiveMetastore", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:hive:Metastore" }] });
    const backends = { database: args.database, lake: args.lake };
    createObjects(hiveMetastoreManifests(args.config, args.namespace, backends), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
      setupJobs: SETUP_JOBS,
    });
    ({ uri: this.uri, warehouse: this.warehouse, access: this.access } = metastoreService(args.namespace, args.lake, args.clusterDomain));
    this.flows = metastoreFlows(backends);
    this.registerOutputs({ uri: this.uri });
  }
}
