import * as pulumi from "@pulumi/pulumi";
import type { Flow, Workload } from "../kit";
import type { HadoopClientConfig, HdfsCluster, ZooKeeperEnsemble } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { HdfsConfig } from "./config";
import { hdfsCluster } from "./contract";
import { hdfsFlows, hdfsManifests } from "./spec";

export interface HdfsArgs extends EngineArgs<HdfsConfig> {
  /** Where the HA NameNodes' failover controllers keep their lock. */
  zookeeper: ZooKeeperEnsemble;
}

export class Hdfs extends pulumi.ComponentResource implements HdfsCluster {
  /** fs.defaultFS for clients. */
  public readonly defaultFs: string;
  public readonly clientConfig: HadoopClientConfig;
  public readonly clusterId: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];

  constructor(name: string, args: HdfsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:hdfs:HDFS before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:hdfs:Hdfs", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:hdfs:HDFS" }] });
    const connect = args.zookeeper.connectString;
    createObjects(hdfsManifests(args.config, args.namespace, connect, args.clusterDomain), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    ({
      defaultFs: this.defaultFs,
      clientConfig: this.clientConfig,
      access: this.access,
    } = hdfsCluster(args.config, args.namespace, connect, args.clusterDomain));
    this.clusterId = args.config.clusterId;
    this.flows = hdfsFlows(args.config, args.zookeeper);
    this.registerOutputs({ defaultFs: this.defaultFs, clusterId: this.clusterId, clientConfigMap: this.clientConfig.configMap });
  }
}
