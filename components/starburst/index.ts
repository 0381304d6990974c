import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartArgs } from "../kit/charts";
import { PROJECT_DIR } from "../kit/files";
import { container, Flow, job, podDisruptionBudget, scratchVolume, serviceAccount } from "../kit";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import { loadTables, trinoDdl } from "../lakehouse/tables";
import { S3_PORT, SERVER as MINIO } from "../minio/spec";
import type { MinioCredentials } from "../minio/config";
import { FLAVORS, StarburstConfig } from "./config";
import { chartValues, COORDINATOR, coordinatorUrl, hardenChartObject, HTTP_PORT, imageTag, RELEASE, TABLES_JOB, tablesScript, WORKER } from "./spec";

/** The engine's pods, which the metastore must admit. */
export const SQL_ENGINE_CLIENTS = [COORDINATOR, WORKER];

export interface SqlEngineArgs extends EngineArgs<StarburstConfig> {
  /** MinIO's Secret: the lake's catalogs read it. */
  s3Credentials: MinioCredentials;
}

export class SqlEngine extends pulumi.ComponentResource {
  public readonly coordinatorUrl: string;
  public readonly flows: Flow[];

  constructor(name: string, args: SqlEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:starburst:SqlEngine", name, {}, opts);
    const flavor = FLAVORS[args.config.flavor];
    // helm.v4.Chart, not helm.v3.Release: its objects are registered one by one, so the policy
    // pack checks every rendered Deployment and ConfigMap (a Release installs them past the pack).
    // The charts need no hooks.
    const chart = new k8s.helm.v4.Chart(RELEASE, {
      ...chartArgs({ name: flavor.chart, version: flavor.chartVersion, repo: flavor.repo }, args.config.chart, PROJECT_DIR),
      namespace: args.namespace,
      values: chartValues(args.config, args.namespace, args.s3Credentials),
    }, {
      parent: this,
      dependsOn: args.dependsOn,
      transforms: [(a) => {
        const props = hardenChartObject(a.type, a.props);
        return props ? { props, opts: a.opts } : undefined;
      }],
    });

    const tablesImage = `${flavor.image}:${imageTag(args.config)}`;
    // The chart's workers get the platform's budget: at most one drained at a time.
    createObjects([podDisruptionBudget("trino-worker", args.namespace, WORKER)], { parent: this, protectStateful: false, dependsOn: args.dependsOn });
    createObjects([serviceAccount("lake-tables", args.namespace, TABLES_JOB), job({
      prefix: "lake-tables", namespace: args.namespace, workload: TABLES_JOB, uid: 1000, serviceAccountName: "lake-tables",
      container: container({
        name: "tables", image: tablesImage,
        command: ["/bin/bash", "-c", tablesScript(args.namespace, trinoDdl("iceberg", loadTables()))],
        env: [{ name: "HOME", value: "/tmp" }],
        resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "512Mi" } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      }),
      volumes: [scratchVolume("tmp")],
    })], { parent: this, protectStateful: false, dependsOn: [chart] });

    this.coordinatorUrl = coordinatorUrl(args.namespace);
    this.flows = [
      { from: WORKER, to: COORDINATOR, ports: [HTTP_PORT] },
      { from: COORDINATOR, to: WORKER, ports: [HTTP_PORT] },
      { from: WORKER, to: WORKER, ports: [HTTP_PORT] },
      { from: TABLES_JOB, to: COORDINATOR, ports: [HTTP_PORT] },
      ...[COORDINATOR, WORKER].map((w) => ({ from: w, to: MINIO, ports: [S3_PORT] })),
    ];
    this.registerOutputs({ coordinatorUrl: this.coordinatorUrl });
  }
}
