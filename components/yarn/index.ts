import * as pulumi from "@pulumi/pulumi";
import type { Flow, Workload } from "../kit";
import type { HadoopClientConfig, HdfsCluster, KafkaCluster, ObjectStore, YarnCluster, ZooKeeperEnsemble } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { YarnConfig } from "./config";
import { yarnCluster } from "./contract";
import { RM_SERVICE, webPorts, yarnFlows, yarnManifests, yarnMetrics } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { yarnAlerts, yarnDashboard } from "./metrics";
import { serviceHost } from "../kit/dns";

export interface YarnArgs extends EngineArgs<YarnConfig> {
  /** The ResourceManager's state store. */
  zookeeper: ZooKeeperEnsemble;
  hdfs: HdfsCluster;
  /** What containers read: the topics and the lake. */
  kafka?: KafkaCluster;
  lake: ObjectStore;
  /** An image with a Java 17 runtime in /opt/java/openjdk, which NodeManagers give their containers. */
  javaImage: string;
}

export class Yarn extends pulumi.ComponentResource implements YarnCluster, Monitored {
  public readonly webUrl: string;
  public readonly clientConfig: HadoopClientConfig;
  public readonly containerJavaHome: string;
  public readonly vcoresPerNode: number;
  public readonly maxContainerMb: number;
  public readonly containers: Workload;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: YarnArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:yarn:YARN before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:yarn:Yarn", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:yarn:YARN" }] });
    const backends = { zookeeper: args.zookeeper, hdfs: args.hdfs, kafka: args.kafka, lake: args.lake };
    createObjects(yarnManifests(args.config, args.namespace, backends, args.javaImage, args.clusterDomain, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    ({
      clientConfig: this.clientConfig,
      containerJavaHome: this.containerJavaHome,
      vcoresPerNode: this.vcoresPerNode,
      maxContainerMb: this.maxContainerMb,
      containers: this.containers,
      access: this.access,
    } = yarnCluster(args.config, args.namespace, args.zookeeper.connectString, args.clusterDomain));
    const web = webPorts(args.config);
    this.webUrl = `${web.scheme}://${serviceHost(RM_SERVICE, args.namespace, args.clusterDomain)}:${web.resourceManager}`;
    this.flows = yarnFlows(backends);
    this.metrics = yarnMetrics(args.monitoring);
    this.alerts = args.monitoring ? [yarnAlerts(args.namespace)] : [];
    this.dashboards = args.monitoring ? [yarnDashboard(args.namespace)] : [];
    this.registerOutputs({ webUrl: this.webUrl });
  }
}
