/**
 * Runs the real program under Pulumi mocks (no cluster, no CLI) and returns every resource it
 * registers, with the inputs it was given. Used by `npm run check` and by the tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { cloneDeepWith, isPlainObject, set } from "lodash";
import * as YAML from "yaml";
import { ConfigError, type ConfigLayer } from "../infra/config/load";
import { PROJECT, stackSettingsSchema } from "../infra/config/stack";
import { ROOT_DIR, runProgram } from "../infra/program";

export interface PlannedResource {
  /** Pulumi type token, e.g. kubernetes:apps/v1:StatefulSet. */
  type: string;
  /** Logical name. */
  name: string;
  inputs: Record<string, any>;
  /** True for component resources. */
  component: boolean;
  /** Resource options the policy pack sees. */
  options: { protect: boolean; parent: string; dependsOn: string[]; aliases: string[] };
}

export interface PlanOptions {
  stack: string;
  /** An environment file to check instead of the stack's own. */
  envFile?: string;
  /** `path=value` overrides, applied as `pulumi config set --path` would. */
  sets?: string[];
  /** The directory holding the stack file, when not the project's. */
  dir?: string;
}

export interface Plan {
  stack: string;
  resources: PlannedResource[];
}

export const SECRET_PLACEHOLDER = "[secret]";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces Pulumi secret envelopes with a placeholder so a plan never shows a secret value. */
export function redactSecrets<T>(value: T): T {
  return cloneDeepWith(value, (v) => {
    if (isPlainObject(v) && v[pulumi.runtime.specialSigKey] === SECRET_SIG) return SECRET_PLACEHOLDER;
    return undefined;
  });
}

/** `pulumi config set --path` typing: true/false are booleans, integers are numbers. */
export function parsePathValue(raw: string): unknown {
  if (raw === "true" || raw === "false") return raw === "true";
  if (/^-?\d+$/.test(raw)) return Number(raw);
  return raw;
}

/** A stack file's config as Pulumi hands it to the program; `dir` holds the stack files (the project's by default). */
export function readStackFile(stack: string, dir: string = ROOT_DIR): Record<string, string> {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(dir)) throw new ConfigError([`--dir ${dir}: no such directory (the one holding Pulumi.${stack}.yaml)`]);
  if (!/^[\w.-]+$/.test(stack) || !fs.existsSync(file)) {
    const known = fs
      .readdirSync(dir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter(Boolean);
    throw new ConfigError([`--stack ${stack}: no file Pulumi.${stack}.yaml; allowed: ${known.join(", ")}`]);
  }
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
    const isSecure = isPlainObject(value) && "secure" in (value as object);
    config[key] = isSecure ? SECRET_PLACEHOLDER : typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** Splits `--set` overrides into stack settings (top-level keys) and platform layers. */
export function applySets(sets: string[], config: Record<string, string>): ConfigLayer[] {
  const settingKeys = Object.keys(stackSettingsSchema.shape);
  return sets
    .map((entry) => {
      const eq = entry.indexOf("=");
      if (eq <= 0) throw new ConfigError([`--set ${entry}: expected path=value, e.g. --set kafka.brokers=3`]);
      const key = entry.slice(0, eq);
      const raw = entry.slice(eq + 1);
      if (settingKeys.includes(key)) {
        config[`${PROJECT}:${key}`] = raw;
        return undefined;
      }
      return { source: "--set", values: set({}, key, parsePathValue(raw)) };
    })
    .filter((l): l is ConfigLayer => l !== undefined);
}

/** Provider outputs that a real deployment computes and the program reads. */
function mockOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  // As long as asked for (keys of a fixed size are derived from it), never shorter than the marker.
  if (args.type === "random:index/randomPassword:RandomPassword") return { result: "mock-generated-password".padEnd(Number(args.inputs.length ?? 0), "-") };
  return {};
}

/** Mocks see inputs only; the options (protect, parent) are read off the registration request. */
function captureOptions(into: Map<string, PlannedResource["options"]>): void {
  const monitor = (pulumi.runtime as unknown as { getMonitor(): any }).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    into.set(`${req.getType()}::${req.getName()}`, {
      protect: req.getProtect() === true,
      // What an alias names: "type" or "name type" (an earlier URN of the same object).
      aliases: req.getAliasesList().map((a: any) => [a.getSpec()?.getName(), a.getSpec()?.getType()].filter(Boolean).join(" ")),
      parent: req.getParent(),
      dependsOn: req.getDependenciesList(),
    });
    return register(req, callback);
  };
}

/**
 * Runs `build` under Pulumi mocks with the given stack config (`secretKeys` marked secret, as
 * Pulumi marks `--secret` values) and returns every resource it registered, in registration order.
 */
/** The Pulumi runtime is process-global: one recording at a time, later calls wait their turn. */
let queue: Promise<unknown> = Promise.resolve();

export function recordResources(stack: string, config: Record<string, string>, build: () => void, secretKeys = secureKeys(config)): Promise<PlannedResource[]> {
  const run = queue.then(() => record(stack, config, build, secretKeys));
  queue = run.catch(() => undefined);
  return run;
}

/** Keys the stack file holds as `secure:` values: Pulumi hands them to the program as secrets. */
function secureKeys(config: Record<string, string>): string[] {
  return Object.keys(config).filter((key) => config[key] === SECRET_PLACEHOLDER);
}

async function record(stack: string, config: Record<string, string>, build: () => void, secretKeys: string[]): Promise<PlannedResource[]> {
  const resources: PlannedResource[] = [];
  const options = new Map<string, PlannedResource["options"]>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({
          // As the engine receives them: JSON values, undefined fields left out.
          type: args.type,
          name: args.name,
          inputs: JSON.parse(JSON.stringify(redactSecrets(args.inputs))),
          component: args.custom === false,
          options: options.get(`${args.type}::${args.name}`)!,
        });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...mockOutputs(args) } };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    false,
  );
  captureOptions(options);
  pulumi.runtime.setAllConfig(config, secretKeys);
  build();
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return resources;
}

export async function planStack(o: PlanOptions): Promise<Plan> {
  const config = readStackFile(o.stack, o.dir);
  if (o.envFile) config[`${PROJECT}:environmentFile`] = path.resolve(o.envFile);
  const layers = applySets(o.sets ?? [], config);
  const resources = await recordResources(o.stack, config, () => runProgram(layers));
  return { stack: o.stack, resources };
}
