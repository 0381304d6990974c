import { resourcePolicy } from "../lib/define";

export const noSkipAwait = resourcePolicy(
  {
    name: "no-skip-await",
    description: "No object carries pulumi.com/skipAwait and no chart sets skipAwait: a deployment must wait until stateful engines are really ready.",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove the pulumi.com/skipAwait annotation or the chart's skipAwait.",
  },
  (args, report) => {
    if (args.type === "kubernetes:helm.sh/v4:Chart" && args.props?.skipAwait === true) report("chart sets skipAwait: true");
    const value = args.props?.metadata?.annotations?.["pulumi.com/skipAwait"];
    if (value !== undefined && String(value) !== "false") report(`annotation pulumi.com/skipAwait is "${value}"`);
  },
);
