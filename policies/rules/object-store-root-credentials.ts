import { stackPolicy } from "../lib/define";
import { containersOf, kindOf, podSpecOf } from "../lib/objects";

/** The variables MinIO reads its root login from (and their older names). */
const ROOT_VARIABLES = new Set(["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"]);

/** `<secret>/<key>` of every Secret key a pod spec reads: env, envFrom (the whole Secret) and volumes. */
function secretReads(pod: any): { ref: string; variable?: string }[] {
  const reads: { ref: string; variable?: string }[] = [];
  for (const { container } of containersOf(pod)) {
    for (const e of container?.env ?? []) {
      const r = e?.valueFrom?.secretKeyRef;
      if (r?.name && r?.key) reads.push({ ref: `${r.name}/${r.key}`, variable: e.name });
    }
    for (const from of container?.envFrom ?? []) if (from?.secretRef?.name) reads.push({ ref: `${from.secretRef.name}/*` });
  }
  for (const v of pod?.volumes ?? []) {
    const sources = [v?.secret && { name: v.secret.secretName, items: v.secret.items }, ...(v?.projected?.sources ?? []).map((s: any) => s?.secret)];
    for (const s of sources) {
      if (!s?.name) continue;
      for (const item of s.items ?? [{ key: "*" }]) reads.push({ ref: `${s.name}/${item.key}` });
    }
  }
  return reads;
}

const isObjectStore = (labels: Record<string, string> | undefined) => labels?.["app.kubernetes.io/name"] === "minio";

/**
 * The object store's root login stays inside the object store: its server and its own setup Job
 * (app.kubernetes.io/name: minio) read it; every other pod has a user of its own.
 */
export const objectStoreRootCredentials = stackPolicy(
  {
    name: "object-store-root-credentials",
    description: "Only the object store's own pods read its root credentials; every S3 client reads a user of its own (README 'Security').",
    enforcementLevel: "mandatory",
    remediationSteps: "Give the client its own MinIO user (ObjectStore.user in the program) instead of MINIO_ROOT_USER/MINIO_ROOT_PASSWORD's Secret keys.",
  },
  (resources, report) => {
    const workloads = resources
      .map((r) => ({ r, pod: podSpecOf(r.type, r.props) }))
      .filter((w) => w.pod)
      .map((w) => ({
        ...w,
        labels: (kindOf(w.r.type) === "Pod" ? w.r.props?.metadata?.labels : podTemplateLabels(w.r.props)) as Record<string, string> | undefined,
      }));
    // The root login's Secret keys, as the object store's own pods read them.
    const root = new Set(
      workloads
        .filter((w) => isObjectStore(w.labels))
        .flatMap((w) => secretReads(w.pod).filter((s) => s.variable && ROOT_VARIABLES.has(s.variable)))
        .map((s) => s.ref),
    );
    for (const w of workloads.filter((x) => !isObjectStore(x.labels))) {
      const name = `${kindOf(w.r.type)} ${w.r.props?.metadata?.name ?? w.r.name}`;
      for (const s of secretReads(w.pod)) {
        const [secret, key] = s.ref.split("/");
        const hit = [...root].find((r) => r === s.ref || (key === "*" && r.startsWith(`${secret}/`)));
        if (hit || (s.variable && ROOT_VARIABLES.has(s.variable))) {
          report(`${name} reads the object store's root credentials (${hit ?? s.ref}${s.variable ? ` as ${s.variable}` : ""}); give it a user of its own`, w.r);
        }
      }
    }
  },
);

function podTemplateLabels(props: any): Record<string, string> | undefined {
  return props?.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? props?.spec?.template?.metadata?.labels;
}
