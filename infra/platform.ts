/** The whole platform for one stack: provider, namespace, engines and the network between them. */
import * as k8s from "@pulumi/kubernetes";
import { healthEndpoints } from "./engine-health";
import * as pulumi from "@pulumi/pulumi";
import { Airflow } from "../components/airflow";
import { Dbt } from "../components/dbt";
import { Hdfs } from "../components/hdfs";
import { HiveMetastore } from "../components/hive-metastore";
import { Impala } from "../components/impala";
import { Kafka } from "../components/kafka";
import { RESTRICTED_NAMESPACE_LABELS } from "../components/kit";
import { NetworkPolicies } from "../components/kit/network-policies";
import { Monitoring } from "../components/monitoring";
import type { Monitored } from "../components/kit/metrics";
import { SizeGuard } from "../components/kit/size-guard";
import { Minio } from "../components/minio";
import { Mysql } from "../components/mysql";
import { Spark, SPARK_IMAGE } from "../components/spark";
import { Starburst } from "../components/starburst";
import { Yarn } from "../components/yarn";
import { ZooKeeper } from "../components/zookeeper";
import { type Credential, credentialRef, credentialSource, type Engine } from "./config/engines";
import { section } from "./config/schema";
import type { LoadedPlatform } from "./config/stack";
import { fixedSizes } from "./scale-checks";

export class DataPlatform extends pulumi.ComponentResource {
  public readonly namespace: string;
  // An engine that is off has no address: its outputs are left out of the stack's outputs.
  public readonly kafkaBootstrapServers?: string;
  public readonly kafkaClusterId?: string;
  public readonly zookeeperConnect?: string;
  public readonly minioEndpoint?: string;
  public readonly metastoreJdbcUrl?: string;
  public readonly metastoreUri?: string;
  public readonly sqlCoordinatorUrl?: string;
  public readonly impalaHs2?: string;
  public readonly hdfsDefaultFs?: string;
  public readonly hdfsClusterId?: string;
  public readonly yarnWebUrl?: string;
  public readonly sparkMasterUrl?: string;
  public readonly airflowUrl?: string;
  public readonly airflowAdminUser?: string;
  public readonly airflowAdminPassword?: pulumi.Output<string>;

