/**
 * Runs the pack's policies outside the Pulumi engine: over a planned program (the offline check)
 * or over plain manifests. Same policy code, same per-stack config, same verdicts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import Ajv from "ajv";
import { policies } from "./all";
import { exemptionFor, resourceRef } from "./lib/define";

export interface PolicyInput {
  type: string;
  name: string;
  props: Record<string, any>;
  /** Pulumi resource options; undefined for plain manifests. */
  opts?: { protect: boolean; parent?: string; dependsOn?: string[] };
}

export interface Violation {
  policy: string;
  /** `<Kind>/<name>`, or `stack` for a finding about the whole stack. */
  resource: string;
  enforcement: EnforcementLevel;
  message: string;
}

export interface ExemptionUse {
  policy: string;
  resource: string;
  reason: string;
}

export interface PolicyRun {
  violations: Violation[];
  exemptions: ExemptionUse[];
}

/** `--policy-pack-config` format: per policy (or "all") a level, or an object with one and settings. */
export type PackEntry = EnforcementLevel | (Record<string, unknown> & { enforcementLevel?: EnforcementLevel });
export type PackConfig = Record<string, PackEntry>;

export const CONFIG_DIR = path.join(__dirname, "config");
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const ajv = new Ajv({ allErrors: true, strict: false });

/** A problem with the pack's config or its input: a message for people, never a stack trace. */
export class PolicyInputError extends Error {}

