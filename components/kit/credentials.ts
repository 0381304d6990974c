/** Generated credentials kept as Pulumi secrets and stored in one Kubernetes Secret. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type Workload, workloadLabels } from "./labels";

export interface CredentialsArgs {
  namespace: pulumi.Input<string>;
  /** The Secret's name, referenced by pods through secretKeyRef. */
  secretName: string;
  workload: Workload;
  /** Keys whose values are generated: key -> length. */
  generated: Record<string, number>;
  /** Keys with fixed, non-secret values (a username). */
  fixed?: Record<string, string>;
  /**
   * Keys computed from the generated values (a connection string, an encoded key); they stay secret.
   * Generated keys listed in `internal` feed these and are not stored themselves.
   */
  derived?: (generated: Record<string, pulumi.Output<string>>) => Record<string, pulumi.Output<string>>;
  internal?: string[];
  /**
   * The Secret already exists (made by Vault, External Secrets or a person): nothing is generated or
   * written, and `values` is empty. The program checks it before deploying (see existing-secrets.ts).
   */
  existing?: boolean;
  /** What the Secret must wait for (its namespace). */
  dependsOn?: pulumi.Resource[];
}

export class Credentials extends pulumi.ComponentResource {
  public readonly secretName: string;
  /** The generated values by key (Pulumi secrets). */
  public readonly values: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kit:Credentials", name, {}, opts);
    this.secretName = args.secretName;
    if (args.existing) {
      this.values = {};
      this.registerOutputs({ secretName: args.secretName });
      return;
    }
    const generated: Record<string, pulumi.Output<string>> = {};
    for (const [key, length] of Object.entries(args.generated)) {
      // Letters and digits only: values end up in JDBC URLs, shell and XML without escaping.
      generated[key] = new random.RandomPassword(`${name}-${key}`, { length, special: false }, { parent: this }).result;
    }
    const stored = Object.fromEntries(Object.entries(generated).filter(([key]) => !(args.internal ?? []).includes(key)));
    const secret = new k8s.core.v1.Secret(
      args.secretName,
      {
        metadata: { name: args.secretName, namespace: args.namespace, labels: workloadLabels(args.workload) },
        type: "Opaque",
        stringData: { ...(args.fixed ?? {}), ...stored, ...(args.derived?.(generated) ?? {}) },
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.values = generated;
    this.registerOutputs({ secretName: secret.metadata.name });
  }
}
