import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { Flow } from "../kit";
import { createObjects } from "../kit/objects";
import type { KafkaConfig } from "./config";
import { bootstrapServers, kafkaFlows, kafkaManifests } from "./spec";

export type KafkaArgs = EngineArgs<KafkaConfig>;

export class Kafka extends pulumi.ComponentResource {
  public readonly bootstrapServers: string;
  public readonly clusterId: string;
  public readonly flows: Flow[];

  constructor(name: string, args: KafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kafka:Kafka", name, {}, opts);
    createObjects(kafkaManifests(args.config, args.namespace), { parent: this, protectStateful: args.production, dependsOn: args.dependsOn });
    this.bootstrapServers = bootstrapServers(args.namespace);
    this.clusterId = args.config.clusterId;
    this.flows = kafkaFlows();
    this.registerOutputs({ bootstrapServers: this.bootstrapServers, clusterId: this.clusterId });
  }
}
