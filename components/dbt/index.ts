import * as pulumi from "@pulumi/pulumi";
import { Flow } from "../kit";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { DbtConfig } from "./config";
import { dbtFlows, dbtManifests, NAME } from "./spec";

/** The dbt project and its Job template (the pipeline's DbtOperator and ad-hoc runs use it). */
export class DbtProject extends pulumi.ComponentResource {
  public readonly jobTemplate: string;
  public readonly flows: Flow[];

  constructor(name: string, args: EngineArgs<DbtConfig>, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:dbt:Project", name, {}, opts);
    createObjects(dbtManifests(args.config, args.namespace), { parent: this, protectStateful: false, dependsOn: args.dependsOn });
    this.jobTemplate = `cronjob/${NAME}`;
    this.flows = dbtFlows(args.config);
    this.registerOutputs({ jobTemplate: this.jobTemplate });
  }
}
