import * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../kit";
import type { DbtTemplate, SqlService } from "../kit/contracts";
import type { EngineArgs } from "../kit/engine";
import { createObjects } from "../kit/objects";
import type { DbtConfig } from "./config";
import { dbtFlows, dbtManifests, NAME } from "./spec";

export interface DbtArgs extends EngineArgs<DbtConfig> {
  /** The SQL engine the models run on. */
  sql: SqlService;
}

/** The dbt project and its Job template (the pipeline's DbtOperator and ad-hoc runs use it). */
export class Dbt extends pulumi.ComponentResource implements DbtTemplate {
  /** The CronJob an orchestrator copies into a Job. */
  public readonly template = NAME;
  public readonly target: string;
  public readonly jobTemplate: string;
  public readonly flows: Flow[];

  constructor(name: string, args: DbtArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named dataplatform:dbt:Project before its folder, class and type agreed: the alias keeps its objects.
    super("dataplatform:dbt:Dbt", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "dataplatform:dbt:Project" }] });
    createObjects(dbtManifests(args.config, args.namespace, args.sql), {
      parent: this,
      overrides: args.config.overrides,
      protectStateful: false,
      dependsOn: args.dependsOn,
    });
    this.jobTemplate = `cronjob/${NAME}`;
    this.target = args.config.target;
    this.flows = dbtFlows(args.config, args.sql);
    this.registerOutputs({ jobTemplate: this.jobTemplate });
  }
}
