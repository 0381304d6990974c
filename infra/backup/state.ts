/** The stack's Pulumi state in a backup: exported as is (its secrets stay encrypted), imported when lost. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type Deployment, LocalWorkspace, type PulumiFn } from "@pulumi/pulumi/automation";
import { PROJECT } from "../config/stack";

/** The pulumi CLI in `dir`; its stderr's last line is the error (the Automation API would export with --show-secrets). */
async function pulumi(dir: string, args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)("pulumi", [...args, "--non-interactive"], { cwd: dir, maxBuffer: 1 << 28, encoding: "utf8" })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`pulumi ${args[0]} ${args[1] ?? ""}: ${(err.stderr ?? "").trim().split("\n").pop() || err.message.split("\n")[0]}`);
  }
}

/** `pulumi stack export` of the stack in `dir`'s project, secrets encrypted under the stack's passphrase. */
export async function exportState(dir: string, stack: string): Promise<Deployment> {
  return JSON.parse(await pulumi(dir, ["stack", "export", "--stack", stack]));
}

/** Whether the backend still has the stack with resources; when it does not, the backup's state is imported. */
export async function ensureState(dir: string, stack: string, state: Deployment | undefined): Promise<"kept" | "imported"> {
  const ws = await LocalWorkspace.create({ workDir: dir });
  const known = (await ws.listStacks()).some((s) => s.name === stack || s.name.endsWith(`/${stack}`));
  // A stack made by an import that failed half-way has no resources: imported again.
  if (known && ((await exportState(dir, stack)).deployment as { resources?: unknown[] }).resources?.length) return "kept";
  if (!state) throw new Error(`stack ${stack} has no state in this backend and the backup holds none`);
  if (!known) await pulumi(dir, ["stack", "init", stack]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dp-restore-"));
  try {
    const file = path.join(tmp, "state.json");
    fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    await pulumi(dir, ["stack", "import", "--stack", stack, "--file", file]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
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
