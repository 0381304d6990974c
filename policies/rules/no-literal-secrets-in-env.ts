import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

/** Variable names that carry credentials. */
export const SECRET_NAME = /(password|passwd|secret|token|credential|(^|_)key$|(^|_)key_|apikey|access_?key|private_?key)/i;

export const noLiteralSecretsInEnv = podPolicy(
  {
    name: "no-literal-secrets-in-env",
    description: "Environment variables that hold credentials take them from a Secret (valueFrom.secretKeyRef), never a literal value.",
    enforcementLevel: "mandatory",
    remediationSteps: "Store the value in a Secret and reference it with valueFrom.secretKeyRef.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      for (const env of container?.env ?? []) {
        if (SECRET_NAME.test(env?.name ?? "") && env?.value !== undefined && env?.value !== "") {
          report(`${where}: env ${env.name} has a literal value; use valueFrom.secretKeyRef`);
        }
      }
    }
  },
);
