import * as pulumi from "@pulumi/pulumi";
import type { HdfsConfig } from "../hdfs/config";
import { Flow } from "../kit";
import type { MinioCredentials } from "../minio/config";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { ImpalaConfig } from "./config";
import { impalaFlows, impalaManifests, PORTS, SERVICES } from "./spec";

export interface ImpalaArgs extends EngineArgs<ImpalaConfig> {
  hdfs: HdfsConfig;
  zookeeperConnect: string;
  /** MinIO's Secret, for tables in the lake. */
  s3Credentials: MinioCredentials;
}

export class Impala extends pulumi.ComponentResource {
  /** HiveServer2 endpoint of the coordinators (impala-shell, JDBC). */
  public readonly hs2: string;
  public readonly flows: Flow[];

  constructor(name: string, args: ImpalaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:impala:Impala", name, {}, opts);
    createObjects(impalaManifests(args.config, args.hdfs, args.namespace, args.zookeeperConnect, args.s3Credentials), { parent: this, protectStateful: args.production, dependsOn: args.dependsOn });
    this.hs2 = `${SERVICES.coordinator}.${args.namespace}.svc.cluster.local:${PORTS.hs2}`;
    this.flows = impalaFlows();
    this.registerOutputs({ hs2: this.hs2 });
  }
}
