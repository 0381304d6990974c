/**
 * Growing a StatefulSet's volumes without stopping it. Its claim templates cannot change in place,
 * so the StatefulSet is recreated: each existing claim is asked for the new size first (the
 * StorageClass expands the volume under the running pod), then the StatefulSet is deleted with
 * orphan propagation, so its pods keep running, and Pulumi's replacement creates it again with the
 * new template; the new StatefulSet adopts the same pods and claims. checkStorage has vouched that
 * the size only grows, on a StorageClass that lets claims expand.
 */
import * as pulumi from "@pulumi/pulumi";
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

const claimPattern = (g: VolumeGrowth) => new RegExp(`^(${g.templates.map((t) => t.replace(/[.-]/g, "\\$&")).join("|")})-${g.statefulSet}-\\d+$`);

/**
 * The claims each growth resizes, retained claims of removed ordinals included (a later scale-up
 * reattaches them). Refused, before anything changes, when a claim is not bound: the API server
 * resizes only bound claims.
 */
export async function planGrowth(p: LoadedPlatform, cluster: LiveCluster, growths: VolumeGrowth[]): Promise<PlannedGrowth[]> {
  if (!growths.length) return [];
  const ns = p.settings.namespace;
  const all = await cluster.claims(ns);
  const problems: string[] = [];
  const planned = growths.map((g) => {
    const mine = all.filter((c) => claimPattern(g).test(c.name));
    const smaller = mine.filter((c) => (quantityBytes(c.size) ?? 0) < quantityBytes(g.to)!);
    for (const c of smaller.filter((c) => c.phase !== "Bound")) {
      problems.push(`${g.setting} (stack ${p.stack}): size: claim ${c.name} is ${c.phase ?? "not bound"}, and only a bound claim can grow. Keep ${g.from} until its volume is provisioned (README: Growing storage).`);
    }
    return { ...g, claims: smaller.map((c) => c.name) };
  });
  if (problems.length) throw new ConfigError(problems);
  return planned;
}

/** What a run says about a growth: at preview what it will do, at `up` what it does. */
export function describeGrowth(g: PlannedGrowth): string {
  const claims = g.claims.length ? `claims ${g.claims.join(", ")} grow` : "no claim exists yet; new claims get";
  return `${g.setting}: ${claims} from ${g.from} to ${g.to}; StatefulSet ${g.statefulSet} is recreated with the new claim template around its running pods, which keep running on their volumes.`;
}

/**
 * Carries the growths out, at `up` only: every claim first (a refusal stops before any StatefulSet
 * is touched), then each StatefulSet is deleted with its pods left running. A run that fails after
 * this is completed by the next `up`, which finds the StatefulSet gone and creates it.
 */
export async function growVolumes(p: LoadedPlatform, cluster: LiveCluster, planned: PlannedGrowth[]): Promise<void> {
  const ns = p.settings.namespace;
  for (const g of planned) {
    for (const claim of g.claims) {
      try {
        await cluster.growClaim(ns, claim, g.to);
      } catch (e) {
        throw new ConfigError([`${g.setting} (stack ${p.stack}): size: the API server refused to grow claim ${ns}/${claim} to ${g.to}: ${apiMessage(e)}. StatefulSet ${g.statefulSet} was not touched.`]);
      }
    }
  }
  for (const g of planned) {
    try {
      await cluster.orphanStatefulSet(ns, g.statefulSet);
    } catch (e) {
      throw new ConfigError([`${g.setting} (stack ${p.stack}): size: claims grew to ${g.to}, but StatefulSet ${ns}/${g.statefulSet} could not be deleted with its pods left running: ${apiMessage(e)}. Run pulumi up again.`]);
    }
  }
}

function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  const parsed = typeof body === "string" ? (() => { try { return JSON.parse(body); } catch { return undefined; } })() : body;
  return String((parsed as { message?: string } | undefined)?.message ?? (e as Error).message).split("\n")[0];
}

/**
 * The growing StatefulSets, as this run registers them: marked with what grows (the policy pack's
 * protect-stateful accepts that mark in place of `protect`, which would forbid the replacement),
 * and unprotected for this one run; the runs after it protect them again and keep the mark.
 */
export function growthTransforms(namespace: string, planned: PlannedGrowth[]): pulumi.ResourceTransform[] {
  return planned.map((g) => markStatefulSet(namespace, g.statefulSet, { [VOLUME_GROWTH_ANNOTATION]: `${g.templates.join(", ")}: ${g.from} -> ${g.to}` }, { unprotect: true }));
}
