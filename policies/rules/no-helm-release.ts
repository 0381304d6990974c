import { resourcePolicy } from "../lib/define";

export const noHelmRelease = resourcePolicy<{ allowedReleases: string[] }>(
  {
    name: "no-helm-release",
    description: "No helm.v3.Release: its objects are installed by Helm and bypass this policy pack. Use helm.v4.Chart, whose objects are checked.",
    enforcementLevel: "mandatory",
    config: { allowedReleases: { type: "array", items: { type: "string" }, default: [], description: "Release names allowed (charts that need Helm hooks)" } },
    remediationSteps: "Replace kubernetes.helm.v3.Release with kubernetes.helm.v4.Chart, or allow-list the release with a reason.",
  },
  (args, report, config) => {
    if (args.type !== "kubernetes:helm.sh/v3:Release") args.notApplicable("not a Helm Release");
    if (!(config.allowedReleases ?? []).includes(args.name)) report(`helm.v3.Release ${args.name}: its objects bypass the policy pack`);
  },
);
