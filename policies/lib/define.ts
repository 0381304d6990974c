/**
 * Small wrappers that give every policy the same shape: a config schema with exemptions, and
 * messages that say what is wrong and where. Policies stay plain @pulumi/policy objects.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { kindOf, podSpecOf } from "./objects";

/** One object excused from one policy, with the reason reviewers agreed to. */
export interface Exemption {
  /** `<Kind>/<name>` for Kubernetes objects (e.g. StatefulSet/mysql), else `<type>/<name>`. */
  resource: string;
  reason: string;
}

export interface BaseConfig {
  exemptions: Exemption[];
}

const EXEMPTIONS_SCHEMA = {
  type: "array",
  default: [],
  items: {
    type: "object",
    additionalProperties: false,
    required: ["resource", "reason"],
    properties: {
      resource: { type: "string", description: "<Kind>/<name>, e.g. StatefulSet/mysql" },
      reason: { type: "string", minLength: 10, description: "why this object may break the rule; shown in the check's output" },
    },
  },
};

/**
 * `<Kind>/<metadata.name>`: the object's own name, which is the same in the offline check, for
 * plain manifests and in a real preview (where a Helm chart's objects have logical names such as
 * "trino:data-platform/trino-worker").
 */
export function resourceRef(type: string, name: string, props?: Record<string, any>): string {
  let objectName: unknown;
  try {
    objectName = props?.metadata?.name;
  } catch {
    objectName = undefined; // unknown during preview
  }
  return `${kindOf(type) ?? type}/${typeof objectName === "string" ? objectName : name}`;
}

export function exemptionFor(config: Partial<BaseConfig> | undefined, type: string, name: string, props?: Record<string, any>): Exemption | undefined {
  const ref = resourceRef(type, name, props);
  return (config?.exemptions ?? []).find((e) => e.resource === ref);
}

interface Meta<C> {
  name: string;
  description: string;
  /** The level when no stack config says otherwise: the production level. */
  enforcementLevel: EnforcementLevel;
  /** Extra config properties (JSON schema), with defaults. */
  config?: { [K in keyof C]: Record<string, unknown> };
  remediationSteps?: string;
}

export type Report = (message: string) => void;

/** The fields every policy shares: identity, default level, and a config schema with exemptions. */
function basePolicy<C>(meta: Meta<C>) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    remediationSteps: meta.remediationSteps,
    configSchema: { properties: { exemptions: EXEMPTIONS_SCHEMA, ...(meta.config ?? {}) } as any },
  };
}

export function resourcePolicy<C = object>(
  meta: Meta<C>,
  check: (args: ResourceValidationArgs, report: Report, config: C & BaseConfig) => void,
): ResourceValidationPolicy {
  return {
    ...basePolicy(meta),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const config = args.getConfig<C & BaseConfig>();
      if (exemptionFor(config, args.type, args.name, args.props)) return;
      check(args, (message) => reportViolation(message), config);
    },
  };
}

/** A policy over the pod spec of any pod-creating object (Pod, Deployment, ..., CronJob). */
export function podPolicy<C = object>(
  meta: Meta<C>,
  check: (pod: any, report: Report, config: C & BaseConfig, args: ResourceValidationArgs) => void,
): ResourceValidationPolicy {
  return resourcePolicy<C>(meta, (args, report, config) => {
    const pod = podSpecOf(args.type, args.props);
    if (!pod) args.notApplicable("not a pod-creating object");
    check(pod, report, config, args);
  });
}

export type StackReport = (message: string, resource?: PolicyResource) => void;

export function stackPolicy<C = object>(
  meta: Meta<C>,
  check: (resources: PolicyResource[], report: StackReport, config: C & BaseConfig, args: StackValidationArgs) => void,
): StackValidationPolicy {
  return {
    ...basePolicy(meta),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const config = args.getConfig<C & BaseConfig>();
      check(
        args.resources,
        (message, resource) => {
          if (resource && exemptionFor(config, resource.type, resource.name, resource.props)) return;
          reportViolation(message, resource?.urn);
        },
        config,
        args,
      );
    },
  };
}
