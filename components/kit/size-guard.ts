/**
 * Sizes that must not change by editing a count (quorums: every member is named in every member's
 * configuration). A ValidatingAdmissionPolicy refuses the change in the API server, so a
 * `pulumi preview` (the provider's server-side dry run) already fails with the workload's own
 * reason, and so does any other client (kubectl edit, a GitOps tool).
 */
import * as pulumi from "@pulumi/pulumi";
import { FIXED_SIZE_ANNOTATION, type Manifest } from "./manifests";
import { createObjects } from "./objects";

export function sizeGuardName(namespace: string): string {
  return `dataplatform-fixed-size-${namespace}`;
}

const LABELS = { "app.kubernetes.io/part-of": "data-platform", "app.kubernetes.io/managed-by": "pulumi" };

function binding(name: string, namespace: string): Manifest {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name, labels: LABELS },
    spec: {
      policyName: name,
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } },
    },
  };
}

/**
 * `kubectl scale` and autoscalers change the count through the scale subresource, whose object (a
 * Scale) carries no annotations: that policy matches the fixed-size StatefulSets by name.
 */
function scalePolicy(name: string, fixed: string[]): Manifest {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name, labels: LABELS },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["statefulsets/scale"], resourceNames: fixed }],
      },
      validations: [
        {
          expression: "object.spec.replicas == oldObject.spec.replicas",
          reason: "Forbidden",
          messageExpression: `'StatefulSet ' + oldObject.metadata.name + ' keeps ' + string(oldObject.spec.replicas) + ' replicas (asked: ' + string(object.spec.replicas) + '): its size is fixed, see its ${FIXED_SIZE_ANNOTATION} annotation'`,
        },
      ],
    },
  };
}

/**
 * The policies, and their bindings to the platform's namespace (all cluster-scoped). `fixed`: the
 * names of the StatefulSets marked fixed-size, for the scale subresource.
 */
export function sizeGuardManifests(namespace: string, fixed: string[]): Manifest[] {
  const name = sizeGuardName(namespace);
  const annotation = `oldObject.metadata.annotations['${FIXED_SIZE_ANNOTATION}']`;
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels: LABELS },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["statefulsets"] }] },
        // The deployed object's annotation decides: removing it in the same change does not get through.
        matchConditions: [
          { name: "fixed-size", expression: `has(oldObject.metadata.annotations) && '${FIXED_SIZE_ANNOTATION}' in oldObject.metadata.annotations` },
        ],
        validations: [
          {
            expression: "object.spec.replicas == oldObject.spec.replicas",
            reason: "Forbidden",
            messageExpression: `'StatefulSet ' + object.metadata.name + ' keeps ' + string(oldObject.spec.replicas) + ' replicas (asked: ' + string(object.spec.replicas) + '): ' + ${annotation}`,
          },
        ],
      },
    },
    binding(name, namespace),
    ...(fixed.length ? [scalePolicy(`${name}-scale`, fixed), binding(`${name}-scale`, namespace)] : []),
  ];
}

export interface SizeGuardArgs {
  namespace: string;
  /** The StatefulSets the engines mark fixed-size. */
  fixed: string[];
  dependsOn?: pulumi.Resource[];
}

/** Created before the engines, so a quorum exists only once its size is guarded. */
export class SizeGuard extends pulumi.ComponentResource {
  public readonly resources: pulumi.CustomResource[];
  constructor(name: string, args: SizeGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataplatform:kit:SizeGuard", name, {}, opts);
    this.resources = createObjects(sizeGuardManifests(args.namespace, args.fixed), { parent: this, protectStateful: false, dependsOn: args.dependsOn });
    this.registerOutputs({});
  }
}
