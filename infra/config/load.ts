/**
 * Loads an environment file, lays stack overrides over it and validates the result. Every problem
 * is reported at once, each naming the file that set the value, its path and what is allowed.
 */
import { closest as closestMatch, distance } from "fastest-levenshtein";
import * as fs from "node:fs";
import { get, has, isPlainObject, mergeWith } from "lodash";
import * as YAML from "yaml";
import { z } from "zod";
import { type PlatformConfig, platformSchema } from "./schema";

/** Bad configuration: a message for people, never a stack trace. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid platform configuration (nothing was deployed):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Values from one place, in precedence order: later layers win. */
export interface ConfigLayer {
  /** Where the values came from, as a user would name it (a file, or `--set kafka.brokers`). */
  source: string;
  values: Record<string, unknown>;
}

export function readEnvironmentFile(file: string, displayName: string): ConfigLayer {
  if (!fs.existsSync(file)) {
    throw new ConfigError([`${displayName}: file not found`]);
  }
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${displayName}:${e.linePos?.[0].line ?? "?"}: not valid YAML: ${e.message.split("\n")[0]}`));
  }
  const values = doc.toJS();
  if (!isPlainObject(values)) {
    throw new ConfigError([`${displayName}: must be a YAML mapping of settings (tier, kafka, zookeeper, ...)`]);
  }
  return { source: displayName, values };
}

/** Deep merge where lists and scalars replace, as `pulumi config set --path` would. */
export function mergeLayers(layers: ConfigLayer[]): Record<string, unknown> {
  const replaceArrays = (_: unknown, override: unknown) => (Array.isArray(override) ? override : undefined);
  return layers.reduce<Record<string, unknown>>((acc, l) => mergeWith(acc, structuredClone(l.values), replaceArrays), {});
}

export function resolvePlatformConfig(layers: ConfigLayer[]): PlatformConfig {
  const merged = mergeLayers(layers);
  const result = platformSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, layers, merged)));
  }
  return result.data;
}

type Path = (string | number)[];

function describeIssue(issue: z.core.$ZodIssue, layers: ConfigLayer[], merged: unknown): string[] {
  const path = issue.path as Path;
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(platformSchema, path);
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const hint = closest(key, allowed);
      return `${sourceOf(keyPath, layers)}: ${dotted(keyPath)}: unknown setting${hint ? ` (did you mean "${hint}"?)` : ""}; allowed here: ${allowed.join(", ")}`;
    });
  }
  const value = path.length ? get(merged, path) : merged;
  if (issue.code === "invalid_union") {
    // A value of the right shape for one alternative (an object where a name or an object may go)
    // is told what is wrong inside it, not that it matches neither.
    const fitting = issue.errors.find((alt) => !alt.some((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value")));
    if (value !== undefined && fitting?.length) {
      return fitting.flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] } as z.core.$ZodIssue, layers, merged));
    }
  }
  if (value === undefined && issue.code === "invalid_type") {
    const required = issue.message.startsWith("is required") ? issue.message : `is required: ${issue.message}`;
    return [`${sourceOf(path, layers)}: ${dotted(path)}: ${required}`];
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0]?.message ?? issue.message;
    return [`${sourceOf(path, layers)}: ${dotted(path)}: ${inner}`];
  }
  const got = issue.code === "custom" ? "" : ` (got ${JSON.stringify(value)})`;
  return [`${sourcesOf(issue, layers)}: ${dotted(path)}: ${issue.message}${got}`];
}

/** Where the values a rule read came from: its own path and the related ones it names. */
function sourcesOf(issue: z.core.$ZodIssue, layers: ConfigLayer[]): string {
  const path = issue.path as Path;
  const params = issue.code === "custom" ? (issue.params as { local?: Path; related?: Path[] } | undefined) : undefined;
  if (!params?.local) return sourceOf(path, layers);
  const base = path.slice(0, path.length - params.local.length);
  const setterOf = (p: Path) => [...layers].reverse().find((l) => has(l.values, p))?.source;
  const sources: string[] = [];
  // Related values nobody set are schema defaults: there is no file to name for them.
  for (const p of [path, ...(params.related ?? []).map((r) => [...base, ...r])]) {
    const setter = setterOf(p);
    if (setter && !sources.includes(setter)) sources.push(setter);
  }
  if (sources.length === 0) return sourceOf(path, layers);
  return sources.join(" + ");
}

/** The highest-precedence layer that set the value, or every layer when none did (a missing value). */
function sourceOf(path: Path, layers: ConfigLayer[]): string {
  for (let i = layers.length - 1; i >= 0; i--) {
    if (has(layers[i].values, path)) return layers[i].source;
  }
  return layers.map((l) => l.source).join(" or ");
}

function dotted(path: Path): string {
  return path.length ? path.map(String).join(".") : "(top level)";
}

/** Keys the schema accepts at a path, for "unknown setting" messages. */
export function allowedKeysAt(schema: z.ZodType, path: Path): string[] {
  let node: z.ZodType | undefined = schema;
  for (const segment of [...path, null]) {
    while (node instanceof z.ZodOptional || node instanceof z.ZodDefault) node = node.unwrap() as z.ZodType;
    // A setting that takes a word or an object: its keys are the object's.
    if (node instanceof z.ZodUnion) node = (node.options as z.ZodType[]).find((o) => o instanceof z.ZodObject) ?? node;
    if (segment === null) break;
    if (node instanceof z.ZodObject) node = node.shape[String(segment)] as z.ZodType | undefined;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/** The allowed key nearest to a typo, when it is near enough to be a likely intent. */
function closest(key: string, allowed: string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const best = closestMatch(key, allowed);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
