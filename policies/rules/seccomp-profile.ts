import { podPolicy } from "../lib/define";
import { containersOf, effective } from "../lib/objects";

const ALLOWED = ["RuntimeDefault", "Localhost"];

export const seccompProfile = podPolicy(
  {
    name: "seccomp-profile",
    description: "Every container runs under a RuntimeDefault or Localhost seccomp profile (Pod Security Standards, restricted).",
    enforcementLevel: "mandatory",
    remediationSteps: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
  },
  (pod, report) => {
    const podType = pod?.securityContext?.seccompProfile?.type;
    if (podType !== undefined && !ALLOWED.includes(podType)) report(`pod: seccompProfile.type ${podType} is not allowed (RuntimeDefault or Localhost)`);
    for (const { container, where } of containersOf(pod)) {
      const type = effective<{ type?: string }>(pod, container, "seccompProfile")?.type;
      if (!type || !ALLOWED.includes(type)) report(`${where}: seccompProfile.type must be RuntimeDefault or Localhost (it is ${type ?? "unset"})`);
    }
  },
);
