import * as pulumi from "@pulumi/pulumi";
import type { HdfsConfig } from "../hdfs/config";
import { Flow, Workload } from "../kit";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { YarnConfig } from "./config";
import { ContainerRuntime, RM_SERVICE, RM_WEB_PORT, yarnFlows, yarnManifests } from "./spec";

export interface YarnArgs extends EngineArgs<YarnConfig> {
  hdfs: HdfsConfig;
  runtime: ContainerRuntime;
  zookeeperConnect: string;
  zookeeper: Workload;
}

export class Yarn extends pulumi.ComponentResource {
  public readonly webUrl: string;
  public readonly flows: Flow[];

  constructor(name: string, args: YarnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:yarn:YARN", name, {}, opts);
    createObjects(yarnManifests(args.config, args.hdfs, args.namespace, args.zookeeperConnect, args.runtime), { parent: this, protectStateful: args.production, dependsOn: args.dependsOn });
    this.webUrl = `http://${RM_SERVICE}.${args.namespace}.svc.cluster.local:${RM_WEB_PORT}`;
    this.flows = yarnFlows(args.zookeeper);
    this.registerOutputs({ webUrl: this.webUrl });
  }
}
