import { stackPolicy } from "../lib/define";
import { isLongRunning, kindOf, podSpecOf, replicasOf, selects } from "../lib/objects";

export const pdbRequired = stackPolicy(
  {
    name: "pdb-required",
    description: "Every workload with more than one replica has a PodDisruptionBudget, and no budget's minAvailable reaches its replica count.",
    enforcementLevel: "mandatory",
    remediationSteps: "Add a PodDisruptionBudget with maxUnavailable: 1 selecting the workload's pods.",
  },
  (resources, report) => {
    const pdbs = resources.filter((r) => kindOf(r.type) === "PodDisruptionBudget");
    for (const w of resources.filter((r) => isLongRunning(r.type) && podSpecOf(r.type, r.props))) {
      const replicas = replicasOf(w.type, w.props) ?? 1;
      const ns = w.props?.metadata?.namespace;
      const podLabels = (kindOf(w.type) === "Pod" ? w.props?.metadata?.labels : w.props?.spec?.template?.metadata?.labels) ?? {};
      const budgets = pdbs.filter((p) => p.props?.metadata?.namespace === ns && selects(p.props?.spec?.selector, podLabels));
      const name = w.props?.metadata?.name ?? w.name;
      if (replicas > 1 && budgets.length === 0) report(`${kindOf(w.type)} ${name} has ${replicas} replicas and no PodDisruptionBudget`, w);
      for (const b of budgets) {
        const min = b.props?.spec?.minAvailable;
        if (typeof min === "number" && min >= replicas) {
          report(`PodDisruptionBudget ${b.props?.metadata?.name} requires ${min} of ${replicas} ${name} pods: no drain can evict one`, b);
        }
      }
    }
  },
);
