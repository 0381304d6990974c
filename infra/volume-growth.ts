/**
 * Growing a StatefulSet's volumes without stopping it. Its claim templates cannot change in place,
 * so the StatefulSet is recreated: each existing claim is asked for the new size first (the
 * StorageClass expands the volume under the running pod), then the StatefulSet is deleted with
 * orphan propagation, so its pods keep running, and Pulumi's replacement creates it again with the
 * new template; the new StatefulSet adopts the same pods and claims. checkStorage has vouched that
 * the size only grows, on a StorageClass that lets claims expand.
 */
import type * as pulumi from "@pulumi/pulumi";
import { VOLUME_GROWTH_ANNOTATION } from "../components/kit/manifests";
import { quantityBytes } from "../components/kit/quantity";
import { ConfigError } from "./config/load";
import { markStatefulSet } from "./marks";
import type { LoadedPlatform } from "./config/stack";
import type { LiveCluster, VolumeGrowth } from "./scale-checks";

/** A growth and the claims it resizes: each `<template>-<statefulSet>-<ordinal>` asking for less than the new size. */
export interface PlannedGrowth extends VolumeGrowth {
  claims: string[];
}

/** A StatefulSet's claims, `<template>-<statefulSet>-<ordinal>`, of the given templates or any. */
const claimsOf = (statefulSet: string, templates?: string[]) =>
  new RegExp(`^(${templates ? templates.map((t) => t.replace(/[.-]/g, "\\$&")).join("|") : "[a-z0-9-]+"})-${statefulSet}-\\d+$`);

/**
 * The claims each growth resizes, retained claims of removed ordinals included (a later scale-up
 * reattaches them). Refused, before anything changes (at preview too), when a claim is not bound
 * (the API server resizes only bound claims) or when the API server would refuse the new size
 * (a server-side dry run: quotas, admission).
 */
export async function planGrowth(p: LoadedPlatform, cluster: LiveCluster, growths: VolumeGrowth[]): Promise<PlannedGrowth[]> {
  if (!growths.length) return [];
  const ns = p.settings.namespace;
  const all = await cluster.claims(ns);
  const problems: string[] = [];
  const planned = growths.map((g) => {
    const mine = all.filter((c) => claimsOf(g.statefulSet, g.templates).test(c.name));
    const smaller = mine.filter((c) => (quantityBytes(c.size) ?? 0) < quantityBytes(g.to)!);
    for (const c of smaller.filter((c) => c.phase !== "Bound")) {
      problems.push(
        `${g.setting} (stack ${p.stack}): size: claim ${c.name} is ${c.phase ?? "not bound"}, and only a bound claim can grow. Keep ${g.from} until it is bound to a volume (README: Growing storage).`,
      );
    }
    return { ...g, claims: smaller.map((c) => c.name) };
  });
  if (problems.length) throw new ConfigError(problems);
  for (const g of planned) {
    for (const claim of g.claims) {
      try {
        await cluster.growClaim(ns, claim, g.to, { dryRun: true });
      } catch (e) {
        problems.push(
          `${g.setting} (stack ${p.stack}): size: the API server would refuse to grow claim ${ns}/${claim} to ${g.to}: ${apiMessage(e)}. Keep ${g.from} (README: Growing storage).`,
        );
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return planned;
}

/**
 * StatefulSets the cluster lacks while their claims exist: a growth whose run stopped after the
 * StatefulSet was deleted (its pods still run), or a restored cluster. This run creates or replaces
 * them around those claims, unprotected for it like a growth (production's `protect` would refuse
 * the replacement of the one still in the state).
 */
export async function missingAroundClaims(p: LoadedPlatform, cluster: LiveCluster, statefulSets: string[]): Promise<string[]> {
  const ns = p.settings.namespace;
  const missing: string[] = [];
  for (const name of statefulSets) if (!(await cluster.statefulSet(ns, name))) missing.push(name);
  if (!missing.length) return [];
  const claims = (await cluster.claims(ns)).map((c) => c.name);
  return missing.filter((name) => claims.some((c) => claimsOf(name).test(c)));
}

export function recreationTransforms(namespace: string, statefulSets: string[]): pulumi.ResourceTransform[] {
  return statefulSets.map((name) =>
    markStatefulSet(namespace, name, { [VOLUME_GROWTH_ANNOTATION]: "recreated around its existing claims" }, { unprotect: true }),
  );
}

/** What a run says about a growth: at preview what it will do, at `up` what it does. */
export function describeGrowth(g: PlannedGrowth): string {
  const claims = g.claims.length ? `claims ${g.claims.join(", ")} grow` : "no claim is smaller; new claims get";
  return `${g.setting}: ${claims} from ${g.from} to ${g.to}; StatefulSet ${g.statefulSet} is recreated with the new claim template around its running pods, which keep running on their volumes.`;
}

/**
 * Carries the growths out, at `up` only: every claim first (a refusal stops before any StatefulSet
 * is touched; the claims already grown stay grown, which is what was asked), then each StatefulSet
 * is deleted with its pods left running. A run that stops after this is completed by the next
 * `up`, which finds the StatefulSet gone beside its claims (missingAroundClaims).
 */
export async function growVolumes(p: LoadedPlatform, cluster: LiveCluster, planned: PlannedGrowth[]): Promise<void> {
  const ns = p.settings.namespace;
  for (const g of planned) {
    for (const claim of g.claims) {
      try {
        await cluster.growClaim(ns, claim, g.to);
      } catch (e) {
        throw new ConfigError([
          `${g.setting} (stack ${p.stack}): size: the API server refused to grow claim ${ns}/${claim} to ${g.to}: ${apiMessage(e)}. No StatefulSet was touched; claims before it in ${g.claims.join(", ")} have grown.`,
        ]);
      }
    }
  }
  for (const g of planned) {
    try {
      await cluster.orphanStatefulSet(ns, g.statefulSet);
    } catch (e) {
      throw new ConfigError([
        `${g.setting} (stack ${p.stack}): size: claims grew to ${g.to}, but StatefulSet ${ns}/${g.statefulSet} was not gone (deleted with its pods left running) in time: ${apiMessage(e)}. Its pods keep running; run pulumi up again.`,
      ]);
    }
  }
}

function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  const parsed =
    typeof body === "string"
      ? (() => {
          try {
            return JSON.parse(body);
          } catch {
            return undefined;
          }
        })()
      : body;
  return String((parsed as { message?: string } | undefined)?.message ?? (e as Error).message).split("\n")[0];
}

/**
 * The growing StatefulSets, as this run registers them: marked with what grows (the policy pack's
 * protect-stateful accepts that mark in place of `protect`, which would forbid the replacement),
 * and unprotected for this one run; the runs after it protect them again and keep the mark.
 */
export function growthTransforms(namespace: string, planned: PlannedGrowth[]): pulumi.ResourceTransform[] {
  return planned.map((g) =>
    markStatefulSet(namespace, g.statefulSet, { [VOLUME_GROWTH_ANNOTATION]: `${g.templates.join(", ")}: ${g.from} -> ${g.to}` }, { unprotect: true }),
  );
}
