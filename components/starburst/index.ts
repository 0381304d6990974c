import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartArgs } from "../kit/charts";
import { PROJECT_DIR } from "../kit/files";
import { container, type Flow, job, podDisruptionBudget, scratchVolume, serviceAccount, type Workload } from "../kit";
import type { MetastoreService, ObjectStore, SqlService } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import { overrideChartObject } from "../kit/overrides";
import { loadTables, trinoDdl } from "../lakehouse/tables";
import { FLAVORS, type StarburstConfig, TRINO_CREDENTIALS } from "./config";
import { Credentials } from "../kit/credentials";
import type { OwnedCredential } from "../kit/secret-ref";
import { sqlService } from "./contract";
import { chartValues, COORDINATOR, hardenChartObject, HTTP_PORT, imageTag, RELEASE, TABLES_JOB, tablesScript, WORKER } from "./spec";

export interface StarburstArgs extends EngineArgs<StarburstConfig> {
  /** Where the internal shared secret is read from, and whether the program writes it. */
  credentials: OwnedCredential<"shared-secret">;
  /** The catalogs' tables (the Hive Metastore). */
  metastore: MetastoreService;
  /** The catalogs' files (MinIO). */
  lake: ObjectStore;
}

export class Starburst extends pulumi.ComponentResource implements SqlService {
  public readonly coordinatorUrl: string;
  public readonly host: string;
  public readonly port: number;
  public readonly icebergSnapshotRetention: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];

  constructor(name: string, args: StarburstArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:starburst:SqlEngine before its folder, class and type agreed: the alias keeps its objects.
    super(
      "dataplatform:starburst:Starburst",
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { name: "sql", type: "dataplatform:starburst:SqlEngine" }] },
    );
    const flavor = FLAVORS[args.config.flavor];
    const { ref, existing } = args.credentials;
    const internal = new Credentials(
      TRINO_CREDENTIALS.secret,
      { namespace: args.namespace, secretName: ref.name, workload: COORDINATOR, generated: { "shared-secret": 64 }, existing, dependsOn: args.dependsOn },
      { parent: this, protect: args.production },
    );
    // helm.v4.Chart, not helm.v3.Release: its objects are registered one by one, so the policy
    // pack checks every rendered Deployment and ConfigMap (a Release installs them past the pack).
    // The charts need no hooks.
    const chart = new k8s.helm.v4.Chart(
      RELEASE,
      {
        ...chartArgs({ name: flavor.chart, version: flavor.chartVersion, repo: flavor.repo }, args.config.chart, PROJECT_DIR),
        namespace: args.namespace,
        values: chartValues(args.config, { metastore: args.metastore, lake: args.lake, internal: ref }),
      },
      {
        parent: this,
        dependsOn: [...(args.dependsOn ?? []), internal],
        transforms: [
          (a) => {
            // The platform's hardening, then the role overrides: applied last.
            const hardened = hardenChartObject(a.type, a.props) ?? a.props;
            const props = overrideChartObject(hardened, args.config.overrides) ?? (hardened === a.props ? undefined : hardened);
            return props ? { props, opts: a.opts } : undefined;
          },
        ],
      },
    );

    const tablesImage = `${flavor.image}:${imageTag(args.config)}`;
    // The chart's workers get the platform's budget: at most one drained at a time.
    createObjects([podDisruptionBudget("trino-worker", args.namespace, WORKER)], {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: false,
      dependsOn: args.dependsOn,
    });
    createObjects(
      [
        serviceAccount("lake-tables", args.namespace, TABLES_JOB),
        job({
          prefix: "lake-tables",
          namespace: args.namespace,
          workload: TABLES_JOB,
          uid: 1000,
          serviceAccountName: "lake-tables",
          container: container({
            name: "tables",
            image: tablesImage,
            command: ["/bin/bash", "-c", tablesScript(args.namespace, trinoDdl("iceberg", loadTables()), args.clusterDomain)],
            env: [{ name: "HOME", value: "/tmp" }],
            resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "512Mi" } },
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
          }),
          volumes: [scratchVolume("tmp")],
        }),
      ],
      { parent: this, overrides: args.config.overrides, protectStateful: false, dependsOn: [chart] },
    );

    ({
      coordinatorUrl: this.coordinatorUrl,
      host: this.host,
      port: this.port,
      icebergSnapshotRetention: this.icebergSnapshotRetention,
      access: this.access,
    } = sqlService(args.namespace, args.clusterDomain, args.config.icebergSnapshotRetention));
    this.flows = [
      { from: WORKER, to: COORDINATOR, ports: [HTTP_PORT] },
      { from: COORDINATOR, to: WORKER, ports: [HTTP_PORT] },
      { from: WORKER, to: WORKER, ports: [HTTP_PORT] },
      { from: TABLES_JOB, to: COORDINATOR, ports: [HTTP_PORT] },
      ...[COORDINATOR, WORKER].flatMap((w) => [...args.lake.access(w), ...args.metastore.access(w)]),
    ];
    this.registerOutputs({ coordinatorUrl: this.coordinatorUrl });
  }
}
