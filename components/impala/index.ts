import * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../kit";
import type { HdfsCluster, MetastoreService, ObjectStore } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { ImpalaConfig } from "./config";
import { impalaFlows, impalaManifests, PORTS, SERVICES } from "./spec";
import { serviceHost } from "../kit/dns";

export interface ImpalaArgs extends EngineArgs<ImpalaConfig> {
  hdfs: HdfsCluster;
  metastore: MetastoreService;
  /** Tables in the lake (MinIO). */
  lake: ObjectStore;
}

export class Impala extends pulumi.ComponentResource {
  /** HiveServer2 endpoint of the coordinators (impala-shell, JDBC). */
  public readonly hs2: string;
  public readonly flows: Flow[];

  constructor(name: string, args: ImpalaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:impala:Impala", name, {}, opts);
    const backends = { hdfs: args.hdfs, metastore: args.metastore, lake: args.lake };
    createObjects(impalaManifests(args.config, args.namespace, backends, args.clusterDomain), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    this.hs2 = `${serviceHost(SERVICES.coordinator, args.namespace, args.clusterDomain)}:${PORTS.hs2}`;
    this.flows = impalaFlows(backends);
    this.registerOutputs({ hs2: this.hs2 });
  }
}
