import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

const ADDABLE = new Set(["NET_BIND_SERVICE"]);

export const dropAllCapabilities = podPolicy(
  {
    name: "drop-all-capabilities",
    description: "Containers drop ALL capabilities and add back at most NET_BIND_SERVICE (Pod Security Standards, restricted).",
    enforcementLevel: "mandatory",
    remediationSteps: "Set securityContext.capabilities.drop: [ALL]; remove any added capability other than NET_BIND_SERVICE.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      const caps = container?.securityContext?.capabilities ?? {};
      if (!(caps.drop ?? []).includes("ALL")) report(`${where}: capabilities.drop must include ALL`);
      const extra = (caps.add ?? []).filter((c: string) => !ADDABLE.has(c));
      if (extra.length) report(`${where}: adds capabilities ${extra.join(", ")}; only NET_BIND_SERVICE is allowed`);
    }
  },
);
