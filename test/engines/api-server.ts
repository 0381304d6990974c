/**
 * A real API server in front of the engine suite's pods, so `npm run health`'s engine checks reach
 * the real engines the way they do in a cluster: through the API server's pod proxy. The control
 * plane is the e2e toolchain's (a cluster of its own, `engines`); each started pod is registered as
 * a Pod with its labels and address, reported running and ready as a kubelet would.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { askEngines, type EngineReport, type PodExec, podProxy } from "../../infra/engine-health";
import { httpsPorts, type Observed } from "../../infra/health";
import { kubeconfigOf } from "../e2e/harness";
import { eventually } from "../eventually";
import { type PlannedObject, type Pod, ROOT } from "./harness";

const CLUSTER = "engines";
const noExec: PodExec = async () => {
  throw new Error("no exec in this suite");
};

export class ApiServer {
  private constructor(
    readonly kc: k8s.KubeConfig,
    readonly namespace: string,
    private readonly plan: PlannedObject[],
    private readonly registered = new Map<string, Record<string, string>>(),
  ) {}

  /** Starts the control plane when it is not running, and makes a namespace for one suite. */
  static async open(suite: string, plan: PlannedObject[]): Promise<ApiServer> {
    execFileSync("bash", [path.join(ROOT, "tools", "toolchain", "control-plane.sh"), "up"], {
      env: { ...process.env, DP_CLUSTER: CLUSTER, DP_PORT_OFFSET: "2000" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigOf(CLUSTER));
    const namespace = `${suite}-${Date.now().toString(36)}`;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // Pods are admitted once the controller made the namespace's default ServiceAccount.
    await eventually("the namespace's default ServiceAccount", 30, async () =>
      (await core.listNamespacedServiceAccount({ namespace })).items.some((a) => a.metadata?.name === "default") ? true : undefined,
    );
    return new ApiServer(kc, namespace, plan);
  }

  /** A workload's pods, as the API server would hold them once a kubelet reports them ready at their addresses. */
  async register(workload: string, pods: Pod[]): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const template = this.workload(workload).inputs.spec.template;
    const labels: Record<string, string> = template.metadata.labels;
    for (const p of pods) {
      await core.createNamespacedPod({
        namespace: this.namespace,
        body: { metadata: { name: p.name, labels }, spec: { containers: [{ name: "engine", image: template.spec.containers[0].image }] } },
      });
      const fresh = await core.readNamespacedPod({ name: p.name, namespace: this.namespace });
      const now = new Date();
      fresh.status = { phase: "Running", podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }] };
      await core.replaceNamespacedPodStatus({ name: p.name, namespace: this.namespace, body: fresh });
      this.registered.set(p.name, labels);
    }
  }

  private workload(name: string): PlannedObject {
    const w = this.plan.find((r) => /:(StatefulSet|Deployment)$/.test(r.type) && r.inputs.metadata.name === name);
    if (!w) throw new Error(`no workload ${name} in the plan`);
    return w;
  }

  /** What `npm run health` reads, for the planned workloads and the registered pods. */
  observed(): Observed {
    const workloads = this.plan
      .filter((r) => /:(StatefulSet|Deployment)$/.test(r.type))
      .map((r) => ({
        kind: r.type.split(":").pop()!,
        name: r.inputs.metadata.name as string,
        desired: (r.inputs.spec.replicas as number | undefined) ?? 1,
        ready: 0,
        selector: r.inputs.spec.selector.matchLabels as Record<string, string>,
        labels: r.inputs.spec.template.metadata.labels as Record<string, string>,
        claimTemplates: [],
        httpsPorts: httpsPorts(r.inputs.spec.template.spec),
      }));
    const pods = [...this.registered].map(([name, labels]) => ({ name, labels, ready: true, restarts: 0 }));
    return { workloads, pods, claims: [], services: [], events: [] };
  }

  /** The engine checks of `npm run health`, through the pod proxy. */
  async ask(engine: string, exec: PodExec = noExec): Promise<EngineReport> {
    const reports = await askEngines(this.observed(), podProxy(this.kc, this.namespace, 10_000), exec);
    const report = reports.find((r) => r.engine === engine);
    if (!report) throw new Error(`${engine} was not asked: ${JSON.stringify(reports)}`);
    return report;
  }

  async close(): Promise<void> {
    await this.kc
      .makeApiClient(k8s.CoreV1Api)
      .deleteNamespace({ name: this.namespace })
      .catch(() => undefined);
  }
}
