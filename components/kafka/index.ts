import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import type { Flow, Workload } from "../kit";
import type { KafkaCluster } from "../kit/contracts";
import { createObjects } from "../kit/objects";
import type { KafkaConfig } from "./config";
import type { CertificatesConfig } from "../kit/certificates";
import { kafkaCluster } from "./contract";
import { kafkaFlows, kafkaManifests, kafkaMetrics } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { kafkaAlerts, kafkaDashboard } from "./metrics";

export type KafkaArgs = EngineArgs<KafkaConfig> & {
  /** The environment's cert-manager issuer (required in TLS mode). */
  certificates?: CertificatesConfig;
};

export class Kafka extends pulumi.ComponentResource implements KafkaCluster, Monitored {
  public readonly bootstrapServers: string;
  public readonly clusterId: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly clientTls?: KafkaCluster["clientTls"];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: KafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kafka:Kafka", name, {}, opts);
    createObjects(kafkaManifests(args.config, args.namespace, args.clusterDomain, args.certificates, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    ({
      bootstrapServers: this.bootstrapServers,
      clusterId: this.clusterId,
      access: this.access,
      clientTls: this.clientTls,
    } = kafkaCluster(args.config, args.namespace, args.clusterDomain));
    this.flows = kafkaFlows(args.config);
    this.metrics = kafkaMetrics(args.monitoring);
    this.alerts = args.monitoring ? [kafkaAlerts(args.namespace)] : [];
    this.dashboards = args.monitoring ? [kafkaDashboard(args.namespace)] : [];
    this.registerOutputs({ bootstrapServers: this.bootstrapServers, clusterId: this.clusterId });
  }
}
