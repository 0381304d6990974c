import { replicasOnBrokersScript } from "../components/kafka/spec";
import { FIXED_SIZE_ANNOTATION } from "../components/kit/manifests";
import type { ConfigError } from "../infra/config/load";
import { loadPlatform } from "../infra/config/stack";
import { checkFixedSizes, checkScaleDown, checkStorage, type LiveCluster, type LiveStatefulSet } from "../infra/scale-checks";
import { applySets, readStackFile } from "../tools/plan";
import { ROOT } from "./helpers";

/** prod with `--set` overrides, as `npm run check -- --set` applies them. */
const prodWith = (...sets: string[]) => {
  const config = readStackFile("prod");
  return loadPlatform(ROOT, "prod", config, applySets(sets, config));
};
const prod = (brokers: number) => prodWith(`kafka.brokers=${brokers}`);

/** A cluster whose StatefulSets and broker answer as given; records what was run in which pod. */
function cluster(
  sizes: Record<string, number>,
  answer: { code: number; output: string },
  ran: string[] = [],
  claims: Record<string, LiveStatefulSet["claims"]> = {},
  classes: Record<string, boolean> = {},
): LiveCluster {
  return {
    statefulSet: async (_ns, name) =>
      name in sizes ? { replicas: sizes[name], annotations: { [FIXED_SIZE_ANNOTATION]: `${name} is a quorum` }, claims: claims[name] ?? [] } : undefined,
    expandable: async (sc) => (sc in classes ? { name: sc, expandable: classes[sc] } : undefined),
    exec: async (_ns, pod, container, command) => {
      ran.push(`${pod}/${container}: ${command.join(" ")}`);
      return answer;
    },
    claims: async () => [],
    growClaim: async (_ns, name, size) => {
      ran.push(`grow ${name} ${size}`);
    },
    orphanStatefulSet: async (_ns, name) => {
      ran.push(`orphan ${name}`);
    },
  };
}
const refusal = async (p: Promise<unknown>) =>
  p.then(
    () => "",
    (e: ConfigError) => e.problems.join("\n"),
  );

describe("lowering kafka.brokers", () => {
  it("asks broker 0 about the removed brokers, and refuses while they hold replicas, naming them", async () => {
    const ran: string[] = [];
    const held = { code: 3, output: "held orders-0: 3,0,1\nSLF4J: a warning on stderr\nheld orders-1: 4,1,2\n" };
    const message = await refusal(checkScaleDown(prod(3), cluster({ "kafka-broker": 5 }, held, ran)));
    expect(ran).toEqual([`kafka-broker-0/kafka: /bin/bash -c ${replicasOnBrokersScript([3, 4])}`]);
    expect(message).toBe(
      "kafka.brokers (stack prod): lowering it from 5 to 3 removes brokers 3, 4, which still hold replicas of 2 partitions (orders-0: 3,0,1; orders-1: 4,1,2). Move them to brokers 0-2 first (README: Removing brokers), then lower the count; nothing was changed.",
    );
  });

  it("goes ahead when they hold nothing, and never asks when the count does not go down or nothing is deployed", async () => {
    const ran: string[] = [];
    await expect(checkScaleDown(prod(3), cluster({ "kafka-broker": 4 }, { code: 0, output: "" }, ran))).resolves.toBeUndefined();
    await expect(checkScaleDown(prod(4), cluster({ "kafka-broker": 3 }, { code: 3, output: "held x-0: 3" }, ran))).resolves.toBeUndefined();
    await expect(checkScaleDown(prod(3), cluster({}, { code: 3, output: "held x-0: 3" }, ran))).resolves.toBeUndefined();
    expect(ran).toHaveLength(1);
  });

  it("refuses when it cannot ask (the broker does not run)", async () => {
    const message = await refusal(checkScaleDown(prod(3), cluster({ "kafka-broker": 4 }, { code: -1, output: "Unexpected server response: 400" })));
    expect(message).toBe(
      "kafka.brokers (stack prod): lowering it from 4 to 3 removes broker 3, and the program cannot confirm they hold no partition replicas (kafka-broker-0: Unexpected server response: 400). Lower the count once the brokers run and hold nothing; nothing was changed.",
    );
  });
});

it("says what right is missing when the exec is forbidden", async () => {
  const message = await refusal(checkScaleDown(prod(3), cluster({ "kafka-broker": 4 }, { code: -1, output: "Unexpected server response: 403" })));
  expect(message).toMatch(/\(kafka-broker-0: Unexpected server response: 403\)\. The deployer needs the right to exec into pods \(pods\/exec, create\)/);
});

