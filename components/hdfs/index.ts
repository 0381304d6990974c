import * as pulumi from "@pulumi/pulumi";
import type { Flow, Workload } from "../kit";
import type { HadoopClientConfig, HdfsCluster, ZooKeeperEnsemble } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { CertificatesConfig } from "../kit/certificates";
import { Credentials } from "../kit/credentials";
import { HADOOP_KEYSTORE_CREDENTIALS, type HadoopTls } from "../kit/hadoop-tls";
import type { OwnedCredential } from "../kit/secret-ref";
import { NAMENODE } from "./names";
import type { HdfsConfig } from "./config";
import { hdfsCluster } from "./contract";
import { hdfsFlows, hdfsManifests, hdfsMetrics } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { hdfsAlerts, hdfsDashboard } from "./metrics";

export interface HdfsArgs extends EngineArgs<HdfsConfig> {
  /** Where the HA NameNodes' failover controllers keep their lock. */
  zookeeper: ZooKeeperEnsemble;
  /** security: tls: where the daemons' certificate comes from, and the password that locks its key stores. */
  certificates?: CertificatesConfig;
  keystorePassword?: OwnedCredential<"password">;
}

export class Hdfs extends pulumi.ComponentResource implements HdfsCluster, Monitored {
  /** fs.defaultFS for clients. */
  public readonly defaultFs: string;
  public readonly clientConfig: HadoopClientConfig;
  public readonly clusterId: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly webTls?: HadoopTls;
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: HdfsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:hdfs:HDFS before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:hdfs:Hdfs", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:hdfs:HDFS" }] });
    const connect = args.zookeeper.connectString;
    const tls = args.config.security === "tls" ? this.webTlsOf(args) : undefined;
    createObjects(hdfsManifests(args.config, args.namespace, connect, args.clusterDomain, tls?.config, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: [...(args.dependsOn ?? []), ...(tls ? [tls.password] : [])],
    });
    ({
      defaultFs: this.defaultFs,
      clientConfig: this.clientConfig,
      access: this.access,
      webTls: this.webTls,
    } = hdfsCluster(args.config, args.namespace, connect, args.clusterDomain, tls?.config));
    this.clusterId = args.config.clusterId;
    this.flows = hdfsFlows(args.config, args.zookeeper);
    this.metrics = hdfsMetrics(args.config, args.monitoring);
    this.alerts = args.monitoring ? [hdfsAlerts(args.namespace)] : [];
    this.dashboards = args.monitoring ? [hdfsDashboard(args.namespace)] : [];
    this.registerOutputs({ defaultFs: this.defaultFs, clusterId: this.clusterId, clientConfigMap: this.clientConfig.configMap });
  }

  /** tls mode: the key store password's Secret (generated, or an existing one) and the issuer. */
  private webTlsOf(args: HdfsArgs): { config: HadoopTls; password: Credentials } {
    if (!args.certificates || !args.keystorePassword)
      throw new Error("hdfs.security tls needs certificates and credentials.hadoopKeystore (checked by the config)");
    const { ref, existing } = args.keystorePassword;
    const password = new Credentials(
      HADOOP_KEYSTORE_CREDENTIALS.secret,
      { namespace: args.namespace, secretName: ref.name, workload: NAMENODE, generated: { password: 32 }, existing, dependsOn: args.dependsOn },
      { parent: this, protect: args.production },
    );
    return { config: { certificates: args.certificates, keystorePassword: ref }, password };
  }
}
