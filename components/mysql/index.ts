import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { Credentials } from "../kit/credentials";
import { createObjects } from "../kit/objects";
import { METASTORE_DATABASE, METASTORE_USER, MysqlConfig } from "./config";
import { CREDENTIALS_SECRET, jdbcUrl, MYSQL, mysqlManifests } from "./spec";

export type MysqlArgs = EngineArgs<MysqlConfig>;

export class Mysql extends pulumi.ComponentResource {
  public readonly jdbcUrl: string;
  public readonly database = METASTORE_DATABASE;
  public readonly user = METASTORE_USER;
  /** Secret with keys username, password (the metastore user) and root-password. */
  public readonly credentialsSecret: string;

  constructor(name: string, args: MysqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:mysql:MySQL", name, {}, opts);
    const credentials = new Credentials(CREDENTIALS_SECRET, {
      namespace: args.namespace, secretName: CREDENTIALS_SECRET, workload: MYSQL,
      generated: { "root-password": 40, password: 32 },
      fixed: { username: METASTORE_USER },
      existing: args.existingCredentials,
      dependsOn: args.dependsOn,
    }, { parent: this, protect: args.production });
    createObjects(mysqlManifests(args.config, args.namespace), { parent: this, protectStateful: args.production, dependsOn: [...(args.dependsOn ?? []), credentials] });
    this.jdbcUrl = jdbcUrl(args.namespace);
    this.credentialsSecret = CREDENTIALS_SECRET;
    this.registerOutputs({ jdbcUrl: this.jdbcUrl, database: this.database, user: this.user, credentialsSecret: this.credentialsSecret });
  }
}
