import { resourcePolicy } from "../lib/define";
import { kindOf, podSpecOf, WORKLOAD_KINDS } from "../lib/objects";

export const REQUIRED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by"];
const LABELLED_KINDS = new Set<string>([...WORKLOAD_KINDS, "Service", "PodDisruptionBudget", "ConfigMap", "NetworkPolicy"]);

export const recommendedLabels = resourcePolicy(
  {
    name: "recommended-labels",
    description: `Workloads, Services, ConfigMaps, PDBs and NetworkPolicies carry the recommended labels ${REQUIRED_LABELS.join(", ")}.`,
    enforcementLevel: "mandatory",
    remediationSteps: "Label objects with app.kubernetes.io/name, instance and managed-by (the platform's kit does this).",
  },
  (args, report) => {
    const kind = kindOf(args.type) ?? "";
    if (!LABELLED_KINDS.has(kind)) args.notApplicable(`${kind || args.type} is not labelled by convention`);
    const missing = REQUIRED_LABELS.filter((l) => !args.props?.metadata?.labels?.[l]);
    if (missing.length) report(`metadata.labels lacks ${missing.join(", ")}`);
    const templateLabels =
      podSpecOf(args.type, args.props) && kind !== "Pod"
        ? ((kind === "CronJob" ? args.props?.spec?.jobTemplate?.spec?.template : args.props?.spec?.template)?.metadata?.labels ?? {})
        : undefined;
    if (templateLabels) {
      const missingInPods = REQUIRED_LABELS.slice(0, 2).filter((l) => !templateLabels[l]);
      if (missingInPods.length) report(`pod template labels lack ${missingInPods.join(", ")}`);
    }
  },
);
