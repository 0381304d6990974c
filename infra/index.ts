/** Stack entry point (Pulumi.yaml `main`): the stack's outputs once the config and its Secrets check out. */
import { runProgramOrExplain, stackOutputs } from "./program";

export = runProgramOrExplain().then(stackOutputs);
