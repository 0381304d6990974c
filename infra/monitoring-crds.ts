/**
 * monitoring.prometheusOperator: true makes PodMonitors and a PrometheusRule, which only a cluster
 * with the Prometheus Operator's CRDs accepts: checked before anything is registered, so `pulumi up`
 * does not stop half-way at the first of them.
 */
import { ConfigError } from "./config/load";
import type { LoadedPlatform } from "./config/stack";
import type { IssuerReader } from "./certificate-issuer";

export const OPERATOR_CRDS = ["podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"] as const;

export async function checkMonitoringCrds(p: LoadedPlatform, read: Pick<IssuerReader, "crdExists">): Promise<void> {
  if (!p.config.monitoring?.prometheusOperator) return;
  const file = p.settings.environmentFile ?? `environments/${p.settings.environment}.yaml`;
  let missing: string[];
  try {
    missing = [];
    for (const crd of OPERATOR_CRDS) if (!(await read.crdExists(crd))) missing.push(crd);
  } catch (e) {
    throw new ConfigError([`monitoring.prometheusOperator (${file}): cannot check the Prometheus Operator's CRDs: ${(e as Error).message.split("\n")[0]}`]);
  }
  if (missing.length) {
    throw new ConfigError([
      `monitoring.prometheusOperator (${file}): true needs the Prometheus Operator's CRDs, but the cluster serves no ${missing.join(" and no ")}: install the Operator (kube-prometheus-stack, for one), or set it to false and scrape the pods' metrics ports yourself (README: Monitoring)`,
    ]);
  }
}
