import { resourcePolicy } from "../lib/define";

export const noSkipAwait = resourcePolicy({
  name: "no-skip-await",
  description: "No object carries pulumi.com/skipAwait: a deployment must wait until stateful engines are really ready.",
  enforcementLevel: "mandatory",
  remediationSteps: "Remove the pulumi.com/skipAwait annotation.",
}, (args, report) => {
  const value = args.props?.metadata?.annotations?.["pulumi.com/skipAwait"];
  if (value !== undefined && String(value) !== "false") report(`annotation pulumi.com/skipAwait is "${value}"`);
});
