import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { Flow, Workload } from "../kit";
import type { ZooKeeperEnsemble } from "../kit/contracts";
import type { ZooKeeperConfig } from "./config";
import { zookeeperEnsemble } from "./contract";
import { zookeeperFlows, zookeeperManifests } from "./spec";

export type ZooKeeperArgs = EngineArgs<ZooKeeperConfig>;

export class ZooKeeper extends pulumi.ComponentResource implements ZooKeeperEnsemble {
  public readonly connectString: string;
  public readonly flows: Flow[];
  public readonly access: (client: Workload) => Flow[];

  constructor(name: string, args: ZooKeeperArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:zookeeper:ZooKeeper", name, {}, opts);
    createObjects(zookeeperManifests(args.config, args.namespace, args.clusterDomain), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: args.production,
      dependsOn: args.dependsOn,
    });
    ({ connectString: this.connectString, access: this.access } = zookeeperEnsemble(args.namespace, args.clusterDomain));
    this.flows = zookeeperFlows();
    this.registerOutputs({ connectString: this.connectString });
  }
}
