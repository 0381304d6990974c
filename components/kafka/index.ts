import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import type { Flow, Workload } from "../kit";
import type { KafkaCluster } from "../kit/contracts";
import { createObjects } from "../kit/objects";
import type { KafkaConfig } from "./config";
import { kafkaCluster } from "./contract";
import { kafkaFlows, kafkaManifests } from "./spec";

export type KafkaArgs = EngineArgs<KafkaConfig>;

export class Kafka extends pulumi.ComponentResource implements KafkaCluster {
  public readonly bootstrapServers: string;
  public readonly clusterId: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];

  constructor(name: string, args: KafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kafka:Kafka", name, {}, opts);
    createObjects(kafkaManifests(args.config, args.namespace, args.clusterDomain), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    ({
      bootstrapServers: this.bootstrapServers,
      clusterId: this.clusterId,
      access: this.access,
    } = kafkaCluster(args.config, args.namespace, args.clusterDomain));
    this.flows = kafkaFlows();
    this.registerOutputs({ bootstrapServers: this.bootstrapServers, clusterId: this.clusterId });
  }
}
