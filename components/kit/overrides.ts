/**
 * Role overrides, as Stackable offers them: for any role of any engine, properties of its config
 * files, environment variables of its main container, and a JSON merge patch (RFC 7396) of its pod
 * spec. Validated with the config (an unknown role or file is refused by name) and applied last, to
 * the rendered objects: a tuning knob never needs a code change.
 *
 * Precedence, lowest to highest: the program's defaults, the environment's settings, overrides.
 */
import { apply as mergePatch } from "json-merge-patch";
import { cloneDeep } from "lodash";
import { z } from "zod";
import { parseSiteXml, siteXml } from "./hadoop-xml";
import { digest, type Manifest } from "./manifests";

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A role's files and what may be overridden in them. */
export type RoleFiles = Record<string, readonly string[]>;

function roleOverride(files: readonly string[]) {
  return z.strictObject({
    /** Properties per config file, by the file's name. */
    configFiles: z.strictObject(Object.fromEntries(files.map((f) => [f, z.record(z.string().min(1), scalar).optional()]))).optional(),
    /** Environment variables of the role's main container: set, or replaced when the program sets them. */
    env: z.record(z.string().regex(ENV_NAME, { error: "must be an environment variable name" }), z.string()).optional(),
    /** A JSON merge patch of the role's pod spec (lists are replaced whole; null removes a field). */
    podSpec: z.record(z.string(), z.unknown()).optional(),
  });
}

/** The `overrides` setting of an engine whose roles read the given files. */
export function roleOverrides(roles: RoleFiles) {
  return z.strictObject(Object.fromEntries(Object.entries(roles).map(([role, files]) => [role, roleOverride(files).optional()]))).optional();
}

export interface RoleOverride {
  configFiles?: Record<string, Record<string, string | number | boolean> | undefined>;
  env?: Record<string, string>;
  podSpec?: Record<string, unknown>;
}
export type Overrides = Record<string, RoleOverride | undefined>;

/** On a pod template: the digest of its role's overrides, so a changed override rolls the pods. */
export const OVERRIDES_ANNOTATION = "dataplatform.io/overrides-checksum";

type Pod = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, any> };

/** The pod template of a workload, Job or CronJob. */
function podTemplate(m: Manifest): Pod | undefined {
  const spec = m.spec as Record<string, any> | undefined;
  if (m.kind === "CronJob") return spec?.jobTemplate?.spec?.template;
  if (["StatefulSet", "Deployment", "Job", "DaemonSet"].includes(m.kind)) return spec?.template;
  return undefined;
}

/** The rendered objects with every role's overrides applied; untouched when there are none. */
export function applyOverrides(manifests: Manifest[], overrides: Overrides | undefined): Manifest[] {
  const roles = Object.entries(overrides ?? {}).filter((e): e is [string, RoleOverride] => e[1] !== undefined);
  if (!roles.length) return manifests;
  const out = cloneDeep(manifests);
  for (const [role, o] of roles) {
    for (const m of out) {
      const pod = podTemplate(m);
      if (pod?.metadata?.labels?.["app.kubernetes.io/component"] !== role) continue;
      for (const [file, props] of Object.entries(o.configFiles ?? {})) if (props) overrideFile(out, pod, role, file, props);
      if (o.env) overrideEnv(pod, o.env);
      if (o.podSpec) pod.spec = mergePatch(cloneDeep(pod.spec), o.podSpec);
      pod.metadata!.annotations = { ...pod.metadata!.annotations, [OVERRIDES_ANNOTATION]: digest(o) };
      // A Job's name carries the digest of its pod (Jobs are immutable) and, since a file's new
      // value changes only the ConfigMap, of the overrides: a changed override is a new Job.
      if (m.kind === "Job" && /-[0-9a-f]{8}$/.test(m.metadata.name)) m.metadata.name = m.metadata.name.replace(/[0-9a-f]{8}$/, digest([pod.spec, o], 8));
    }
  }
  return out;
}

