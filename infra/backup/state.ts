/** The stack's Pulumi state in a backup: exported as is (secrets stay encrypted), imported when lost. */
import { type Deployment, LocalWorkspace, type PulumiFn } from "@pulumi/pulumi/automation";
import { PROJECT } from "../config/stack";

/** `pulumi stack export` of the stack in `dir`'s project (its backend and passphrase as for `pulumi up`). */
export async function exportState(dir: string, stack: string): Promise<Deployment> {
  const ws = await LocalWorkspace.create({ workDir: dir });
  return ws.exportStack(stack);
}

/** Whether the backend still has the stack; when it does not, the backup's state is imported into a new one. */
export async function ensureState(dir: string, stack: string, state: Deployment | undefined): Promise<"kept" | "imported"> {
  const ws = await LocalWorkspace.create({ workDir: dir });
  if ((await ws.listStacks()).some((s) => s.name === stack || s.name.endsWith(`/${stack}`))) return "kept";
  if (!state) throw new Error(`stack ${stack} has no state in this backend and the backup holds none`);
  await ws.createStack(stack);
  await ws.importStack(stack, state);
  return "imported";
}

/** `pulumi refresh` then `pulumi up` of the stack, running `program` in this process. */
export async function refreshAndUp(dir: string, stack: string, program: PulumiFn, progress: (line: string) => void) {
  const s = await LocalWorkspace.selectStack({ stackName: stack, projectName: PROJECT, program }, { workDir: dir });
  const onOutput = (text: string) => {
    for (const line of text.split("\n")) if (line.trim()) progress(line.trimEnd());
  };
  const refresh = await s.refresh({ onOutput });
  const up = await s.up({ onOutput });
  return { refresh: refresh.summary, up: up.summary, outputs: Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value])) };
}
