import * as pulumi from "@pulumi/pulumi";
import { Flow, Workload } from "../kit";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { HiveMetastoreConfig } from "./config";
import { hiveMetastoreManifests, MetastoreCredentials, metastoreFlows, metastoreUri, SETUP_JOBS } from "./spec";

export interface HiveMetastoreArgs extends EngineArgs<HiveMetastoreConfig> {
  /** Workloads that talk to the metastore. */
  clients: Workload[];
  /** MySQL's and MinIO's Secrets, as those components publish them. */
  credentials: MetastoreCredentials;
}

export class HiveMetastore extends pulumi.ComponentResource {
  public readonly uri: string;
  public readonly flows: Flow[];

  constructor(name: string, args: HiveMetastoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:hive:Metastore", name, {}, opts);
    createObjects(hiveMetastoreManifests(args.config, args.namespace, args.credentials), {
      parent: this, protectStateful: args.production, dependsOn: args.dependsOn, setupJobs: SETUP_JOBS,
    });
    this.uri = metastoreUri(args.namespace);
    this.flows = metastoreFlows(args.clients);
    this.registerOutputs({ uri: this.uri });
  }
}
