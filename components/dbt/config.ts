/** The dbt project's ad-hoc and pipeline runs: a suspended CronJob template (DbtOperator, kubectl). */
import { z } from "zod";
import { image, reads, resources, ruleIssue } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/** Runs dbt with the pinned adapter, installed from PyPI when the Job starts. */
export const DBT_IMAGE = "python:3.12.12-slim";
export const DBT_PACKAGES = ["dbt-core~=1.11.0", "dbt-trino==1.11.0"];

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { runner: [] };

export const dbtConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    /** The profile's target for this environment (profiles.yml: dev, staging, prod). */
    target: z.enum(["dev", "staging", "prod"], { error: 'must be "dev", "staging" or "prod"' }),
    image: image.default(DBT_IMAGE),
    /**
     * An existing Secret with keys "user" and "password" for a coordinator that requires a login: dbt then
     * uses LDAP over HTTPS (profiles.yml). Omitted: the user name "dbt" only, as an open Trino expects.
     */
    credentialsSecret: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be the name of a Secret in the namespace" })
      .optional(),
    /** The coordinator's HTTPS port, which a login needs (Trino refuses passwords over plain HTTP). */
    httpsPort: z.number({ error: "must be a port number" }).int().min(1).max(65535, { error: "must be a port number" }).optional(),
    /** A ConfigMap with the CA (key ca.crt) that signed the coordinator's certificate, when not a public one. */
    caConfigMap: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be the name of a ConfigMap in the namespace" })
      .optional(),
    resources,
  })
  .superRefine(
    (d, ctx) => {
      if (d.credentialsSecret && d.httpsPort === undefined) {
        ruleIssue(ctx, ["httpsPort"], "is required with credentialsSecret: the coordinator's HTTPS port (a password is only sent over HTTPS)", [
          ["credentialsSecret"],
        ]);
      }
      if (!d.credentialsSecret && (d.httpsPort !== undefined || d.caConfigMap)) {
        ruleIssue(
          ctx,
          [d.httpsPort !== undefined ? "httpsPort" : "caConfigMap"],
          "is only read with credentialsSecret (a login over HTTPS); set credentialsSecret or remove it",
          [["credentialsSecret"]],
        );
      }
    },
    reads(["credentialsSecret"], ["httpsPort"], ["caConfigMap"]),
  );
export type DbtConfig = z.infer<typeof dbtConfig>;
