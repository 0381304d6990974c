/** The dbt project's ad-hoc and pipeline runs: a suspended CronJob template (DbtOperator, kubectl). */
import { z } from "zod";
import { image, resources } from "../kit/sizing";

/** Runs dbt with the pinned adapter, installed from PyPI when the Job starts. */
export const DBT_IMAGE = "python:3.12.12-slim";
export const DBT_PACKAGES = ["dbt-core~=1.11.0", "dbt-trino==1.11.0"];

export const dbtConfig = z.strictObject({
  /** The profile's target for this environment (profiles.yml: dev, staging, prod). */
  target: z.enum(["dev", "staging", "prod"], { error: 'must be "dev", "staging" or "prod"' }),
  image: image.default(DBT_IMAGE),
  resources,
});
export type DbtConfig = z.infer<typeof dbtConfig>;
