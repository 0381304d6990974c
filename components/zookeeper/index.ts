import * as pulumi from "@pulumi/pulumi";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import { Flow } from "../kit";
import type { ZooKeeperConfig } from "./config";
import { connectString, zookeeperFlows, zookeeperManifests } from "./spec";

export type ZooKeeperArgs = EngineArgs<ZooKeeperConfig>;

export class ZooKeeper extends pulumi.ComponentResource {
  public readonly connectString: string;
  public readonly flows: Flow[];

  constructor(name: string, args: ZooKeeperArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:zookeeper:ZooKeeper", name, {}, opts);
    createObjects(zookeeperManifests(args.config, args.namespace), { parent: this, protectStateful: args.production, dependsOn: args.dependsOn });
    this.connectString = connectString(args.namespace);
    this.flows = zookeeperFlows();
    this.registerOutputs({ connectString: this.connectString });
  }
}
