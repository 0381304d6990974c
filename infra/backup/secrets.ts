/** The namespace's Secrets in a backup: every credential the platform uses, sealed, and put back as they were. */
import type * as k8s from "@kubernetes/client-node";
import { z } from "zod";
import { readIfExists } from "../cluster";
import type { Report } from "./snapshots";

/** Secrets Kubernetes or a chart tool makes by itself: not the platform's credentials. */
const NOT_OURS = new Set(["kubernetes.io/service-account-token", "helm.sh/release.v1"]);
const SERVER_ANNOTATIONS = /^(kubectl\.kubernetes\.io\/last-applied-configuration|pulumi\.com\/)/;

export const savedSecretSchema = z.strictObject({
  name: z.string().min(1),
  type: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  data: z.record(z.string(), z.string()),
});
export type SavedSecret = z.infer<typeof savedSecretSchema>;

export async function saveSecrets(core: k8s.CoreV1Api, namespace: string): Promise<SavedSecret[]> {
  const secrets = (await core.listNamespacedSecret({ namespace })).items.filter((s) => !NOT_OURS.has(s.type ?? ""));
  return secrets
    .map((s) => ({
      name: s.metadata!.name!,
      type: s.type,
      labels: s.metadata?.labels ?? {},
      annotations: Object.fromEntries(Object.entries(s.metadata?.annotations ?? {}).filter(([k]) => !SERVER_ANNOTATIONS.test(k))),
      data: s.data ?? {},
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Each saved Secret that is missing, made again; one that exists is left as the cluster holds it. */
export async function restoreSecrets(core: k8s.CoreV1Api, namespace: string, saved: SavedSecret[]): Promise<Report> {
  const report: Report = { lines: [], problems: [] };
  for (const s of saved) {
    const live = await readIfExists(core.readNamespacedSecret({ namespace, name: s.name }));
    if (live) {
      const same = JSON.stringify(live.data ?? {}) === JSON.stringify(s.data);
      report.lines.push(`Secret ${s.name}: present${same ? "" : ", with other values than the backup's: left as it is"}`);
      continue;
    }
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: s.name, labels: s.labels, annotations: s.annotations }, type: s.type, data: s.data },
    });
    report.lines.push(`Secret ${s.name}: made again (${Object.keys(s.data).length} keys)`);
  }
  return report;
}
