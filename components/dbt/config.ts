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
  /**
   * An existing Secret with keys "user" and "password" for a coordinator that requires a login: dbt then
   * uses LDAP over HTTPS (profiles.yml). Omitted: the user name "dbt" only, as an open Trino expects.
   */
  credentialsSecret: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be the name of a Secret in the namespace" }).optional(),
  resources,
});
export type DbtConfig = z.infer<typeof dbtConfig>;
