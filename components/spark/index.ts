import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { HdfsConfig } from "../hdfs/config";
import { TABLES_FILE } from "../lakehouse/tables";
import { Flow } from "../kit";
import type { MinioCredentials } from "../minio/config";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { YarnConfig } from "../yarn/config";
import type { SparkConfig } from "./config";
import { masterUrl, sparkFlows, sparkManifests } from "./spec";

export const APPS_DIR = path.join(__dirname, "apps");

/** The applications shipped with the deployment: every Python file in ./apps, and the table definitions. */
export function applicationFiles(dir = APPS_DIR): Record<string, string> {
  const apps = fs.readdirSync(dir).filter((f) => f.endsWith(".py")).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]);
  return Object.fromEntries([...apps, ["lake-tables.json", fs.readFileSync(TABLES_FILE, "utf8")]]);
}

export interface SparkArgs extends EngineArgs<SparkConfig> {
  yarn: YarnConfig;
  hdfs: HdfsConfig;
  zookeeperConnect: string;
  /** MinIO's Secret, for the lake. */
  s3Credentials: MinioCredentials;
}

export class Spark extends pulumi.ComponentResource {
  public readonly masterUrl: string;
  public readonly flows: Flow[];

  constructor(name: string, args: SparkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:spark:Spark", name, {}, opts);
    const manifests = sparkManifests(args.config, args.yarn, args.hdfs, args.namespace, args.zookeeperConnect, applicationFiles(), args.s3Credentials);
    createObjects(manifests, { parent: this, protectStateful: args.production, dependsOn: args.dependsOn });
    this.masterUrl = masterUrl(args.namespace);
    this.flows = sparkFlows(args.config);
    this.registerOutputs({ masterUrl: this.masterUrl });
  }
}