function overrideEnv(pod: Pod, env: Record<string, string>): void {
  const main = pod.spec.containers?.[0];
  if (!main) return;
  const kept = (main.env ?? []).filter((e: { name: string }) => !(e.name in env));
  main.env = [...kept, ...Object.entries(env).map(([name, value]) => ({ name, value }))];
}

/**
 * The role's copy of a file goes into the ConfigMap it comes from, under a key of its own (other roles
 * may mount the same file), and the role's pods read that key instead: a file mounted on its own
 * (subPath, found by its name), or one of a mounted ConfigMap's files.
 */
function overrideFile(all: Manifest[], pod: Pod, role: string, file: string, props: Record<string, string | number | boolean>): void {
  const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
  const configMapOf = (volumeName: string) => {
    const volume = (pod.spec.volumes ?? []).find((v: { name: string }) => v.name === volumeName);
    const data = all.find((m) => m.kind === "ConfigMap" && m.metadata.name === volume?.configMap?.name)?.data as Record<string, string> | undefined;
    return { volume, data };
  };
  const copy = (data: Record<string, string>, sourceKey: string) => {
    const key = `${role}--${sourceKey}`;
    data[key] = mergeProperties(file, data[sourceKey], props);
    return key;
  };
  for (const mount of containers.flatMap((c) => c.volumeMounts ?? [])) {
    const { volume, data } = configMapOf(mount.name);
    if (!data) continue;
    if (mount.subPath?.startsWith(`${role}--`)) continue;
    if (mount.subPath && mount.mountPath.endsWith(`/${file}`) && mount.subPath in data) {
      mount.subPath = copy(data, mount.subPath);
    } else if (!mount.subPath) {
      const item = volume.configMap.items?.find((i: { path: string }) => i.path === file);
      if (item) item.key = item.key.startsWith(`${role}--`) ? item.key : copy(data, item.key);
      // A volume that lists its items already does not hold the file: only a whole ConfigMap gains items.
      else if (file in data && !volume.configMap.items)
        volume.configMap.items = Object.keys(data)
          .filter((k) => !k.includes("--"))
          .map((k) => ({ key: k === file ? copy(data, k) : k, path: k }));
    }
  }
}

/** A file with properties set: Hadoop's XML by name; `key=value` or `key value` lines (properties, zoo.cfg, my.cnf, spark-defaults.conf). */
export function mergeProperties(file: string, text: string, props: Record<string, string | number | boolean>): string {
  if (file.endsWith(".xml")) return siteXml({ ...parseSiteXml(text), ...props });
  const lines = text.replace(/\n$/, "").split("\n");
  const separator = lines.some((l) => /^[^#;\s[][^=\s]*=/.test(l)) ? "=" : " ";
  for (const [key, value] of Object.entries(props)) {
    const line = `${key}${separator}${value}`;
    const at = lines.findIndex((l) => l === key || l.startsWith(`${key}=`) || l.startsWith(`${key} `));
    if (at >= 0) lines[at] = line;
    else lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The same overrides on one object a vendor chart renders (a transform sees one object at a time):
 * a workload of the role gets its env, pod spec patch and checksum; a ConfigMap of the role gets its
 * file properties in place (charts give each role its own ConfigMap).
 */
export function overrideChartObject(props: Record<string, any>, overrides: Overrides | undefined): Record<string, any> | undefined {
  const m = props as Manifest;
  const pod = podTemplate(m);
  const role = (pod ? pod.metadata?.labels : m.metadata?.labels)?.["app.kubernetes.io/component"];
  const o = role ? overrides?.[role] : undefined;
  if (!o) return undefined;
  // Alone, the workload finds none of its ConfigMaps: only its env and pod spec change, and its checksum.
  if (pod) return applyOverrides([m], { [role!]: o })[0];
  if (m.kind !== "ConfigMap" || !o.configFiles) return undefined;
  const data = { ...(m.data as Record<string, string>) };
  for (const [file, p] of Object.entries(o.configFiles)) if (p && file in data) data[file] = mergeProperties(file, data[file], p);
  return { ...m, data };
}
