import { checkMonitoringCrds, OPERATOR_CRDS } from "../infra/monitoring-crds";
import { loadPlatform } from "../infra/config/stack";
import { readStackFile } from "../tools/plan";
import { configProblemsAsync, ROOT } from "./helpers";

const stack = (name: string) => loadPlatform(ROOT, name, readStackFile(name));
const cluster = (crds: readonly string[]) => {
  const asked: string[] = [];
  return {
    asked,
    async crdExists(name: string) {
      asked.push(name);
      return crds.includes(name);
    },
  };
};

describe("the Prometheus Operator's CRDs are checked before a stack that makes its objects deploys anything", () => {
  it("passes when the cluster serves PodMonitors and PrometheusRules", async () => {
    const c = cluster(OPERATOR_CRDS);
    await checkMonitoringCrds(stack("prod"), c);
    expect(c.asked).toEqual(["podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"]);
  });

  it("names the file, the setting and what is missing, with the way out", async () => {
    expect(await configProblemsAsync(() => checkMonitoringCrds(stack("staging"), cluster(["podmonitors.monitoring.coreos.com"])))).toEqual([
      "monitoring.prometheusOperator (environments/staging.yaml): true needs the Prometheus Operator's CRDs, but the cluster serves no prometheusrules.monitoring.coreos.com: install the Operator (kube-prometheus-stack, for one), or set it to false and scrape the pods' metrics ports yourself (README: Monitoring)",
    ]);
    const unreadable = {
      async crdExists(): Promise<boolean> {
        throw new Error("connection refused\nmore");
      },
    };
    expect(await configProblemsAsync(() => checkMonitoringCrds(stack("prod"), unreadable))).toEqual([
      "monitoring.prometheusOperator (environments/prod.yaml): cannot check the Prometheus Operator's CRDs: connection refused",
    ]);
  });

  it("asks nothing of a stack without the Operator (dev)", async () => {
    const c = cluster([]);
    await checkMonitoringCrds(stack("dev"), c);
    expect(c.asked).toEqual([]);
  });
});
