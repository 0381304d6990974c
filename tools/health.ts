/**
 * npm run health -- --stack <stack> [--dir DIR] [--json] [--kubernetes-only] [--timeout SECONDS]
 * The platform's health as Kubernetes sees it (infra/health.ts): every workload the stack's program
 * deploys, and every one its charts made, against the cluster the stack file names; then as the
 * engines see themselves (infra/engine-health.ts), asked through the API server's pod proxy.
 * Exit codes: 0 healthy; 1 degraded; 2 down, or the cluster unreachable; 64 bad usage or config.
 */
import { parseArgs } from "node:util";
import { clusterFailure, kubeConfigFor, kubernetesClient } from "../infra/cluster";
import { loadPlatform } from "../infra/config/stack";
import { askEngines, type PodExec, podProxy } from "../infra/engine-health";
import { liveCluster } from "../infra/scale-checks";
import { assess, EXIT_OF, type HealthReport, type Observed, readCluster, type State, worst } from "../infra/health";
import { ROOT_DIR } from "../infra/program";
import { type Lines, loadOrReport, runAsCli, start, userPath } from "./cli";
import { planStack, readStackFile } from "./plan";

const USAGE = "usage: npm run health -- --stack <stack> [--dir DIR] [--json] [--kubernetes-only] [--timeout SECONDS]";
export const EXIT = { ...EXIT_OF, unreachable: 2, invalid: 64 } as const;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      dir: { type: "string" },
      json: { type: "boolean", default: false },
      "kubernetes-only": { type: "boolean", default: false },
      timeout: { type: "string", default: "10" },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** The workloads the program deploys for the stack (its charts' are found in the cluster). */
async function expectedWorkloads(stack: string, dir?: string): Promise<string[]> {
  const plan = await planStack({ stack, dir });
  return plan.resources.filter((r) => /:(StatefulSet|Deployment)$/.test(r.type)).map((r) => `${r.type.split(":").pop()}/${r.inputs.metadata.name}`);
}

export function formatReport(r: HealthReport): string[] {
  const width = Math.max(...r.workloads.map((w) => `${w.kind}/${w.name}`.length), 8);
  const lines = [`${"workload".padEnd(width)}  ready  state     problems`];
  for (const w of r.workloads) {
    lines.push(`${`${w.kind}/${w.name}`.padEnd(width)}  ${`${w.ready}/${w.desired}`.padEnd(5)}  ${w.state.padEnd(8)}  ${w.problems.join("; ")}`.trimEnd());
  }
  if (r.engines?.length) {
    const ew = Math.max(...r.engines.map((e) => e.engine.length), 6);
    lines.push("", `${"engine".padEnd(ew)}  state     what it says`);
    for (const e of r.engines) {
      lines.push(`${e.engine.padEnd(ew)}  ${e.state.padEnd(8)}  ${[...e.problems, ...e.facts].join("; ")}`.trimEnd());
    }
  }
  if (r.warnings.length) lines.push("", `Warning events in the last hour (${r.warnings.length}):`, ...r.warnings.slice(0, 20).map((w) => `  ${w}`));
  lines.push("", `${r.namespace}: ${r.state}`);
  return lines;
}

/** The CLI: returns its exit code; `out` takes the report, `err` progress and problems. */
export async function main(argv: string[], out: Lines = console.log, err: Lines = console.error): Promise<number> {
  const cli = start(argv, { usage: USAGE, invalid: EXIT.invalid, parse }, out, err);
  if (typeof cli === "number") return cli;
  const args = cli.values;
  const timeout = Number(args.timeout);
  if (!(timeout > 0)) return cli.usage(`--timeout ${args.timeout}: must be a number of seconds above 0`);
  const ready = await loadOrReport(err, async () => {
    const dir = args.dir ? userPath(args.dir) : ROOT_DIR;
    const settings = loadPlatform(ROOT_DIR, args.stack, readStackFile(args.stack, dir)).settings;
    return { settings, kc: kubeConfigFor(settings, `Pulumi.${args.stack}.yaml`), expected: await expectedWorkloads(args.stack, dir) };
  });
  if (!ready) return EXIT.invalid;
  const { settings, kc, expected } = ready;
  const namespace = settings.namespace;
  const server = kc.getCurrentCluster()?.server;
  err(`reading namespace ${namespace} at ${server} ...`);
  let report: HealthReport;
  let observed: Observed;
  try {
    observed = await readCluster(kc, kubernetesClient(), namespace);
    report = assess(namespace, expected, observed);
  } catch (e) {
    err(
      clusterFailure(
        e,
        server,
        `the reads of namespace ${namespace}`,
        "get and list on pods, services, endpoints, events, persistentvolumeclaims, statefulsets and deployments",
      ),
    );
    return EXIT.unreachable;
  }
  if (!args["kubernetes-only"]) {
    // An engine that cannot be asked is reported, not judged: the Kubernetes level already says why.
    const cluster = liveCluster(settings, `Pulumi.${args.stack}.yaml`);
    const exec: PodExec = (pod, container, command) => cluster.exec(namespace, pod, container, command);
    const engines = await askEngines(observed, podProxy(kc, namespace, timeout * 1000), exec, err, settings.apiServerCidrs !== undefined);
    const judged = engines.map((e) => e.state).filter((s): s is State => s !== "unknown");
    report = { ...report, engines, state: worst([report.state, ...judged]) };
  }
  if (args.json) out(JSON.stringify({ stack: args.stack, ...report }, null, 2));
  else for (const l of formatReport(report)) out(l);
  return EXIT_OF[report.state];
}

if (require.main === module) runAsCli((argv) => main(argv));
