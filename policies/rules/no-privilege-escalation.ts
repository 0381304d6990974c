import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

export const noPrivilegeEscalation = podPolicy(
  {
    name: "no-privilege-escalation",
    description: "Every container sets allowPrivilegeEscalation: false (Pod Security Standards, restricted).",
    enforcementLevel: "mandatory",
    remediationSteps: "Set securityContext.allowPrivilegeEscalation: false on each container.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      const value = container?.securityContext?.allowPrivilegeEscalation;
      if (value !== false) report(`${where}: securityContext.allowPrivilegeEscalation must be false (it is ${value === undefined ? "unset" : value})`);
    }
  },
);