  constructor(name: string, p: LoadedPlatform, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:platform:DataPlatform", name, {}, opts);
    const { settings, config } = p;
    const production = config.tier === "production";
    const provider = new k8s.Provider(
      "kubernetes",
      {
        kubeconfig: settings.kubeconfigInput,
        context: settings.context,
        namespace: settings.namespace,
        // Update ConfigMaps in place: replacing a fixed-name ConfigMap deletes it first, and a pod
        // restarting in that gap cannot start. Pods roll through their config checksum instead.
        enableConfigMapMutable: true,
      },
      { parent: this },
    );

    const namespace = new k8s.core.v1.Namespace(
      settings.namespace,
      {
        metadata: {
          name: settings.namespace,
          labels: { ...RESTRICTED_NAMESPACE_LABELS, "app.kubernetes.io/part-of": "data-platform", "app.kubernetes.io/managed-by": "pulumi" },
        },
      },
      { parent: this, provider, protect: production },
    );

    const engineOpts = { parent: this, provider };
    // Before any engine: a quorum's StatefulSet exists only once its size is guarded.
    const sizeGuard = new SizeGuard(
      "size-guard",
      { namespace: settings.namespace, fixed: fixedSizes(p).map(([, name]) => name), dependsOn: [namespace] },
      engineOpts,
    );
    const args = {
      namespace: settings.namespace,
      clusterDomain: settings.clusterDomain,
      production,
      monitoring: config.monitoring,
      dependsOn: [namespace, sizeGuard],
    };
    const on = (e: Engine) => config.engines[e];
    // Where each credential is read from; consumers take it from the owning component.
    const owned = (c: Credential) => ({ ref: credentialRef(config.credentials, c), existing: credentialSource(config.credentials, c) === "existing" });
    const zookeeper = on("zookeeper") ? new ZooKeeper("zookeeper", { ...args, config: section(config, "zookeeper") }, engineOpts) : undefined;
    const kafka = on("kafka") ? new Kafka("kafka", { ...args, config: section(config, "kafka"), certificates: config.certificates }, engineOpts) : undefined;
    const minio = on("minio")
      ? new Minio(
          "minio",
          { ...args, credentials: owned("minio"), users: owned("minioUsers"), config: section(config, "minio"), certificates: config.certificates },
          engineOpts,
        )
      : undefined;
    const mysql = on("mysql") ? new Mysql("mysql", { ...args, credentials: owned("mysql"), config: section(config, "mysql") }, engineOpts) : undefined;
    // The schema has checked ENGINE_NEEDS: an engine that is on finds every engine it needs. Each
    // consumer takes its producers' components, and reads only their contracts (components/kit/contracts).
    const metastore = on("hiveMetastore")
      ? new HiveMetastore(
          "hive-metastore",
          {
            ...args,
            config: section(config, "hiveMetastore"),
            dependsOn: [namespace, mysql!, minio!],
            database: mysql!,
            lake: minio!,
          },
          engineOpts,
        )
      : undefined;
    const hdfs = on("hdfs")
      ? new Hdfs(
          "hdfs",
          {
            ...args,
            config: section(config, "hdfs"),
            zookeeper: zookeeper!,
            certificates: config.certificates,
            keystorePassword: owned("hadoopKeystore"),
          },
          engineOpts,
        )
      : undefined;
    const impala = on("impala")
      ? new Impala(
          "impala",
          {
            ...args,
            config: section(config, "impala"),
            hdfs: hdfs!,
            metastore: metastore!,
            lake: minio!,
            // Its pods mount HDFS's discovery ConfigMap.
            dependsOn: [namespace, metastore!, hdfs!],
          },
          engineOpts,
        )
      : undefined;
    const sql = on("starburst")
      ? new Starburst(
          "starburst",
          {
            ...args,
            config: section(config, "starburst"),
            credentials: owned("trino"),
            users: owned("trinoUsers"),
            certificates: config.certificates,
            metastore: metastore!,
            lake: minio!,
            dependsOn: [namespace, metastore!, minio!],
          },
          engineOpts,
        )
      : undefined;
    const dbt = on("dbt") ? new Dbt("dbt", { ...args, config: section(config, "dbt"), sql: sql!, dependsOn: [namespace, sql!] }, engineOpts) : undefined;
    const yarn = on("yarn")
      ? new Yarn(
          "yarn",
          {
            ...args,
            config: section(config, "yarn"),
            zookeeper: zookeeper!,
            hdfs: hdfs!,
            kafka,
            lake: minio!,
            javaImage: config.spark?.image ?? SPARK_IMAGE,
            // Its pods mount HDFS's discovery ConfigMap.
            dependsOn: [namespace, sizeGuard, hdfs!],
          },
          engineOpts,
        )
      : undefined;
    const spark = on("spark")
      ? new Spark(
          "spark",
          {
            ...args,
            config: section(config, "spark"),
            yarn: yarn!,
            hdfs: hdfs!,
            kafka: kafka!,
            metastore: metastore!,
            lake: minio!,
            // Its pods mount HDFS's and YARN's discovery ConfigMaps.
            dependsOn: [namespace, sizeGuard, hdfs!, yarn!],
          },
          engineOpts,
        )
      : undefined;
    // Bootstrap order: Airflow (and so the first DAG run) comes after the topics exist (the Kafka
    // component's topics Job), the lake's tables exist (the SQL engine's tables Job), and the Job
    // templates the operators copy (Spark, dbt) are in place.
    const airflow = on("airflow")
      ? new Airflow(
          "airflow",
          {
            ...args,
            config: section(config, "airflow"),
            credentials: owned("airflow"),
            database: mysql!,
            lake: minio!,
            kafka: kafka!,
            sql: sql!,
            spark: spark!,
            dbt: dbt!,
            bootstrap: [mysql!, minio!, kafka!, sql!, spark!, dbt!],
          },
          engineOpts,
        )
      : undefined;
    const engines = [zookeeper, kafka, minio, mysql, metastore, sql, dbt, airflow, impala, hdfs, yarn, spark];
    if (config.monitoring) {
      const monitored = engines.filter((e) => e && "metrics" in e) as Monitored[];
      new Monitoring(
        "monitoring",
        {
          namespace: settings.namespace,
          config: config.monitoring,
          endpoints: monitored.flatMap((e) => e.metrics),
          alerts: monitored.flatMap((e) => e.alerts),
          dashboards: monitored.flatMap((e) => e.dashboards),
          dependsOn: [namespace],
        },
        engineOpts,
      );
    }
    new NetworkPolicies(
      "network",
      {
        namespace: settings.namespace,
        dependsOn: [namespace],
        flows: engines.flatMap((e) => e?.flows ?? []),
        admitted: settings.apiServerCidrs && {
          cidrs: settings.apiServerCidrs,
          endpoints: healthEndpoints((e) => (config as unknown as Record<string, { security?: string } | undefined>)[e]?.security === "tls"),
        },
      },
      engineOpts,
    );

    this.namespace = settings.namespace;
    this.kafkaBootstrapServers = kafka?.bootstrapServers;
    this.kafkaClusterId = kafka?.clusterId;
    this.zookeeperConnect = zookeeper?.connectString;
    this.minioEndpoint = minio?.endpoint;
    this.metastoreJdbcUrl = mysql?.jdbcUrl;
    this.metastoreUri = metastore?.uri;
    this.sqlCoordinatorUrl = sql?.coordinatorUrl;
    this.impalaHs2 = impala?.hs2;
    this.hdfsDefaultFs = hdfs?.defaultFs;
    this.hdfsClusterId = hdfs?.clusterId;
    this.yarnWebUrl = yarn?.webUrl;
    this.sparkMasterUrl = spark?.masterUrl;
    this.airflowUrl = airflow?.apiServerUrl;
    this.airflowAdminUser = airflow?.adminUser;
    this.airflowAdminPassword = airflow?.adminPassword;
    this.registerOutputs({
      metastoreUri: this.metastoreUri,
      sqlCoordinatorUrl: this.sqlCoordinatorUrl,
      impalaHs2: this.impalaHs2,
      hdfsDefaultFs: this.hdfsDefaultFs,
      hdfsClusterId: this.hdfsClusterId,
      yarnWebUrl: this.yarnWebUrl,
      sparkMasterUrl: this.sparkMasterUrl,
      airflowUrl: this.airflowUrl,
      airflowAdminUser: this.airflowAdminUser,
      airflowAdminPassword: this.airflowAdminPassword,
      namespace: this.namespace,
      kafkaBootstrapServers: this.kafkaBootstrapServers,
      kafkaClusterId: this.kafkaClusterId,
      zookeeperConnect: this.zookeeperConnect,
      minioEndpoint: this.minioEndpoint,
      metastoreJdbcUrl: this.metastoreJdbcUrl,
    });
  }
}
