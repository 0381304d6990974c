import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { Flow } from "../kit";
import { Credentials } from "../kit/credentials";
import { createObjects } from "../kit/objects";
import { DATA_LAKE_BUCKET, MinioConfig } from "./config";
import { CREDENTIALS_SECRET, endpoint, minioFlows, minioManifests, SERVER } from "./spec";

export type MinioArgs = EngineArgs<MinioConfig>;

export class Minio extends pulumi.ComponentResource {
  public readonly endpoint: string;
  public readonly bucket: string;
  /** Secret with keys root-user and root-password. */
  public readonly credentialsSecret: string;
  public readonly flows: Flow[];

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:minio:MinIO", name, {}, opts);
    const credentials = new Credentials(CREDENTIALS_SECRET, {
      namespace: args.namespace, secretName: CREDENTIALS_SECRET, workload: SERVER,
      generated: { "root-user": 20, "root-password": 40 },
      existing: args.existingCredentials,
      dependsOn: args.dependsOn,
    }, { parent: this, protect: args.production });
    createObjects(minioManifests(args.config, args.namespace), { parent: this, protectStateful: args.production, dependsOn: [...(args.dependsOn ?? []), credentials] });
    this.endpoint = endpoint(args.namespace);
    this.bucket = DATA_LAKE_BUCKET;
    this.credentialsSecret = CREDENTIALS_SECRET;
    this.flows = minioFlows(args.config);
    this.registerOutputs({ endpoint: this.endpoint, bucket: this.bucket, credentialsSecret: this.credentialsSecret });
  }
}
