import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { Credentials } from "../kit/credentials";
import { createObjects } from "../kit/objects";
import type { OwnedCredential } from "../kit/secret-ref";
import { METASTORE_DATABASE, METASTORE_USER, MYSQL_CREDENTIALS, MysqlConfig, MysqlCredentials } from "./config";
import { jdbcUrl, MYSQL, mysqlManifests } from "./spec";

export interface MysqlArgs extends EngineArgs<MysqlConfig> {
  credentials: OwnedCredential<"password" | "root-password">;
}

export class Mysql extends pulumi.ComponentResource {
  public readonly jdbcUrl: string;
  public readonly database = METASTORE_DATABASE;
  public readonly user = METASTORE_USER;
  /** Where the metastore user's password and the root password are. */
  public readonly credentials: MysqlCredentials;

  constructor(name: string, args: MysqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:mysql:MySQL", name, {}, opts);
    const { ref, existing } = args.credentials;
    const credentials = new Credentials(MYSQL_CREDENTIALS.secret, {
      namespace: args.namespace, secretName: ref.name, workload: MYSQL,
      generated: { "root-password": 40, password: 32 },
      fixed: { username: METASTORE_USER },
      existing,
      dependsOn: args.dependsOn,
    }, { parent: this, protect: args.production });
    createObjects(mysqlManifests(args.config, args.namespace, ref), { parent: this, protectStateful: args.production, dependsOn: [...(args.dependsOn ?? []), credentials] });
    this.jdbcUrl = jdbcUrl(args.namespace);
    this.credentials = ref;
    this.registerOutputs({ jdbcUrl: this.jdbcUrl, database: this.database, user: this.user, credentialsSecret: ref.name });
  }
}