describe("a quorum's size", () => {
  it("is refused when it differs from the deployed StatefulSet's, with that StatefulSet's reason", async () => {
    const p = prodWith("zookeeper.replicas=5");
    const message = await refusal(
      checkFixedSizes(p, cluster({ zookeeper: 3, "kafka-controller": 3, "hdfs-journalnode": 3, minio: 4 }, { code: 0, output: "" })),
    );
    expect(message).toBe("zookeeper.replicas (stack prod): StatefulSet zookeeper keeps 3 replicas (asked: 5): zookeeper is a quorum");
    await expect(checkFixedSizes(p, cluster({}, { code: 0, output: "" }))).resolves.toBeUndefined();
  });

  it("includes MinIO's drives per server, its claim templates", async () => {
    const drives = (n: number) => ({ minio: Array.from({ length: n }, (_, i) => ({ name: `data${i}`, size: "500Gi" })) });
    const sizes = { zookeeper: 3, "kafka-controller": 3, "hdfs-journalnode": 3, minio: 4 };
    expect(await refusal(checkFixedSizes(prodWith("minio.drivesPerNode=4"), cluster(sizes, { code: 0, output: "" }, [], drives(2))))).toBe(
      "minio.drivesPerNode (stack prod): StatefulSet minio keeps 2 drives per server (asked: 4): its erasure-coded pool was cut from them when it was created. Keep 2 (README: Resizing a quorum).",
    );
    expect(await refusal(checkFixedSizes(prodWith("minio.drivesPerNode=2"), cluster(sizes, { code: 0, output: "" }, [], drives(2))))).toBe("");
  });
});

describe("a volume's size", () => {
  // prod's broker volumes: 200Gi on no named StorageClass.
  const brokerAt = (size: string, storageClass?: string) => ({ "kafka-broker": [{ name: "data", size, storageClass, templateClass: storageClass }] });
  /** Claims the API server gave the default class, from a template that names none. */
  const brokerOnDefault = (size: string, storageClass: string) => ({ "kafka-broker": [{ name: "data", size, storageClass }] });
  const check = (claims: Record<string, LiveStatefulSet["claims"]>, classes: Record<string, boolean>, ...sets: string[]) =>
    refusal(checkStorage(prodWith(...sets), cluster({ "kafka-broker": 3 }, { code: 0, output: "" }, [], claims, classes)));

  it("never shrinks", async () => {
    expect(await check(brokerAt("400Gi"), {})).toBe(
      "kafka.storage (stack prod): size: 200Gi is smaller than StatefulSet kafka-broker's volumes (400Gi); volumes cannot shrink. Keep 400Gi or more.",
    );
  });

  it("grows only on a StorageClass that lets claims expand", async () => {
    expect(await check(brokerAt("100Gi"), {})).toBe(
      "kafka.storage (stack prod): size: growing StatefulSet kafka-broker's volumes from 100Gi to 200Gi needs a StorageClass that lets claims expand, and the volumes have no StorageClass. Keep 100Gi (README: Growing storage).",
    );
    expect(await check(brokerAt("100Gi", "fast"), { fast: false }, "kafka.storage.storageClass=fast")).toMatch(
      /and StorageClass fast does not set allowVolumeExpansion: true\./,
    );
    expect(await check(brokerAt("100Gi", "fast"), { fast: true }, "kafka.storage.storageClass=fast")).toBe("");
    const growths = await checkStorage(
      prodWith("kafka.storage.storageClass=fast"),
      cluster({ "kafka-broker": 3 }, { code: 0, output: "" }, [], brokerAt("100Gi", "fast"), { fast: true }),
    );
    expect(growths).toEqual([{ setting: "kafka.storage", statefulSet: "kafka-broker", templates: ["data"], from: "100Gi", to: "200Gi" }]);
    expect(await check(brokerAt("200Gi"), {})).toBe("");
    // No class named: what counts is the class the API server gave the claims (the default then), not today's default.
    expect(await check(brokerOnDefault("100Gi", "standard"), { standard: true })).toBe("");
    expect(await check(brokerOnDefault("100Gi", "standard"), { standard: false })).toMatch(/StorageClass standard does not set allowVolumeExpansion: true/);
  });

  it("reads the sizes the API server writes back", async () => {
    expect(await check(brokerAt("1Pi"), {})).toMatch(/size: 200Gi is smaller than StatefulSet kafka-broker's volumes \(1Pi\)/);
    expect(await check(brokerAt("214748364800"), {})).toBe("");
  });

  it("keeps its StorageClass", async () => {
    expect(await check(brokerAt("200Gi", "fast"), { fast: true })).toBe(
      "kafka.storage (stack prod): storageClass: StatefulSet kafka-broker's volumes are on fast; a volume cannot move to the default class. Keep storageClass: fast.",
    );
  });
});
