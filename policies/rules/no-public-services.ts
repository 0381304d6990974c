import { resourcePolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

export const noPublicServices = resourcePolicy<{ allowedServices: string[] }>(
  {
    name: "no-public-services",
    description: "No LoadBalancer or NodePort Service unless the environment allow-lists it by name.",
    enforcementLevel: "mandatory",
    config: { allowedServices: { type: "array", items: { type: "string" }, default: [], description: "Service names allowed to be LoadBalancer or NodePort" } },
    remediationSteps: "Use a ClusterIP Service behind an Ingress, or allow-list the Service in policies/config/<stack>.json.",
  },
  (args, report, config) => {
    if (kindOf(args.type) !== "Service") args.notApplicable("not a Service");
    const type = args.props?.spec?.type;
    const name = args.props?.metadata?.name ?? args.name;
    if ((type === "LoadBalancer" || type === "NodePort") && !(config.allowedServices ?? []).includes(name)) {
      report(`Service ${name} is ${type}; allowed here: ${(config.allowedServices ?? []).join(", ") || "none"}`);
    }
  },
);
