import { resourcePolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

export const retainStatefulVolumes = resourcePolicy(
  {
    name: "retain-stateful-volumes",
    description: "StatefulSets keep their volumes when deleted or scaled down (persistentVolumeClaimRetentionPolicy Retain), so a redeploy finds its data.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set persistentVolumeClaimRetentionPolicy: { whenDeleted: Retain, whenScaled: Retain }.",
  },
  (args, report) => {
    if (kindOf(args.type) !== "StatefulSet") args.notApplicable("not a StatefulSet");
    const policy = args.props?.spec?.persistentVolumeClaimRetentionPolicy ?? {};
    for (const when of ["whenDeleted", "whenScaled"]) {
      if (policy[when] === "Delete") report(`persistentVolumeClaimRetentionPolicy.${when} is Delete: volumes would be removed with the pods`);
    }
  },
);
