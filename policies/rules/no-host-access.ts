import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

export const noHostAccess = podPolicy(
  {
    name: "no-host-access",
    description: "Pods share no host namespace (network, PID, IPC) and bind no host port (Pod Security Standards, baseline).",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove hostNetwork, hostPID, hostIPC and ports[].hostPort; expose through a Service instead.",
  },
  (pod, report) => {
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (pod?.[field] === true) report(`pod: ${field} is true`);
    }
    for (const { container, where } of containersOf(pod)) {
      for (const port of container?.ports ?? []) {
        if (port?.hostPort) report(`${where}: port ${port.containerPort} binds hostPort ${port.hostPort}`);
      }
    }
  },
);
