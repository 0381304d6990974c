import { FIXED_SIZE_ANNOTATION } from "../components/kit/manifests";
import { sizeGuardName } from "../components/kit/size-guard";
import type { Plan } from "../tools/plan";
import { all, find } from "./helpers";
import { STACKS, stackPlan } from "./support/stack-plans";

const NS = "data-platform";
const plans: Record<string, Plan> = {};

beforeAll(async () => {
  for (const s of STACKS) plans[s] = await stackPlan(s);
});

const QUORUMS: Record<(typeof STACKS)[number], string[]> = {
  dev: ["zookeeper", "kafka-controller", "minio"],
  staging: ["zookeeper", "kafka-controller", "hdfs-journalnode", "minio"],
  prod: ["zookeeper", "kafka-controller", "hdfs-journalnode", "minio"],
};

describe.each(STACKS)("the size guard in stack %s", (stack) => {
  it("marks exactly the quorums as fixed-size, each with its reason and where the README says what to do", () => {
    const fixed = all(plans[stack], "StatefulSet").filter((r) => r.inputs.metadata.annotations?.[FIXED_SIZE_ANNOTATION]);
    expect(fixed.map((r) => r.name).sort()).toEqual([...QUORUMS[stack]].sort());
    for (const r of fixed)
      expect(r.inputs.metadata.annotations[FIXED_SIZE_ANNOTATION]).toMatch(/Keep [a-zA-Z.]+replicas as deployed \(README: Resizing a quorum\)\.$/);
    // What users scale stays free: brokers, DataNodes, NodeManagers.
    for (const free of ["kafka-broker", "hdfs-datanode", "yarn-nodemanager"]) {
      expect(find(plans[stack], "StatefulSet", free).inputs.metadata.annotations?.[FIXED_SIZE_ANNOTATION]).toBeUndefined();
    }
  });

  it("refuses a replica change on those StatefulSets in the platform's namespace only, judged by the deployed object", () => {
    const policy = find(plans[stack], "ValidatingAdmissionPolicy", sizeGuardName(NS)).inputs.spec;
    expect(policy.failurePolicy).toBe("Fail");
    expect(policy.matchConstraints.resourceRules).toEqual([{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["statefulsets"] }]);
    expect(policy.matchConditions[0].expression).toContain(`'${FIXED_SIZE_ANNOTATION}' in oldObject.metadata.annotations`);
    expect(policy.validations[0].expression).toBe("object.spec.replicas == oldObject.spec.replicas");
    // kubectl scale and autoscalers go through the scale subresource, whose Scale object has no annotations.
    const scale = find(plans[stack], "ValidatingAdmissionPolicy", `${sizeGuardName(NS)}-scale`).inputs.spec;
    expect(scale.matchConstraints.resourceRules).toEqual([
      { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["statefulsets/scale"], resourceNames: QUORUMS[stack] },
    ]);
    expect(scale.validations[0].expression).toBe("object.spec.replicas == oldObject.spec.replicas");
    expect(find(plans[stack], "ValidatingAdmissionPolicyBinding", `${sizeGuardName(NS)}-scale`).inputs.spec.policyName).toBe(`${sizeGuardName(NS)}-scale`);
    const binding = find(plans[stack], "ValidatingAdmissionPolicyBinding", sizeGuardName(NS)).inputs.spec;
    expect(binding).toEqual({
      policyName: sizeGuardName(NS),
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS } } },
    });
  });

  it("exists before any quorum does: each quorum StatefulSet waits for the policy and its binding", () => {
    for (const name of QUORUMS[stack]) {
      const deps: string[] = find(plans[stack], "StatefulSet", name).options.dependsOn;
      expect(deps.some((u) => u.endsWith(`ValidatingAdmissionPolicyBinding::${sizeGuardName(NS)}-scale`))).toBe(true);
      expect(deps.some((u) => u.endsWith(`ValidatingAdmissionPolicyBinding::${sizeGuardName(NS)}`))).toBe(true);
      expect(deps.some((u) => u.endsWith(`ValidatingAdmissionPolicy::${sizeGuardName(NS)}`))).toBe(true);
    }
  });
});
