import type { ConfigError } from "../infra/config/load";
import { loadPlatform } from "../infra/config/stack";
import type { LiveCluster, VolumeGrowth } from "../infra/scale-checks";
import { describeGrowth, growthTransforms, growVolumes, missingAroundClaims, planGrowth, recreationTransforms } from "../infra/volume-growth";
import { keptMark } from "../components/kit/objects";
import { DECOMMISSIONED_ANNOTATION, VOLUME_GROWTH_ANNOTATION } from "../components/kit/manifests";
import { applySets, readStackFile } from "../tools/plan";
import { ROOT } from "./helpers";
import { stackPlan } from "./support/stack-plans";

const prod = () => {
  const config = readStackFile("prod");
  return loadPlatform(ROOT, "prod", config, applySets(["kafka.storage.size=400Gi"], config));
};
const growth: VolumeGrowth = { setting: "kafka.storage", statefulSet: "kafka-broker", templates: ["data"], from: "200Gi", to: "400Gi" };

/** Claims as the API server lists them; records each change asked of it, in order. */
function cluster(
  claims: { name: string; size: string; phase?: string }[],
  refuse: Record<string, string> = {},
  o: { refuseDryRun?: boolean; statefulSets?: string[] } = {},
) {
  const did: string[] = [];
  const fake: LiveCluster = {
    statefulSet: async (_ns, name) => (o.statefulSets?.includes(name) ? { replicas: 1, annotations: {}, claims: [] } : undefined),
    expandable: async () => undefined,
    exec: async () => ({ code: 0, output: "" }),
    claims: async () => claims,
    growClaim: async (ns, name, size, opts) => {
      if (refuse[name] && (opts?.dryRun ? o.refuseDryRun : true))
        throw Object.assign(new Error("HTTP-Code: 403"), { body: JSON.stringify({ message: refuse[name] }) });
      if (!opts?.dryRun) did.push(`grow ${ns}/${name} ${size}`);
    },
    orphanStatefulSet: async (ns, name) => {
      did.push(`orphan ${ns}/${name}`);
    },
  };
  return { fake, did };
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "",
    (e: ConfigError) => e.problems.join("\n"),
  );

describe("planning a volume growth", () => {
  it("takes every smaller claim of the StatefulSet's templates, retained claims of removed ordinals included", async () => {
    const { fake } = cluster([
      { name: "data-kafka-broker-0", size: "200Gi", phase: "Bound" },
      { name: "data-kafka-broker-1", size: "200Gi", phase: "Bound" },
      { name: "data-kafka-broker-7", size: "200Gi", phase: "Bound" },
      { name: "data-kafka-broker-2", size: "400Gi", phase: "Bound" }, // grown by hand already
      { name: "data-kafka-controller-0", size: "200Gi", phase: "Bound" },
      { name: "data-kafka-broker-extra", size: "1Gi", phase: "Bound" },
    ]);
    const [planned] = await planGrowth(prod(), fake, [growth]);
    expect(planned.claims).toEqual(["data-kafka-broker-0", "data-kafka-broker-1", "data-kafka-broker-7"]);
    expect(describeGrowth(planned)).toBe(
      "kafka.storage: claims data-kafka-broker-0, data-kafka-broker-1, data-kafka-broker-7 grow from 200Gi to 400Gi; StatefulSet kafka-broker is recreated with the new claim template around its running pods, which keep running on their volumes.",
    );
  });

  it("refuses, at preview already, a size the API server would refuse (a server-side dry run)", async () => {
    const { fake, did } = cluster(
      [{ name: "data-kafka-broker-0", size: "200Gi", phase: "Bound" }],
      { "data-kafka-broker-0": "exceeded quota: storage, requested: requests.storage=200Gi" },
      { refuseDryRun: true },
    );
    expect(await refusal(planGrowth(prod(), fake, [growth]))).toBe(
      "kafka.storage (stack prod): size: the API server would refuse to grow claim data-platform/data-kafka-broker-0 to 400Gi: exceeded quota: storage, requested: requests.storage=200Gi. Keep 200Gi (README: Growing storage).",
    );
    expect(did).toEqual([]);
  });

  it("refuses a claim that is not bound, before anything changes", async () => {
    const { fake, did } = cluster([
      { name: "data-kafka-broker-0", size: "200Gi", phase: "Bound" },
      { name: "data-kafka-broker-1", size: "200Gi", phase: "Pending" },
    ]);
    expect(await refusal(planGrowth(prod(), fake, [growth]))).toBe(
      "kafka.storage (stack prod): size: claim data-kafka-broker-1 is Pending, and only a bound claim can grow. Keep 200Gi until it is bound to a volume (README: Growing storage).",
    );
    expect(did).toEqual([]);
  });
});