export function stacksWithConfig(): string[] {
  const order = ["dev", "staging", "prod"];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return fs
    .readdirSync(CONFIG_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** policies/config/<stack>.json, checked against the pack's policy names and config schemas. */
export function loadPackConfig(stack: string): PackConfig {
  const file = path.join(CONFIG_DIR, `${stack}.json`);
  if (!fs.existsSync(file)) {
    throw new PolicyInputError(`${path.relative(process.cwd(), file)}: no policy config for stack ${stack}; stacks with one: ${stacksWithConfig().join(", ")}`);
  }
  return loadPackConfigFile(file);
}

/** A pack config file in `pulumi preview --policy-pack-config` format. */
export function loadPackConfigFile(file: string): PackConfig {
  const shown = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new PolicyInputError(`${shown}: no such file`);
  let config: PackConfig;
  try {
    config = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new PolicyInputError(`${shown}: not valid JSON: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const badLevel = (where: string, level: unknown) => {
    if (level !== undefined && !LEVELS.includes(level as EnforcementLevel)) problems.push(`${where}: "${level}"; allowed: ${LEVELS.join(", ")}`);
  };
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") {
      badLevel(`${shown}: all`, typeof entry === "string" ? entry : entry?.enforcementLevel);
      continue;
    }
    const policy = policies.find((p) => p.name === name);
    if (!policy) {
      problems.push(`${shown}: ${name}: no such policy; see npm run policy -- --list`);
      continue;
    }
    if (typeof entry === "string") {
      badLevel(`${shown}: ${name}`, entry);
      continue;
    }
    badLevel(`${shown}: ${name}.enforcementLevel`, entry.enforcementLevel);
    // The same check the engine makes: the policy's own config schema, settings and types.
    const { enforcementLevel: _level, ...settings } = entry;
    const validate = ajv.compile({ type: "object", additionalProperties: false, ...(policy.configSchema ?? { properties: {} }) });
    if (!validate(settings)) {
      for (const e of validate.errors ?? []) {
        const where = e.instancePath ? `${name}${e.instancePath.replace(/\//g, ".")}` : name;
        if (e.keyword === "additionalProperties") {
          const key = (e.params as { additionalProperty: string }).additionalProperty;
          problems.push(
            `${shown}: ${where}.${key}: unknown setting; allowed: enforcementLevel, ${Object.keys(policy.configSchema?.properties ?? {}).join(", ")}`,
          );
        } else {
          problems.push(`${shown}: ${where}: ${e.message}`);
        }
      }
    }
  }
  if (problems.length) throw new PolicyInputError(problems.join("\n"));
  return config;
}

/** The level a policy runs at; "remediate" acts as "mandatory" here, as no policy of the pack remediates. */
export function enforcementOf(policy: Policy, config: PackConfig | undefined): EnforcementLevel {
  const entry = config?.[policy.name];
  const level =
    (typeof entry === "string" ? entry : entry?.enforcementLevel) ??
    (typeof config?.all === "string" ? config.all : config?.all?.enforcementLevel) ??
    policy.enforcementLevel ??
    "advisory";
  return level === "remediate" ? "mandatory" : level;
}

/** The policy's config as the engine would hand it over: schema defaults, then the stack's values. */
function policyConfig(policy: Policy, config: PackConfig | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries<any>(policy.configSchema?.properties ?? {})) {
    if (schema && "default" in schema) defaults[key] = structuredClone(schema.default);
  }
  const entry = config?.[policy.name];
  const { enforcementLevel: _level, ...values } = typeof entry === "object" && entry ? entry : {};
  return { ...defaults, ...values };
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

const urnOf = (stack: string, r: PolicyInput) => `urn:pulumi:${stack}::dataplatform::${r.type}::${r.name}`;

function policyResource(stack: string, r: PolicyInput) {
  return {
    type: r.type,
    name: r.name,
    props: r.props,
    urn: urnOf(stack, r),
    opts: r.opts
      ? {
          protect: r.opts.protect,
          ignoreChanges: [],
          aliases: [],
          customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
          additionalSecretOutputs: [],
          parent: r.opts.parent,
        }
      : (undefined as any),
    dependencies: [],
    propertyDependencies: {},
    isType: (cls: any) => cls?.__pulumiType === r.type,
    asType: (cls: any) => (cls?.__pulumiType === r.type ? r.props : undefined),
  };
}

export async function runPolicies(stack: string, resources: PolicyInput[], config: PackConfig | undefined): Promise<PolicyRun> {
  const violations: Violation[] = [];
  const exemptions: ExemptionUse[] = [];
  const byUrn = new Map(resources.map((r) => [urnOf(stack, r), r]));
  for (const policy of policies) {
    const enforcement = enforcementOf(policy, config);
    if (enforcement === "disabled") continue;
    const pconfig = policyConfig(policy, config);
    for (const r of resources) {
      const ex = exemptionFor(pconfig as any, r.type, r.name, r.props);
      if (ex) exemptions.push({ policy: policy.name, resource: resourceRef(r.type, r.name, r.props), reason: ex.reason });
    }
    const base = { stackTags: new Map<string, string>(), getConfig: () => pconfig as any, notApplicable };
    const add = (resource: string) => (message: string) => violations.push({ policy: policy.name, resource, enforcement, message });
    try {
      if ("validateStack" in policy) {
        const stackPolicy = policy as StackValidationPolicy;
        await stackPolicy.validateStack({ ...base, resources: resources.map((r) => policyResource(stack, r)) } as any, (message, urn) => {
          const r = urn ? byUrn.get(urn) : undefined;
          add(r ? resourceRef(r.type, r.name, r.props) : "stack")(message);
        });
        continue;
      }
    } catch (e) {
      if (e instanceof NotApplicable) continue;
      throw e;
    }
    const validations = [(policy as ResourceValidationPolicy).validateResource ?? []].flat();
    for (const r of resources) {
      for (const validate of validations) {
        try {
          await validate({ ...base, ...policyResource(stack, r) } as any, add(resourceRef(r.type, r.name, r.props)));
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    }
  }
  return { violations, exemptions };
}

export function hasMandatory(run: PolicyRun): boolean {
  return run.violations.some((v) => v.enforcement === "mandatory");
}

export function formatViolations(run: PolicyRun): string {
  const lines: string[] = [];
  for (const level of ["mandatory", "advisory"] as const) {
    const vs = run.violations.filter((v) => v.enforcement === level);
    if (!vs.length) continue;
    lines.push(`${level === "mandatory" ? "Mandatory" : "Advisory"} policy violations (${vs.length}):`);
    for (const v of vs) lines.push(`  [${v.policy}] ${v.resource}: ${v.message}`);
  }
  if (run.exemptions.length) {
    lines.push(`Exemptions in force (${run.exemptions.length}):`);
    for (const e of run.exemptions) lines.push(`  [${e.policy}] ${e.resource}: ${e.reason}`);
  }
  return lines.join("\n");
}
