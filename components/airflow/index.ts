import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartArgs } from "../kit/charts";
import { Credentials } from "../kit/credentials";
import { PROJECT_DIR } from "../kit/files";
import type { EngineArgs } from "../kit/engine";
import type { Flow } from "../kit";
import { createObjects } from "../kit/objects";
import { overrideChartObject } from "../kit/overrides";
import type { OwnedCredential } from "../kit/secret-ref";
import { AIRFLOW_CREDENTIALS, type AirflowConfig, CHART } from "./config";
import { type AirflowBackends, airflowFiles, apiServerUrl, DATABASE_SETUP, metadataConnection, RELEASE } from "./names";
import { chartValues } from "./values";
import { hardenChartObject } from "./hardening";
import { airflowFlows, airflowManifests, fernetKey } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint } from "../kit/metrics";
import { airflowAlerts, airflowDashboard, airflowMetrics } from "./metrics";

export interface AirflowArgs extends EngineArgs<AirflowConfig>, AirflowBackends {
  /** What must exist before the first DAG run: MySQL, Kafka's topics, the lake's tables, the Job templates. */
  bootstrap: pulumi.Resource[];
  /** Airflow's own Secret. */
  credentials: OwnedCredential<(typeof AIRFLOW_CREDENTIALS.keys)[number]>;
}

/** Airflow from the official chart, its database on the platform's MySQL, and the pipeline DAG. */
export class Airflow extends pulumi.ComponentResource {
  public readonly apiServerUrl: string;
  public readonly adminUser: string;
  /** Generated credentials only: an existing Secret's password stays in that Secret. */
  public readonly adminPassword?: pulumi.Output<string>;
  public readonly flows: Flow[];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: AirflowArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:airflow:Orchestrator before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:airflow:Airflow", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:airflow:Orchestrator" }] });
    const { config, namespace } = args;
    const own = args.credentials.ref;
    const backends: AirflowBackends = { database: args.database, lake: args.lake, kafka: args.kafka, sql: args.sql, spark: args.spark, dbt: args.dbt };
    const credentials = new Credentials(
      AIRFLOW_CREDENTIALS.secret,
      {
        namespace,
        secretName: own.name,
        workload: DATABASE_SETUP,
        generated: {
          "db-password": 32,
          "admin-password": 24,
          "api-secret-key": 48,
          "jwt-secret": 48,
          "fernet-seed": 32,
        },
        internal: ["fernet-seed"],
        derived: (g) => ({
          connection: g["db-password"].apply((password) => metadataConnection(args.database, password)),
          "fernet-key": g["fernet-seed"].apply(fernetKey),
        }),
        existing: args.credentials.existing,
        dependsOn: args.dependsOn,
      },
      { parent: this, protect: args.production },
    );

    // Database, DAGs, plugins and RBAC first; the database Job needs MySQL up.
    const files = airflowFiles();
    const prepared = createObjects(airflowManifests(config, namespace, backends, own, files, args.monitoring), {
      parent: this,
      overrides: config.overrides,
      protectStateful: false,
      dependsOn: [...(args.dependsOn ?? []), credentials, ...args.bootstrap],
    });

    // helm.v4.Chart, not helm.v3.Release: every rendered object is registered on its own, so the policy
    // pack sees it. v4 renders without Helm hooks; the chart's migration and create-user Jobs therefore
    // have useHelmHooks: false and are created (and awaited) as ordinary Jobs. The create-user Job waits
    // for the migrations in an init container; the other pods wait in the chart's own init containers.
    new k8s.helm.v4.Chart(
      RELEASE,
      {
        ...chartArgs(CHART, config.chart, PROJECT_DIR),
        namespace,
        values: chartValues(config, namespace, backends, own, files, args.clusterDomain, args.monitoring),
      },
      {
        parent: this,
        dependsOn: [...(args.dependsOn ?? []), credentials, ...prepared, ...args.bootstrap],
        transforms: [
          (a) => {
            // The platform's hardening, then the role overrides: applied last.
            const hardened = hardenChartObject(config, a.type, a.props) ?? a.props;
            const props = overrideChartObject(hardened, config.overrides) ?? (hardened === a.props ? undefined : hardened);
            return props ? { props, opts: a.opts } : undefined;
          },
        ],
      },
    );

    this.apiServerUrl = apiServerUrl(namespace, args.clusterDomain);
    this.adminUser = config.admin.username;
    const generatedPassword = credentials.values["admin-password"];
    this.adminPassword = generatedPassword && pulumi.secret(generatedPassword);
    this.flows = airflowFlows(config, backends, args.monitoring);
    this.metrics = airflowMetrics(args.monitoring);
    this.alerts = args.monitoring ? [airflowAlerts(namespace)] : [];
    this.dashboards = args.monitoring ? [airflowDashboard(namespace)] : [];
    this.registerOutputs({ apiServerUrl: this.apiServerUrl, adminUser: this.adminUser, adminPassword: this.adminPassword });
  }
}
