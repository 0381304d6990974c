/** Schema building blocks shared by every engine's config: counts, resources, storage, JVM heap. */
import { z } from "zod";
import { cpuCores, CPU_PATTERN, MEMORY_PATTERN, memoryBytes, memoryMiB } from "./quantity";
import { heapMiB, jvmFootprintMiB } from "./jvm";
import { parseImage, unpinnedReason } from "./image";

type Path = (string | number)[];

const within = (path: PropertyKey[], prefix: Path) => prefix.every((seg, i) => path[i] === seg);

/**
 * Reports a broken rule at `path` (relative to the object the rule checks). `related` names the
 * other fields the rule read, so the message can name every file that set one of them.
 */
export function ruleIssue(ctx: z.RefinementCtx, path: Path, message: string, related: Path[] = []): void {
  ctx.addIssue({ code: "custom", path, message, params: { local: path, related } });
}

/**
 * Options for a cross-field rule: it runs when the fields it reads are valid, whatever else is
 * wrong, so that every problem is reported at once without a rule tripping over a bad value.
 */
export function reads(...paths: Path[]) {
  return {
    when: (payload: { issues: { path?: PropertyKey[] }[] }) => !payload.issues.some((issue) => paths.some((p) => within(issue.path ?? [], p))),
  };
}

/** A replica or partition count: a whole number from 1 up. */
export const count = (max = 1000) =>
  z
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(max, { error: `must be at most ${max}` });

export const memory = z
  .string({ error: 'must be a memory quantity such as "512Mi" or "2Gi"' })
  .regex(MEMORY_PATTERN, { error: 'must be a memory quantity such as "512Mi" or "2Gi"', abort: true })
  .refine((q) => memoryBytes(q) > 0, { error: "must be more than zero" });

/** "500m", "2", or a plain number (`pulumi config set --path` stores 2 as an integer). */
export const cpu = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : v),
  z.string({ error: 'must be a CPU quantity such as "500m" or "2"' }).regex(CPU_PATTERN, { error: 'must be a CPU quantity such as "500m" or "2"' }),
);

export const resources = z
  .strictObject({
    requests: z.strictObject({ cpu, memory }),
    limits: z.strictObject({ cpu: cpu.optional(), memory }),
  })
  .superRefine(
    (r, ctx) => {
      if (memoryBytes(r.requests.memory) > memoryBytes(r.limits.memory)) {
        ruleIssue(ctx, ["requests", "memory"], `${r.requests.memory} is more than limits.memory ${r.limits.memory}; a request may not exceed its limit`, [
          ["limits", "memory"],
        ]);
      }
    },
    reads(["requests", "memory"], ["limits", "memory"]),
  )
  .superRefine(
    (r, ctx) => {
      if (r.limits.cpu !== undefined && cpuCores(r.requests.cpu) > cpuCores(r.limits.cpu)) {
        ruleIssue(ctx, ["requests", "cpu"], `${r.requests.cpu} is more than limits.cpu ${r.limits.cpu}; a request may not exceed its limit`, [
          ["limits", "cpu"],
        ]);
      }
    },
    reads(["requests", "cpu"], ["limits", "cpu"]),
  );
export type Resources = z.infer<typeof resources>;

export const storage = z.strictObject({
  size: memory,
  /** Omitted: the cluster's default StorageClass. */
  storageClass: z.string().min(1).optional(),
});
export type Storage = z.infer<typeof storage>;

export const heapPercent = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .min(10, { error: "must be at least 10" })
  .max(90, { error: "must be at most 90" });

export const image = z
  .string({ error: "must be an image reference" })
  .refine((ref) => parseImage(ref) !== undefined, { error: "must be an image reference such as apache/kafka:4.1.1", abort: true })
  .refine((ref) => unpinnedReason(ref) === undefined, { error: "must be pinned to a tag or sha256 digest (never latest or untagged)" });

/**
 * Adds an issue when a JVM with `heapPercent` of the memory limit, plus its non-heap overhead and
 * `extraMiB` of other memory in the same container, does not fit the limit.
 */
export function checkJvmFits(
  ctx: z.RefinementCtx,
  path: Path,
  role: { resources: Resources; heapPercent: number },
  extraMiB = 0,
  extraLabel = "",
  extraPath?: Path,
): void {
  const limit = memoryMiB(role.resources.limits.memory);
  const heap = heapMiB(role.resources.limits.memory, role.heapPercent);
  const needed = jvmFootprintMiB(heap) + extraMiB;
  if (needed > limit) {
    const extra = extraMiB ? ` + ${extraMiB} MiB ${extraLabel}` : "";
    ruleIssue(
      ctx,
      [...path, "resources", "limits", "memory"],
      `${role.resources.limits.memory} (${limit} MiB) cannot hold a ${heap} MiB heap (heapPercent ${role.heapPercent}) ` +
        `+ ${needed - heap - extraMiB} MiB JVM overhead${extra} = ${needed} MiB; raise the limit or lower heapPercent`,
      [[...path, "heapPercent"], ...(extraPath ? [extraPath] : [])],
    );
  }
}

/** The fields checkJvmFits reads for a role at `path`. */
export function jvmReads(path: Path, ...more: Path[]) {
  return reads([...path, "resources"], [...path, "heapPercent"], ...more);
}

interface RoleOptions {
  replicas?: { max: number; default?: number };
  heap?: number;
  storage?: boolean;
}
type Count = ReturnType<typeof count>;
type RoleShape<O extends RoleOptions> = { resources: typeof resources } & (O extends { replicas: { default: number } }
  ? { replicas: z.ZodDefault<Count> }
  : O extends { replicas: object }
    ? { replicas: Count }
    : unknown) &
  (O extends { heap: number } ? { heapPercent: z.ZodDefault<typeof heapPercent> } : unknown) &
  (O extends { storage: true } ? { storage: typeof storage } : unknown);

/**
 * One role's settings, the same fields in every engine: `replicas` (a role that scales: its maximum,
 * and a default when it has one), `heapPercent` (a JVM: its default share), `resources`, `storage`
 * (a role that keeps data). Engines add only what is their own.
 */
export function roleFields<const O extends RoleOptions>(o: O): RoleShape<O> {
  const replicas = o.replicas && (o.replicas.default === undefined ? count(o.replicas.max) : count(o.replicas.max).default(o.replicas.default));
  return {
    ...(replicas ? { replicas } : {}),
    ...(o.heap !== undefined ? { heapPercent: heapPercent.default(o.heap) } : {}),
    resources,
    ...(o.storage ? { storage } : {}),
  } as unknown as RoleShape<O>;
}
