import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./helpers";
import { STACKS, stackPlan } from "./support/stack-plans";

/** Every object the program creates, checked against the Kubernetes API's schemas. */
function validate(objects: unknown[]): { kind: string; name: string; error: string }[] {
  const r = spawnSync(process.execPath, [path.join(ROOT, "test/support/validate-manifests.mjs")], {
    input: JSON.stringify(objects),
    encoding: "utf8",
    cwd: ROOT,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("Kubernetes API schemas", () => {
  it.each(STACKS)("accept every object planned for %s", async (stack) => {
    const plan = await stackPlan(stack);
    const objects = plan.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh")).map((r) => r.inputs);
    expect(objects.length).toBeGreaterThan(80);
    // Secrets' values are redacted in plans; give the schema a map of strings as the API would see.
    const comparable = objects.map((o: any) => (o.kind === "Secret" ? { ...o, stringData: {} } : o));
    expect(validate(comparable)).toEqual([]);
  });

  it("catch a malformed object (the check itself works)", () => {
    const bad = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "x" },
      spec: { replicas: "three", selector: {}, serviceName: "x", template: {} },
    };
    const problems = validate([bad]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: "StatefulSet", name: "x" });
  });

  it("check cert-manager's Certificates against cert-manager's own schema", () => {
    const certificate = (usages: string[]) => ({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "c" },
      spec: { secretName: "c", usages, issuerRef: { name: "ca", kind: "ClusterIssuer" } },
    });
    expect(validate([certificate(["client auth"])])).toEqual([]);
    expect(validate([certificate(["client-auth"])])).toEqual([expect.objectContaining({ kind: "Certificate", name: "c" })]);
  });

  it("check the Prometheus Operator's PodMonitors against its own schema", () => {
    const monitor = (port: unknown) => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "m" },
      spec: { selector: { matchLabels: { a: "b" } }, podMetricsEndpoints: [{ port, path: "/metrics", interval: "30s" }] },
    });
    expect(validate([monitor("metrics")])).toEqual([]);
    expect(validate([monitor(["metrics"])])).toEqual([expect.objectContaining({ kind: "PodMonitor", name: "m" })]);
  });
});
