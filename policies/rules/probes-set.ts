import { podPolicy } from "../lib/define";
import { isLongRunning } from "../lib/objects";

export const probesSet = podPolicy(
  {
    name: "probes-set",
    description: "Long-running containers have readiness and liveness probes (Jobs and init containers are exempt by nature).",
    enforcementLevel: "mandatory",
    remediationSteps: "Add readinessProbe and livenessProbe to each container of Deployments, StatefulSets and DaemonSets.",
  },
  (pod, report, _config, args) => {
    if (!isLongRunning(args.type)) args.notApplicable("runs to completion");
    for (const container of pod?.containers ?? []) {
      const missing = [container?.readinessProbe ? undefined : "readinessProbe", container?.livenessProbe ? undefined : "livenessProbe"].filter(Boolean);
      if (missing.length) report(`container ${container?.name}: no ${missing.join(" or ")}`);
    }
  },
);
