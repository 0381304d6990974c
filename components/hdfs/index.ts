import * as pulumi from "@pulumi/pulumi";
import { Flow, Workload } from "../kit";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { HdfsConfig } from "./config";
import { defaultFs, hdfsFlows, hdfsManifests } from "./spec";

export interface HdfsArgs extends EngineArgs<HdfsConfig> {
  zookeeperConnect: string;
  zookeeper: Workload;
}

export class Hdfs extends pulumi.ComponentResource {
  /** fs.defaultFS for clients. */
  public readonly defaultFs: string;
  public readonly clusterId: string;
  public readonly flows: Flow[];

  constructor(name: string, args: HdfsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:hdfs:HDFS", name, {}, opts);
    createObjects(hdfsManifests(args.config, args.namespace, args.zookeeperConnect), { parent: this, protectStateful: args.production, dependsOn: args.dependsOn });
    this.defaultFs = defaultFs(args.config, args.namespace);
    this.clusterId = args.config.clusterId;
    this.flows = hdfsFlows(args.config, args.zookeeper);
    this.registerOutputs({ defaultFs: this.defaultFs, clusterId: this.clusterId });
  }
}
