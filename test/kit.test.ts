import {
  cpuCores,
  flowPolicies,
  headlessService,
  heapMiB,
  imageVersion,
  job,
  jvmFootprintMiB,
  memoryBytes,
  memoryMiB,
  parseImage,
  quantityBytes,
  podDisruptionBudget,
  podSpec,
  selectorLabels,
  statefulSet,
  unpinnedReason,
  workloadLabels,
} from "../components/kit";
import { container } from "../components/kit";

const W = { name: "kafka", component: "broker" };
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const RES = { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } };

describe("quantities and heap", () => {
  it("parses memory and CPU quantities", () => {
    expect(memoryBytes("512Mi")).toBe(512 * 2 ** 20);
    expect(memoryBytes("2G")).toBe(2e9);
    expect(memoryMiB("1.5Gi")).toBe(1536);
    expect(cpuCores("500m")).toBe(0.5);
    expect(cpuCores("2")).toBe(2);
    expect(() => memoryBytes("lots")).toThrow(/not a memory quantity/);
  });

  it("reads large and fractional quantities", () => {
    expect(quantityBytes("1Pi")).toBe(2 ** 50);
    expect(quantityBytes("1e3")).toBe(1000);
    expect(quantityBytes("500M")).toBe(5e8);
    expect(quantityBytes("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(quantityBytes(" 10Ki ")).toBe(10240);
    expect(quantityBytes("2Ei")).toBe(2 ** 61);
    for (const bad of ["", "lots", "1Xi", "-1Gi", "250m"]) expect(quantityBytes(bad)).toBeUndefined();
    expect(memoryBytes("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(memoryBytes("3Ti")).toBe(3 * 2 ** 40);
    expect(() => memoryBytes("1Pi")).toThrow(/not a memory quantity/);
    expect(cpuCores("250m")).toBe(0.25);
    expect(cpuCores("1.5")).toBe(1.5);
    expect(() => cpuCores("1e3")).toThrow(/not a CPU quantity/);
  });

  it("derives the heap from the memory limit and adds JVM overhead", () => {
    expect(heapMiB("2Gi", 50)).toBe(1024);
    expect(jvmFootprintMiB(1024)).toBe(1280);
    expect(jvmFootprintMiB(512)).toBe(768);
  });
});

describe("labels", () => {
  it("uses the recommended labels and keeps the version out of selectors", () => {
    expect(workloadLabels(W, "4.1.1")).toEqual({
      "app.kubernetes.io/name": "kafka",
      "app.kubernetes.io/component": "broker",
      "app.kubernetes.io/part-of": "data-platform",
      "app.kubernetes.io/instance": "kafka-broker",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/version": "4.1.1",
    });
    expect(selectorLabels(W)).not.toHaveProperty("app.kubernetes.io/version");
  });

  it("reads the version from an image tag", () => {
    expect(imageVersion("apache/kafka:4.1.1")).toBe("4.1.1");
    expect(imageVersion("registry:5000/team/mysql:8.4.7")).toBe("8.4.7");
    expect(imageVersion("registry:5000/team/mysql@sha256:abc")).toBeUndefined();
    expect(imageVersion(`registry:5000/team/mysql@${DIGEST}`)).toBeUndefined();
    expect(imageVersion(`registry.local:5000/org/img:1.2@${DIGEST}`)).toBe("1.2");
    expect(imageVersion("registry.local:5000/org/img")).toBeUndefined();
  });

  it("parses image references with registry ports and digests", () => {
    expect(parseImage("registry.local:5000/org/img:1.2")).toEqual({ name: "registry.local:5000/org/img", tag: "1.2" });
    expect(parseImage("mysql:8.4.7")).toEqual({ name: "mysql", tag: "8.4.7" });
    expect(parseImage(`apache/kafka:4.1.1@${DIGEST}`)).toEqual({ name: "apache/kafka", tag: "4.1.1", digest: DIGEST });
    expect(parseImage("localhost:5000/img")).toEqual({ name: "localhost:5000/img" });
    for (const bad of ["", "a/b:c:d", "Apache/Kafka:1", "img@sha256:abc"]) expect(parseImage(bad)).toBeUndefined();
  });

  it("says why an image is not pinned", () => {
    expect(unpinnedReason("registry.local:5000/org/img:1.2")).toBeUndefined();
    expect(unpinnedReason(`registry.local:5000/org/img@${DIGEST}`)).toBeUndefined();
    expect(unpinnedReason("registry.local:5000/org/img")).toBe("has no tag");
    expect(unpinnedReason("img:latest")).toBe("uses the latest tag");
    expect(unpinnedReason(`img@sha512:${"a".repeat(128)}`)).toBe("has a malformed digest");
    expect(unpinnedReason("img@sha256:abc")).toBe("is not a valid image reference");
  });
});

describe("pod security", () => {
  it("applies PSS restricted at pod and container level", () => {
    const spec = podSpec(W, 1000, { containers: [container({ name: "c", image: "i:1", resources: RES })] }, "sa");
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.automountServiceAccountToken).toBe(false);
    const c = (spec.containers as any[])[0];
    expect(c.securityContext).toEqual(
      expect.objectContaining({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      }),
    );
    expect(c.resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } });
  });

  it("spreads replicas softly, never blocking scheduling", () => {
    const spec: any = podSpec(W, 1000, { containers: [] }, "sa");
    expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
    expect(spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe("ScheduleAnyway");
  });
});

describe("object builders", () => {
  it("makes headless Services that publish not-ready addresses", () => {
    const s: any = headlessService("kafka-broker-headless", "ns", W, [{ name: "client", port: 9092 }]);
    expect(s.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true, selector: selectorLabels(W) });
  });

  it("makes PDBs that never block a drain", () => {
    const p: any = podDisruptionBudget("kafka-broker", "ns", W);
    expect(p.spec.maxUnavailable).toBe(1);
    expect(p.spec.minAvailable).toBeUndefined();
    expect(p.spec.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
  });

  it("makes StatefulSets with explicit names and retained volumes", () => {
    const s: any = statefulSet({
      name: "kafka-broker",
      namespace: "ns",
      workload: W,
      replicas: 3,
      serviceName: "kafka-broker-headless",
      pod: { containers: [] },
      volumeClaims: [{ name: "data", storage: { size: "10Gi", storageClass: "fast" } }],
    });
    expect(s.metadata.name).toBe("kafka-broker");
    expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(s.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: "fast", resources: { requests: { storage: "10Gi" } } });
    expect(s.spec.selector.matchLabels).toEqual(selectorLabels(W));
  });

  it("names Jobs after what they do, so a changed task is a new Job", () => {
    const make = (cmd: string) =>
      job({
        prefix: "t",
        namespace: "ns",
        workload: W,
        uid: 1000,
        serviceAccountName: "sa",
        container: container({ name: "c", image: "i:1", command: [cmd], resources: RES }),
      });
    expect(make("a").metadata.name).toMatch(/^t-[0-9a-f]{8}$/);
    expect(make("a").metadata.name).toBe(make("a").metadata.name);
    expect(make("a").metadata.name).not.toBe(make("b").metadata.name);
  });
});

describe("network flows", () => {
  it("gives each workload one policy with exactly its inbound and outbound flows", () => {
    const A = { name: "a", component: "x" };
    const B = { name: "b", component: "y" };
    const policies: any[] = flowPolicies("ns", [
      { from: A, to: B, ports: [9092, 9092] },
      { from: B, to: B, ports: [9093] },
    ]);
    expect(policies.map((p) => p.metadata.name)).toEqual(["allow-a-x", "allow-b-y"]);
    const [a, b] = policies;
    expect(a.spec.ingress).toBeUndefined();
    expect(a.spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: selectorLabels(B) } }], ports: [{ protocol: "TCP", port: 9092 }] }]);
    expect(b.spec.ingress).toHaveLength(2);
    expect(b.spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: selectorLabels(B) } }], ports: [{ protocol: "TCP", port: 9093 }] }]);
  });
});
