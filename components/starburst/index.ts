import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartArgs } from "../kit/charts";
import { PROJECT_DIR } from "../kit/files";
import { container, type Flow, job, podDisruptionBudget, scratchVolume, serviceAccount, type Workload } from "../kit";
import { loginCaVolume, type MetastoreService, type ObjectStore, type SqlService } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import { overrideChartObject } from "../kit/overrides";
import { loadTables, trinoDdl } from "../lakehouse/tables";
import { FLAVORS, type StarburstConfig, TRINO_CREDENTIALS, TRINO_USERS, type TrinoUser } from "./config";
import { Credentials } from "../kit/credentials";
import type { CertificatesConfig } from "../kit/certificates";
import { secretEnv, type OwnedCredential } from "../kit/secret-ref";
import { sqlService } from "./contract";
import { clientLogin, coordinatorCertificate, passwordFile } from "./security";
import {
  chartValues,
  CLIENT_CA_DIR,
  COORDINATOR,
  hardenChartObject,
  HTTP_PORT,
  imageTag,
  trinoAgent,
  RELEASE,
  TABLES_JOB,
  tablesScript,
  trinoMetrics,
  WORKER,
} from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { trinoAlerts, trinoDashboard } from "./metrics";

export interface StarburstArgs extends EngineArgs<StarburstConfig> {
  /** Where the internal shared secret is read from, and whether the program writes it. */
  credentials: OwnedCredential<"shared-secret">;
  /** tls mode: the clients' passwords and the coordinator's password file. */
  users?: OwnedCredential<TrinoUser | "password.db">;
  /** tls mode: the issuer of the coordinator's certificate. */
  certificates?: CertificatesConfig;
  /** The catalogs' tables (the Hive Metastore). */
  metastore: MetastoreService;
  /** The catalogs' files (MinIO). */
  lake: ObjectStore;
}

export class Starburst extends pulumi.ComponentResource implements SqlService, Monitored {
  public readonly coordinatorUrl: string;
  public readonly host: string;
  public readonly port: number;
  public readonly icebergSnapshotRetention: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly login?: SqlService["login"];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

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
    const tls = args.config.security === "tls";
    if (tls && (!args.users || !args.certificates)) throw new Error("starburst.security tls needs the users' credential and the certificates section");
    const users = tls ? args.users! : undefined;
    const login = users
      ? [
          new Credentials(
            "trino-users",
            {
              namespace: args.namespace,
              secretName: users.ref.name,
              workload: COORDINATOR,
              generated: Object.fromEntries(TRINO_USERS.map((u) => [u, 32])),
              derived: (g) => ({ "password.db": pulumi.all(g).apply((p) => passwordFile(p)) }),
              existing: users.existing,
              dependsOn: args.dependsOn,
            },
            { parent: this, protect: args.production },
          ),
          ...createObjects([coordinatorCertificate(args.certificates!, RELEASE, args.namespace, args.clusterDomain)], {
            parent: this,
            overrides: args.config.overrides,
            protectStateful: false,
            dependsOn: args.dependsOn,
          }),
        ]
      : [];
    this.metrics = trinoMetrics(args.config, args.monitoring);
    this.alerts = this.metrics.length ? [trinoAlerts(args.namespace)] : [];
    this.dashboards = this.metrics.length ? [trinoDashboard(args.namespace)] : [];
    const rules = createObjects(trinoAgent(this.metrics.length ? args.monitoring : undefined).configMaps(args.namespace, COORDINATOR), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: false,
      dependsOn: args.dependsOn,
    });
    // helm.v4.Chart, not helm.v3.Release: its objects are registered one by one, so the policy
    // pack checks every rendered Deployment and ConfigMap (a Release installs them past the pack).
    // The charts need no hooks.
    const chart = new k8s.helm.v4.Chart(
      RELEASE,
      {
        ...chartArgs({ name: flavor.chart, version: flavor.chartVersion, repo: flavor.repo }, args.config.chart, PROJECT_DIR),
        namespace: args.namespace,
        values: chartValues(args.config, {
          metastore: args.metastore,
          lake: args.lake,
          internal: ref,
          users: users?.ref,
          monitoring: this.metrics.length ? args.monitoring : undefined,
        }),
      },
      {
        parent: this,
        dependsOn: [...(args.dependsOn ?? []), internal, ...login, ...rules],
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
            command: ["/bin/bash", "-c", tablesScript(args.namespace, trinoDdl("iceberg", loadTables()), args.clusterDomain, args.config.security)],
            env: [{ name: "HOME", value: "/tmp" }, ...(users ? [secretEnv("TRINO_PASSWORD", users.ref, "lake-tables")] : [])],
            resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "512Mi" } },
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(users ? [{ name: "trino-ca", mountPath: CLIENT_CA_DIR, readOnly: true }] : [])],
          }),
          volumes: [scratchVolume("tmp"), ...(users ? [loginCaVolume(clientLogin(users.ref, "lake-tables").ca)] : [])],
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
      login: this.login,
    } = sqlService(args.namespace, args.clusterDomain, args.config.icebergSnapshotRetention, args.config.security, users?.ref));
    this.flows = [
      { from: WORKER, to: COORDINATOR, ports: [HTTP_PORT] },
      { from: COORDINATOR, to: WORKER, ports: [HTTP_PORT] },
      { from: WORKER, to: WORKER, ports: [HTTP_PORT] },
      ...this.access(TABLES_JOB),
      ...[COORDINATOR, WORKER].flatMap((w) => [...args.lake.access(w), ...args.metastore.access(w)]),
    ];
    this.registerOutputs({ coordinatorUrl: this.coordinatorUrl });
  }
}
