import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

export const readOnlyRootFilesystem = podPolicy(
  {
    name: "read-only-root-filesystem",
    description: "Containers run with a read-only root filesystem; JVMs get an emptyDir for /tmp instead of a writable image.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the process writes.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      if (container?.securityContext?.readOnlyRootFilesystem !== true) report(`${where}: readOnlyRootFilesystem is not true`);
    }
  },
);
