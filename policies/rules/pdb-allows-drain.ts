import { resourcePolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

export const pdbAllowsDrain = resourcePolicy(
  {
    name: "pdb-allows-drain",
    description: "A PodDisruptionBudget never forbids every eviction (maxUnavailable 0 or minAvailable 100%), so node drains finish.",
    enforcementLevel: "mandatory",
    remediationSteps: "Use maxUnavailable: 1.",
  },
  (args, report) => {
    if (kindOf(args.type) !== "PodDisruptionBudget") args.notApplicable("not a PodDisruptionBudget");
    const spec = args.props?.spec ?? {};
    if (spec.maxUnavailable === 0 || spec.maxUnavailable === "0%" || spec.maxUnavailable === "0") report("maxUnavailable 0 blocks every node drain");
    if (spec.minAvailable === "100%") report("minAvailable 100% blocks every node drain");
  },
);
