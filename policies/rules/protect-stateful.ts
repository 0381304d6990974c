import { resourcePolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

const STATEFUL = new Set(["StatefulSet", "PersistentVolumeClaim"]);

export const protectStateful = resourcePolicy({
  name: "protect-stateful",
  description: "StatefulSets and PersistentVolumeClaims are deployed with Pulumi's protect option, so no destroy or replacement deletes data unnoticed.",
  enforcementLevel: "mandatory",
  remediationSteps: "Deploy stateful resources with { protect: true } (the platform does so for tier: production).",
}, (args, report) => {
  if (!STATEFUL.has(kindOf(args.type) ?? "")) args.notApplicable("not a stateful resource");
  if (!args.opts) args.notApplicable("plain manifests carry no Pulumi options");
  if (args.opts.protect !== true) report(`${kindOf(args.type)} is not protected`);
});
