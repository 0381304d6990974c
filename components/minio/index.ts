import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import type { Flow, Workload } from "../kit";
import type { ObjectStore } from "../kit/contracts";
import { Credentials } from "../kit/credentials";
import { createObjects } from "../kit/objects";
import type { OwnedCredential } from "../kit/secret-ref";
import { MINIO_CREDENTIALS, type MinioConfig, type MinioCredentials } from "./config";
import { objectStore } from "./contract";
import { minioFlows, minioManifests, SERVER } from "./spec";

export interface MinioArgs extends EngineArgs<MinioConfig> {
  credentials: OwnedCredential<"root-user" | "root-password">;
}

export class Minio extends pulumi.ComponentResource implements ObjectStore {
  public readonly endpoint: string;
  public readonly bucket: string;
  /** Where the root credentials are: what every S3 client of the lake reads. */
  public readonly credentials: MinioCredentials;
  public readonly clientImage: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];

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
    createObjects(minioManifests(args.config, args.namespace, ref, args.clusterDomain), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: [...(args.dependsOn ?? []), credentials],
    });
    ({
      endpoint: this.endpoint,
      bucket: this.bucket,
      credentials: this.credentials,
      clientImage: this.clientImage,
      access: this.access,
    } = objectStore(args.config, args.namespace, ref, args.clusterDomain));
    this.flows = minioFlows(args.config);
    this.registerOutputs({ endpoint: this.endpoint, bucket: this.bucket, credentialsSecret: ref.name });
  }
}