describe("growing volumes at up", () => {
  const claims = [
    { name: "data-kafka-broker-0", size: "200Gi", phase: "Bound" },
    { name: "data-kafka-broker-1", size: "200Gi", phase: "Bound" },
  ];

  it("grows every claim, then deletes the StatefulSet leaving its pods running", async () => {
    const { fake, did } = cluster(claims);
    await growVolumes(prod(), fake, await planGrowth(prod(), fake, [growth]));
    expect(did).toEqual(["grow data-platform/data-kafka-broker-0 400Gi", "grow data-platform/data-kafka-broker-1 400Gi", "orphan data-platform/kafka-broker"]);
  });

  it("leaves the StatefulSet alone when the API server refuses a claim, with its reason", async () => {
    const { fake, did } = cluster(claims, {
      "data-kafka-broker-1": "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
    });
    expect(await refusal(growVolumes(prod(), fake, await planGrowth(prod(), fake, [growth])))).toBe(
      "kafka.storage (stack prod): size: the API server refused to grow claim data-platform/data-kafka-broker-1 to 400Gi: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize. No StatefulSet was touched; claims before it in data-kafka-broker-0, data-kafka-broker-1 have grown.",
    );
    expect(did).toEqual(["grow data-platform/data-kafka-broker-0 400Gi"]);
  });
});

describe("the growing StatefulSet's registration", () => {
  const planned = [{ ...growth, claims: ["data-kafka-broker-0"] }];
  const args = (name: string, namespace = "data-platform", type = "kubernetes:apps/v1:StatefulSet") => ({
    custom: true,
    type,
    name,
    props: { metadata: { name, namespace, annotations: { "dataplatform.io/fixed-size": "x" } }, spec: {} },
    opts: { protect: true, ignoreChanges: [keptMark(VOLUME_GROWTH_ANNOTATION), keptMark(DECOMMISSIONED_ANNOTATION)], deleteBeforeReplace: true },
  });

  it("is unprotected for this run and marked with what grows; the mark is no longer ignored", async () => {
    const out = await growthTransforms("data-platform", planned)[0](args("kafka-broker"));
    expect(out!.opts).toEqual({ protect: false, ignoreChanges: [keptMark(DECOMMISSIONED_ANNOTATION)], deleteBeforeReplace: true });
    expect(out!.props.metadata.annotations).toEqual({ "dataplatform.io/fixed-size": "x", "dataplatform.io/volume-growth": "data: 200Gi -> 400Gi" });
  });

  it("leaves every other object as it is", async () => {
    const [t] = growthTransforms("data-platform", planned);
    expect(await t(args("kafka-controller"))).toBeUndefined();
    expect(await t(args("kafka-broker", "other"))).toBeUndefined();
    expect(await t(args("kafka-broker", "data-platform", "kubernetes:core/v1:ConfigMap"))).toBeUndefined();
  });
});

describe("a StatefulSet missing beside its claims (a growth's run that stopped after deleting it, a restore)", () => {
  it("is found, and registered unprotected and marked for the run that creates it again", async () => {
    const claims = [
      { name: "data-kafka-broker-0", size: "400Gi", phase: "Bound" },
      { name: "data0-minio-0", size: "1Ti", phase: "Bound" },
    ];
    const { fake } = cluster(claims, {}, { statefulSets: ["minio"] });
    expect(await missingAroundClaims(prod(), fake, ["kafka-broker", "kafka-controller", "minio"])).toEqual(["kafka-broker"]);
    const [t] = recreationTransforms("data-platform", ["kafka-broker"]);
    const out = await t({
      custom: true,
      type: "kubernetes:apps/v1:StatefulSet",
      name: "kafka-broker",
      props: { metadata: { name: "kafka-broker", namespace: "data-platform", annotations: {} } },
      opts: { protect: true, ignoreChanges: [keptMark(VOLUME_GROWTH_ANNOTATION)] },
    });
    expect(out!.opts).toEqual({ protect: false, ignoreChanges: [] });
    expect(out!.props.metadata.annotations).toEqual({ [VOLUME_GROWTH_ANNOTATION]: "recreated around its existing claims" });
  });
});

it("every StatefulSet the platform registers has an annotations object, so Pulumi can keep a mark below it", async () => {
  const plan = await stackPlan("prod");
  const statefulSets = plan.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
  expect(statefulSets.length).toBeGreaterThanOrEqual(8);
  for (const r of statefulSets) expect([r.name, typeof r.inputs.metadata.annotations]).toEqual([r.name, "object"]);
}, 60_000);
