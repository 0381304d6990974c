import { podPolicy } from "../lib/define";
import { containersOf, effective } from "../lib/objects";

export const runAsNonRoot = podPolicy(
  {
    name: "run-as-non-root",
    description: "Containers run as non-root: runAsNonRoot true and a non-zero UID and GID (Pod Security Standards, restricted).",
    enforcementLevel: "mandatory",
    remediationSteps: "Set securityContext.runAsNonRoot: true and runAsUser/runAsGroup to non-zero ids on the pod or each container.",
  },
  (pod, report) => {
    // The pod's own settings count even when every container overrides them (new containers inherit them).
    if (pod?.securityContext?.runAsUser === 0) report("pod: runAsUser is 0 (root)");
    if (pod?.securityContext?.runAsGroup === 0) report("pod: runAsGroup is 0 (root)");
    if (pod?.securityContext?.runAsNonRoot === false) report("pod: runAsNonRoot is false");
    for (const { container, where } of containersOf(pod)) {
      if (effective(pod, container, "runAsNonRoot") !== true) report(`${where}: runAsNonRoot must be true on the pod or the container`);
      if (effective(pod, container, "runAsUser") === 0) report(`${where}: runAsUser is 0 (root)`);
      if (effective(pod, container, "runAsGroup") === 0) report(`${where}: runAsGroup is 0 (root)`);
    }
  },
);
