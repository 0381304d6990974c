/** Stack-level settings (which environment, where to deploy) and the stack's config overrides. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, type ConfigLayer, readEnvironmentFile, resolvePlatformConfig } from "./load";
import { CHART as AIRFLOW_CHART } from "../../components/airflow/config";
import { localChartProblem } from "../../components/kit/charts";
import { FLAVORS } from "../../components/starburst/config";
import { type PlatformConfig, SECTIONS } from "./schema";
import { DEFAULT_CLUSTER_DOMAIN } from "../../components/kit/dns";

export const PROJECT = "dataplatform";
export const DEFAULT_NAMESPACE = "data-platform";

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a DNS label: lowercase letters, digits and '-', at most 63 characters" });

/** The widest blocks apiServerCidrs takes: 0.0.0.0/0 would open the health ports to every address. */
const MIN_PREFIX = { v4: 8, v6: 32 } as const;

export const stackSettingsSchema = z.strictObject({
  /** Names environments/<environment>.yaml. */
  environment: z
    .string({ error: "is required: the name of a file in environments/ (dev, staging, prod)" })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be the name of a file in environments/, such as dev" }),
  /** Another environment file instead, relative to the project directory. */
  environmentFile: z.string().min(1).optional(),
  namespace: dnsLabel.default(DEFAULT_NAMESPACE),
  /** A kubeconfig path or its contents; omitted: the ambient KUBECONFIG / ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** A context in that kubeconfig; omitted: its current context. */
  context: z.string().min(1).optional(),
  /** The cluster's DNS domain, in every address engines give each other (the kubelet's --cluster-domain). */
  clusterDomain: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, { error: "must be a DNS domain, such as cluster.local" })
    .default(DEFAULT_CLUSTER_DOMAIN),
  /**
   * The addresses the API server's proxied requests come from, as pods see them (its nodes', or its
   * network agent's): the NetworkPolicies admit them to the engines' health endpoints, so
   * `npm run health` can ask the engines. Omitted: only Kafka (asked by exec) and the Kubernetes
   * level answer; the other engines are reported unknown without being asked.
   */
  apiServerCidrs: z
    .array(
      z
        .union([z.cidrv4(), z.cidrv6()], { error: "must be a CIDR block such as 10.0.0.0/24" })
        .refine((cidr) => Number(cidr.split("/")[1]) >= (cidr.includes(":") ? MIN_PREFIX.v6 : MIN_PREFIX.v4), {
          error: `opens the engines' health ports (Trino's and MinIO's APIs among them) too widely: allowed are the control plane's own blocks, /${MIN_PREFIX.v4} or narrower for IPv4, /${MIN_PREFIX.v6} or narrower for IPv6`,
        }),
      { error: "must be a list of CIDR blocks" },
    )
    .min(1)
    .optional(),
});
export type StackSettings = z.infer<typeof stackSettingsSchema> & {
  /** `kubeconfig` as the k8s Provider takes it: in a Pulumi run, a secret Output when set with --secret. */
  kubeconfigInput: pulumi.Input<string> | undefined;
};

export interface LoadedPlatform {
  stack: string;
  settings: StackSettings;
  config: PlatformConfig;
}

/** Config values as Pulumi hands them over: object values arrive as JSON text. */
function parseValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (/^[[{]/.test(trimmed) || trimmed === "true" || trimmed === "false") {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

/**
 * Splits `<project>:<key>` config into stack settings and platform-section overrides, refusing
 * keys that are neither (a typo must not be ignored).
 */
export function splitStackConfig(stack: string, allConfig: Record<string, string>) {
  const stackFile = `Pulumi.${stack}.yaml`;
  const settings: Record<string, unknown> = {};
  const overrides: Record<string, unknown> = {};
  const problems: string[] = [];
  const settingKeys = Object.keys(stackSettingsSchema.shape);
  for (const [fullKey, raw] of Object.entries(allConfig)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== PROJECT) continue;
    const value = parseValue(raw);
    if (settingKeys.includes(key)) settings[key] = value;
    else if ((SECTIONS as string[]).includes(key)) overrides[key] = value;
    else problems.push(`${stackFile}: ${PROJECT}:${key}: unknown setting; allowed: ${[...settingKeys, ...SECTIONS].join(", ")}`);
  }
  if (problems.length) throw new ConfigError(problems);
  return { settings, overrides: { source: stackFile, values: overrides } as ConfigLayer };
}

// Public at run time, left out of the SDK's typings.
const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

/** The stack's kubeconfig through pulumi.Config, so one set with --secret stays secret in the state. */
export function configuredKubeconfig(): pulumi.Input<string> | undefined {
  const config = new pulumi.Config(PROJECT);
  return isConfigSecret(`${PROJECT}:kubeconfig`) ? config.getSecret("kubeconfig") : config.get("kubeconfig");
}

export function loadPlatform(rootDir: string, stack: string, allConfig: Record<string, string>, extraLayers: ConfigLayer[] = []): LoadedPlatform {
  const { settings: rawSettings, overrides } = splitStackConfig(stack, allConfig);
  const parsed = stackSettingsSchema.safeParse(rawSettings);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `Pulumi.${stack}.yaml: ${PROJECT}:${i.path.join(".")}: ${i.message}`));
  }
  const settings = { ...parsed.data, kubeconfigInput: parsed.data.kubeconfig };
  const envPath = settings.environmentFile ?? path.join("environments", `${settings.environment}.yaml`);
  const envFile = path.resolve(rootDir, envPath);
  if (!settings.environmentFile && !fs.existsSync(envFile)) {
    const known = fs
      .readdirSync(path.join(rootDir, "environments"))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -5));
    throw new ConfigError([`Pulumi.${stack}.yaml: ${PROJECT}:environment: "${settings.environment}" has no file ${envPath}; allowed: ${known.join(", ")}`]);
  }
  const inProject = !path.relative(rootDir, envFile).startsWith("..");
  const envLayer = readEnvironmentFile(envFile, inProject ? path.relative(rootDir, envFile) : envFile);
  const config = resolvePlatformConfig([envLayer, overrides, ...extraLayers]);
  const chartProblems = localChartProblems(config, rootDir);
  if (chartProblems.length) throw new ConfigError(chartProblems);
  return { stack, settings, config };
}

/** A vendor chart taken from a local copy must be the chart and version the program pins. */
function localChartProblems(config: PlatformConfig, rootDir: string): string[] {
  const problems: (string | undefined)[] = [];
  if (config.engines.starburst && config.starburst) {
    const flavor = FLAVORS[config.starburst.flavor];
    problems.push(
      localChartProblem("starburst.chart.path", { name: flavor.chart, version: flavor.chartVersion, repo: flavor.repo }, config.starburst.chart, rootDir),
    );
  }
  if (config.engines.airflow && config.airflow) problems.push(localChartProblem("airflow.chart.path", AIRFLOW_CHART, config.airflow.chart, rootDir));
  return problems.filter((p): p is string => p !== undefined);
}
