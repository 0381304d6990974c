import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import type { Flow, Workload } from "../kit";
import type { DatabaseServer } from "../kit/contracts";
import { Credentials } from "../kit/credentials";
import { createObjects } from "../kit/objects";
import type { OwnedCredential } from "../kit/secret-ref";
import { METASTORE_USER, MYSQL_CREDENTIALS, type MysqlConfig, type MysqlCredentials } from "./config";
import { databaseServer } from "./contract";
import { MYSQL, mysqlManifests } from "./spec";

export interface MysqlArgs extends EngineArgs<MysqlConfig> {
  credentials: OwnedCredential<"password" | "root-password">;
}

export class Mysql extends pulumi.ComponentResource implements DatabaseServer {
  public readonly host: string;
  public readonly port: number;
  public readonly jdbcUrl: string;
  public readonly database: string;
  public readonly user: string;
  /** Where the metastore user's password and the root password are. */
  public readonly credentials: MysqlCredentials;
  public readonly clientImage: string;
  /** MySQL serves only other engines: nothing inside it talks to itself. */
  public readonly flows: Flow[] = [];
  public readonly access: (client: Workload) => Flow[];

  constructor(name: string, args: MysqlArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:mysql:MySQL before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:mysql:Mysql", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:mysql:MySQL" }] });
    const { ref, existing } = args.credentials;
    const credentials = new Credentials(
      MYSQL_CREDENTIALS.secret,
      {
        namespace: args.namespace,
        secretName: ref.name,
        workload: MYSQL,
        generated: { "root-password": 40, password: 32 },
        fixed: { username: METASTORE_USER },
        existing,
        dependsOn: args.dependsOn,
      },
      { parent: this, protect: args.production },
    );
    createObjects(mysqlManifests(args.config, args.namespace, ref), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: [...(args.dependsOn ?? []), credentials],
    });
    ({
      host: this.host,
      port: this.port,
      jdbcUrl: this.jdbcUrl,
      database: this.database,
      user: this.user,
      credentials: this.credentials,
      clientImage: this.clientImage,
      access: this.access,
    } = databaseServer(args.config, args.namespace, ref, args.clusterDomain));
    this.registerOutputs({ jdbcUrl: this.jdbcUrl, database: this.database, user: this.user, credentialsSecret: ref.name });
  }
}
