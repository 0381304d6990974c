/** How health judges what the cluster holds (the real control plane runs it in test/e2e/health.e2e.ts). */
import { assess, type Observed } from "../infra/health";
import { formatReport, main } from "../tools/health";
import { runMain } from "./helpers";

const BROKER = { "app.kubernetes.io/name": "kafka", "app.kubernetes.io/component": "broker", "app.kubernetes.io/part-of": "data-platform" };
const NOW = Date.parse("2026-12-05T12:00:00Z");

function cluster(over: Partial<Observed> = {}): Observed {
  return {
    workloads: [{ kind: "StatefulSet", name: "kafka-broker", desired: 3, ready: 3, selector: BROKER, claimTemplates: ["data"] }],
    pods: [0, 1, 2].map((i) => ({ name: `kafka-broker-${i}`, labels: BROKER, ready: true, restarts: 0 })),
    claims: [0, 1, 2].map((i) => ({ name: `data-kafka-broker-${i}`, phase: "Bound" })),
    services: [
      { name: "kafka-bootstrap", selector: BROKER, headless: false, endpoints: 3 },
      { name: "kafka-broker-headless", selector: BROKER, headless: true, endpoints: 0 },
    ],
    events: [],
    ...over,
  };
}

describe("health", () => {
  it("is healthy when every pod is ready, every claim bound and every Service has endpoints", () => {
    const r = assess("data-platform", ["StatefulSet/kafka-broker"], cluster(), NOW);
    expect(r.state).toBe("healthy");
    expect(r.workloads).toEqual([{ kind: "StatefulSet", name: "kafka-broker", desired: 3, ready: 3, state: "healthy", problems: [] }]);
  });

  it("is degraded with some pods ready, a crash loop or a claim not bound, and says which", () => {
    const r = assess(
      "data-platform",
      [],
      cluster({
        workloads: [{ kind: "StatefulSet", name: "kafka-broker", desired: 3, ready: 2, selector: BROKER, claimTemplates: ["data"] }],
        pods: [
          { name: "kafka-broker-0", labels: BROKER, ready: true, restarts: 0 },
          { name: "kafka-broker-1", labels: BROKER, ready: true, restarts: 4 },
          { name: "kafka-broker-2", labels: BROKER, ready: false, restarts: 9, waiting: "CrashLoopBackOff" },
        ],
        claims: [
          { name: "data-kafka-broker-0", phase: "Bound" },
          { name: "data-kafka-broker-1", phase: "Bound" },
          { name: "data-kafka-broker-2", phase: "Pending" },
        ],
      }),
      NOW,
    );
    expect(r.state).toBe("degraded");
    expect(r.workloads[0].problems).toEqual([
      "2/3 pods ready",
      "pod kafka-broker-1 restarted 4 times",
      "pod kafka-broker-2 is crash-looping (9 restarts)",
      "claim data-kafka-broker-2 is Pending",
    ]);
  });

  it("is down when a workload has no ready pod, or the program's workload is not in the cluster", () => {
    const none = assess(
      "data-platform",
      ["StatefulSet/kafka-broker", "Deployment/hive-metastore"],
      cluster({
        workloads: [{ kind: "StatefulSet", name: "kafka-broker", desired: 3, ready: 0, selector: BROKER, claimTemplates: [] }],
        services: [{ name: "kafka-bootstrap", selector: BROKER, headless: false, endpoints: 0 }],
      }),
      NOW,
    );
    expect(none.state).toBe("down");
    expect(none.workloads.map((w) => [w.name, w.state, w.problems])).toEqual([
      ["hive-metastore", "down", ["not in the cluster"]],
      ["kafka-broker", "down", ["0/3 pods ready", "Service kafka-bootstrap has no ready endpoint"]],
    ]);
  });

  it("lists the last hour's warning events, newest first, and leaves older ones out", () => {
    const events = [
      { type: "Warning", object: "Pod/kafka-broker-2", reason: "BackOff", message: "Back-off restarting failed container", last: NOW - 60_000 },
      { type: "Warning", object: "PersistentVolumeClaim/data-kafka-broker-2", reason: "ProvisioningFailed", message: "no volume", last: NOW - 5_000 },
      { type: "Normal", object: "Pod/kafka-broker-0", reason: "Started", message: "started", last: NOW },
      { type: "Warning", object: "Pod/kafka-broker-1", reason: "Unhealthy", message: "old", last: NOW - 2 * 3600_000 },
    ];
    const r = assess("data-platform", [], cluster({ events }), NOW);
    expect(r.warnings).toEqual([
      "PersistentVolumeClaim/data-kafka-broker-2: ProvisioningFailed: no volume",
      "Pod/kafka-broker-2: BackOff: Back-off restarting failed container",
    ]);
    expect(r.state).toBe("healthy");
    expect(formatReport(r)).toContain("  Pod/kafka-broker-2: BackOff: Back-off restarting failed container");
  });

  it("names what is missing on bad usage, with exit 64", async () => {
    expect(await runMain(main)).toMatchObject({ status: 64, stderr: expect.stringMatching(/^--stack is required\nusage: npm run health/) });
    expect(await runMain(main, "--stack", "qa")).toMatchObject({ status: 64, stderr: expect.stringContaining("--stack qa: no file Pulumi.qa.yaml") });
  });
});
