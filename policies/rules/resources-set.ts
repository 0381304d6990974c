import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

export const resourcesSet = podPolicy(
  {
    name: "resources-set",
    description: "Every container requests CPU and memory and sets a memory limit, so the scheduler and the OOM killer behave predictably.",
    enforcementLevel: "mandatory",
    remediationSteps:
      "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory (the platform derives them from environments/<env>.yaml).",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      const r = container?.resources ?? {};
      const missing = [
        r.requests?.cpu ? undefined : "requests.cpu",
        r.requests?.memory ? undefined : "requests.memory",
        r.limits?.memory ? undefined : "limits.memory",
      ].filter(Boolean);
      if (missing.length) report(`${where}: resources ${missing.join(", ")} not set`);
    }
  },
);
