import { stackPolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PersistentVolume",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "Node",
  "ClusterIssuer",
]);
/** Pulumi components over Kubernetes objects (charts, YAML groups): their objects count, not they. */
const COMPONENT_TYPES = /^kubernetes:(helm\.sh|yaml|kustomize)\//;

function deniesAll(policy: any): boolean {
  const spec = policy?.spec ?? {};
  const emptySelector =
    !spec.podSelector ||
    Object.keys(spec.podSelector).length === 0 ||
    (Object.keys(spec.podSelector.matchLabels ?? {}).length === 0 && !(spec.podSelector.matchExpressions ?? []).length);
  const types: string[] = spec.policyTypes ?? [];
  return emptySelector && types.includes("Ingress") && types.includes("Egress") && !(spec.ingress ?? []).length && !(spec.egress ?? []).length;
}

export const defaultDenyNetworkPolicy = stackPolicy(
  {
    name: "default-deny-network-policy",
    description: "Every namespace the stack uses has a NetworkPolicy that denies all ingress and egress by default.",
    enforcementLevel: "mandatory",
    remediationSteps: "Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress], then allow each flow explicitly.",
  },
  (resources, report) => {
    const namespaces = new Set<string>();
    for (const r of resources) {
      const kind = kindOf(r.type);
      if (!kind || CLUSTER_SCOPED.has(kind) || COMPONENT_TYPES.test(r.type)) continue;
      if (kind === "List") continue;
      namespaces.add(r.props?.metadata?.namespace ?? "default");
    }
    for (const r of resources) if (kindOf(r.type) === "Namespace") namespaces.add(r.props?.metadata?.name);
    const denied = new Set(
      resources.filter((r) => kindOf(r.type) === "NetworkPolicy" && deniesAll(r.props)).map((r) => r.props?.metadata?.namespace ?? "default"),
    );
    for (const ns of [...namespaces].sort()) {
      if (!denied.has(ns)) report(`namespace ${ns} has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)`);
    }
  },
);
