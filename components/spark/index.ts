import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { TABLES_FILE } from "../lakehouse/tables";
import type { Flow } from "../kit";
import type { HdfsCluster, JobTemplate, KafkaCluster, MetastoreService, ObjectStore, YarnCluster } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import { SPARK_IMAGE, type SparkConfig } from "./config";
import { BATCH_NAME, WORKER_NAME, masterUrl, sparkFlows, sparkManifests, sparkMetrics, STREAMING_TRIGGER_SECONDS } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { sparkAlerts, sparkClusterDashboard, sparkStreamingDashboard } from "./metrics";

/** The Spark image the platform pins: its Java 17 runtime is what YARN gives Spark's containers. */
export { SPARK_IMAGE };

export const APPS_DIR = path.join(__dirname, "apps");

/** The applications shipped with the deployment: every Python file in ./apps, and the table definitions. */
export function applicationFiles(dir = APPS_DIR): Record<string, string> {
  const apps = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".py"))
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]);
  return Object.fromEntries([...apps, ["lake-tables.json", fs.readFileSync(TABLES_FILE, "utf8")]]);
}

export interface SparkArgs extends EngineArgs<SparkConfig> {
  yarn: YarnCluster;
  hdfs: HdfsCluster;
  /** The topics the streaming application reads. */
  kafka: KafkaCluster;
  /** The Iceberg catalog's tables and the lake's files. */
  metastore: MetastoreService;
  lake: ObjectStore;
}

export class Spark extends pulumi.ComponentResource implements JobTemplate, Monitored {
  public readonly masterUrl: string;
  /** The batch application's CronJob, which an orchestrator copies into a Job. */
  public readonly template = BATCH_NAME;
  public readonly flows: Flow[];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: SparkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:spark:Spark", name, {}, opts);
    const backends = { yarn: args.yarn, hdfs: args.hdfs, kafka: args.kafka, metastore: args.metastore, lake: args.lake };
    createObjects(sparkManifests(args.config, args.namespace, backends, applicationFiles(), args.clusterDomain, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    this.masterUrl = masterUrl(args.namespace, args.clusterDomain);
    this.flows = sparkFlows(args.config, backends);
    this.metrics = sparkMetrics(args.config, args.monitoring);
    const monitored = this.metrics.length > 0;
    const streaming = monitored && args.config.streaming;
    this.alerts = monitored ? [sparkAlerts(args.namespace, WORKER_NAME, streaming ? STREAMING_TRIGGER_SECONDS : undefined)] : [];
    this.dashboards = [
      ...(monitored ? [sparkClusterDashboard(args.namespace)] : []),
      ...(streaming ? [sparkStreamingDashboard(args.namespace, STREAMING_TRIGGER_SECONDS)] : []),
    ];
    this.registerOutputs({ masterUrl: this.masterUrl });
  }
}
