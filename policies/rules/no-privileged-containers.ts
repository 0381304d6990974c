import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

export const noPrivilegedContainers = podPolicy(
  {
    name: "no-privileged-containers",
    description: "Containers must not run privileged (Pod Security Standards, baseline).",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove securityContext.privileged or set it to false.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      if (container?.securityContext?.privileged === true) report(`${where}: securityContext.privileged is true`);
    }
  },
);
