import { VOLUME_GROWTH_ANNOTATION } from "../../components/kit/manifests";
import { resourcePolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

const STATEFUL = new Set(["StatefulSet", "PersistentVolumeClaim"]);

/**
 * A volume growth recreates its StatefulSet (claim templates cannot change in place), which
 * `protect` forbids: that run unprotects it, marks it with what grows, and orphans its pods first.
 */
function grownInPlace(props: any): boolean {
  return (
    typeof props?.metadata?.annotations?.[VOLUME_GROWTH_ANNOTATION] === "string" && props?.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Retain"
  );
}

export const protectStateful = resourcePolicy(
  {
    name: "protect-stateful",
    description:
      "StatefulSets and PersistentVolumeClaims are deployed with Pulumi's protect option, so no destroy or replacement deletes data unnoticed; a StatefulSet recreated for larger volumes (marked dataplatform.io/volume-growth, claims retained) is the one exception.",
    enforcementLevel: "mandatory",
    remediationSteps: "Deploy stateful resources with { protect: true } (the platform does so for tier: production).",
  },
  (args, report) => {
    if (!STATEFUL.has(kindOf(args.type) ?? "")) args.notApplicable("not a stateful resource");
    if (!args.opts) args.notApplicable("plain manifests carry no Pulumi options");
    if (args.opts.protect === true) return;
    if (kindOf(args.type) === "StatefulSet" && grownInPlace(args.props)) return;
    report(`${kindOf(args.type)} is not protected`);
  },
);
