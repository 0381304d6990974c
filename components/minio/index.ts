import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import type { Flow, Workload } from "../kit";
import type { ObjectStore } from "../kit/contracts";
import { Credentials } from "../kit/credentials";
import type { CertificatesConfig } from "../kit/certificates";
import { createObjects } from "../kit/objects";
import type { OwnedCredential } from "../kit/secret-ref";
import { MINIO_CREDENTIALS, type MinioConfig } from "./config";
import { objectStore } from "./contract";
import { minioFlows, minioManifests, minioMetrics, SERVER } from "./spec";
import type { AlertGroup, Dashboard, MetricsEndpoint, Monitored } from "../kit/metrics";
import { minioAlerts, minioDashboard } from "./metrics";
import { accessKeyOf, LAKE_CLIENT_NAMES, LAKE_USER_CREDENTIALS, type LakeUserCredentials } from "./users";

export interface MinioArgs extends EngineArgs<MinioConfig> {
  credentials: OwnedCredential<"root-user" | "root-password">;
  /** Each S3 client's user (access and secret key), made by MinIO's setup Job. */
  users: OwnedCredential<LakeUserCredentials extends { keys: Record<infer K, string> } ? K : never>;
  /** Where the server's certificate comes from (security: tls). */
  certificates?: CertificatesConfig;
}

export class Minio extends pulumi.ComponentResource implements ObjectStore, Monitored {
  public readonly endpoint: string;
  public readonly bucket: string;
  public readonly prefixes: ObjectStore["prefixes"];
  public readonly user: ObjectStore["user"];
  public readonly clientImage: string;
  public readonly ca: ObjectStore["ca"];
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];
  public readonly metrics: MetricsEndpoint[];
  public readonly alerts: AlertGroup[];
  public readonly dashboards: Dashboard[];

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:minio:MinIO before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:minio:Minio", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:minio:MinIO" }] });
    const { ref, existing } = args.credentials;
    // The component keeps the default Secret's name whatever Secret it reads: its URN never moves.
    const credentials = new Credentials(
      MINIO_CREDENTIALS.secret,
      {
        namespace: args.namespace,
        secretName: ref.name,
        workload: SERVER,
        generated: { "root-user": 20, "root-password": 40 },
        existing,
        dependsOn: args.dependsOn,
      },
      { parent: this, protect: args.production },
    );
    // Access keys are the clients' user names (fixed); secret keys are generated.
    const users = new Credentials(
      LAKE_USER_CREDENTIALS.secret,
      {
        namespace: args.namespace,
        secretName: args.users.ref.name,
        workload: SERVER,
        fixed: Object.fromEntries(LAKE_CLIENT_NAMES.map((c) => [`${c}-access-key`, accessKeyOf(c)])),
        generated: Object.fromEntries(LAKE_CLIENT_NAMES.map((c) => [`${c}-secret-key`, 40])),
        existing: args.users.existing,
        dependsOn: args.dependsOn,
      },
      { parent: this, protect: args.production },
    );
    createObjects(minioManifests(args.config, args.namespace, ref, args.clusterDomain, args.users.ref, args.certificates, args.monitoring), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: [...(args.dependsOn ?? []), credentials, users],
    });
    ({
      endpoint: this.endpoint,
      bucket: this.bucket,
      prefixes: this.prefixes,
      user: this.user,
      clientImage: this.clientImage,
      ca: this.ca,
      access: this.access,
    } = objectStore(args.config, args.namespace, args.users.ref, args.clusterDomain));
    this.flows = minioFlows(args.config);
    this.metrics = minioMetrics(args.config, args.namespace, args.clusterDomain, args.monitoring);
    this.alerts = args.monitoring ? [minioAlerts(args.namespace)] : [];
    this.dashboards = args.monitoring ? [minioDashboard(args.namespace)] : [];
    this.registerOutputs({ endpoint: this.endpoint, bucket: this.bucket, credentialsSecret: ref.name });
  }
}
