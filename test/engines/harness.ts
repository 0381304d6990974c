/**
 * Runs the engines from the program's own plan (`npm run check -- --json`): each workload's pods are
 * started by tools/engines/pod.sh with the container's command, environment, user, hostname and
 * volume mounts exactly as planned (ConfigMaps as read-only files, claims as kept directories,
 * emptyDirs as fresh ones), on a bridge where a hosts file stands in for cluster DNS. The engine's
 * files come from Maven Central (tools/engines/fetch.sh) and are bound where the image keeps them.
 */
import { LAKE_USER_CREDENTIALS } from "../../components/minio/users";
import { MINIO_CA } from "../../components/minio/tls";
import { TestCa } from "./tls";
import { METRICS_PORT } from "../../components/kit/metrics";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

export const ROOT = path.resolve(__dirname, "..", "..");
const POD_SH = path.join(ROOT, "tools", "engines", "pod.sh");
const WORK = process.env.DP_ENGINES_WORK ?? "/var/tmp/dataplatform-engines";

export interface PlannedObject {
  type: string;
  name: string;
  inputs: any;
}

/** The program's plan for a stack, as `npm run check -- --json` prints it. */
export function planOf(stack: string, sets: string[] = []): PlannedObject[] {
  const args = ["run", "--silent", "check", "--", "--stack", stack, "--json", ...sets.flatMap((s) => ["--set", s])];
  let out: string;
  try {
    out = execFileSync("npm", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    // Exit 1 is a policy violation: the plan is printed all the same.
    if (err.status !== 1 || !err.stdout) throw new Error(`npm run check -- --stack ${stack} failed (${err.status}): ${err.stderr}`);
    out = err.stdout;
  }
  return JSON.parse(out).resources;
}

export function planned(plan: PlannedObject[], kind: string, name: string): any {
  const found = plan.find((r) => r.type.endsWith(`:${kind}`) && (r.inputs.metadata?.name ?? r.name) === name);
  if (!found)
    throw new Error(
      `the plan has no ${kind} ${name}; it has ${plan
        .filter((r) => r.type.endsWith(`:${kind}`))
        .map((r) => r.inputs.metadata?.name)
        .join(", ")}`,
    );
  return found.inputs;
}

/** The plan's Job whose name starts with `prefix` (Jobs are named after a digest of what they do). */
export function plannedJob(plan: PlannedObject[], prefix: string): any {
  const found = plan.filter((r) => r.type.endsWith(":Job") && r.inputs.metadata.name.startsWith(`${prefix}-`));
  if (found.length !== 1) throw new Error(`expected one Job ${prefix}-*, found ${found.map((r) => r.inputs.metadata.name).join(", ") || "none"}`);
  return found[0].inputs;
}

export class Pod {
  readonly exited: Promise<number>;
  private process: ChildProcess;
  /** The pod's other containers (sidecars), started beside this one in its network. */
  sidecars: Pod[] = [];
  /**
   * `ownsNetwork`: the pod's main container, whose exit ends the pod (and its network); init
   * containers and sidecars only join that network.
   */
  constructor(
    readonly name: string,
    readonly ip: string,
    readonly logFile: string,
    readonly container: any,
    private readonly exec: { dir: string; uid: number; path: string },
    argv: string[],
    user: string | undefined,
    ownsNetwork: boolean,
  ) {
    fs.appendFileSync(logFile, `==== start ${new Date().toISOString()}\n`);
    const log = fs.openSync(logFile, "a");
    this.process = spawn("bash", [POD_SH, "run", ...argv], { stdio: ["ignore", log, log], detached: true, env: { ...process.env, DP_POD_USER: user ?? "" } });
    fs.closeSync(log);
    this.exited = new Promise((resolve) =>
      this.process.on("exit", (code, signal) => {
        // Its address is free again only once its namespace is gone: a later pod may be given it.
        if (ownsNetwork) execFileSync("bash", [POD_SH, "net-rm", name]);
        resolve(code ?? (signal ? 128 : 1));
      }),
    );
  }

  /** Whether its process still runs (a container that exited on its own is not restarted here: the test does what the kubelet would). */
  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, "utf8") : "";
  }

  /** The log since the container's last start. */
  lastLog(): string {
    return (
      this.log()
        .split(/^==== start .*$/m)
        .pop() ?? ""
    );
  }

  /** Resolves when the log matches; fails with the log's tail when the pod exits or time runs out. */
  async waitForLog(pattern: RegExp, seconds: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + seconds * 1000;
    let done = false;
    this.exited.then(() => {
      done = true;
    });
    for (;;) {
      const match = this.log().match(pattern);
      if (match) return match;
      if (done || Date.now() > deadline) {
        throw new Error(`${this.name}: ${done ? "exited" : `no ${pattern} after ${seconds}s`}; log tail:\n${this.log().split("\n").slice(-40).join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Whether the container's readiness probe (exec, tcpSocket or httpGet) passes now, as a kubelet checks it. */
  async probeReady(): Promise<boolean> {
    const probe = this.container.readinessProbe;
    if (!probe) return true;
    if (probe.exec) return (await this.run(probe.exec.command, probe.timeoutSeconds ?? 1)).code === 0;
    const action = probe.tcpSocket ?? probe.httpGet;
    const port = typeof action.port === "number" ? action.port : this.container.ports?.find((p: any) => p.name === action.port)?.containerPort;
    if (probe.tcpSocket) {
      return new Promise((resolve) => {
        const socket = net.connect({ host: this.ip, port, timeout: 3000 }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on("error", () => resolve(false));
        socket.on("timeout", () => {
          socket.destroy();
          resolve(false);
        });
      });
    }
    if (probe.httpGet?.scheme === "HTTPS") {
      // Like the kubelet: HTTPS without checking the certificate; 200 to 399 passes.
      return new Promise((resolve) => {
        const req = https.get(
          { host: this.ip, port, path: probe.httpGet.path ?? "/", rejectUnauthorized: false, timeout: (probe.timeoutSeconds ?? 1) * 1000 },
          (res) => {
            res.resume();
            resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
          },
        );
        req.on("error", () => resolve(false));
        req.on("timeout", () => req.destroy());
      });
    }
    if (probe.httpGet) {
      try {
        // Like the kubelet: 200 to 399 passes; a redirect is not followed into the web UI's files.
        const res = await fetch(`http://${this.ip}:${port}${probe.httpGet.path ?? "/"}`, {
          redirect: "manual",
          signal: AbortSignal.timeout((probe.timeoutSeconds ?? 1) * 1000),
        });
        return res.status >= 200 && res.status < 400;
      } catch {
        return false;
      }
    }
    throw new Error(`${this.name}: a readiness probe the sandbox cannot run: ${JSON.stringify(probe)}`);
  }

  /** A command inside the running pod (its namespaces, root and user), as `kubectl exec` runs it. */
  run(command: string[], timeoutSeconds = 60): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      const child = spawn("bash", [POD_SH, "exec", String(this.process.pid), this.exec.dir, String(this.exec.uid), this.exec.path, ...command], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      // As the kubelet does with a probe: one that outlives its timeout has failed.
      const timer = setTimeout(() => {
        output += `\n(killed after ${timeoutSeconds}s)`;
        child.kill("SIGKILL");
      }, timeoutSeconds * 1000);
      child.stdout.on("data", (d) => {
        output += d;
      });
      child.stderr.on("data", (d) => {
        output += d;
      });
      child.on("error", (e) => {
        clearTimeout(timer);
        resolve({ code: 127, output: `${output}${e.message}` });
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, output });
      });
    });
  }

  /** Waits until the readiness probe passes, as the pod would become Ready. */
  async waitReady(seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!(await this.probeReady())) {
      if (Date.now() > deadline || this.process.exitCode !== null || this.process.signalCode !== null)
        throw new Error(
          `${this.name} never became ready (${JSON.stringify(this.container.readinessProbe)}); log tail:\n${this.log().split("\n").slice(-30).join("\n")}`,
        );
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sidecars.map((c) => c.stop()));
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    try {
      process.kill(-this.process.pid!, "SIGTERM");
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((r) => {
      timer = setTimeout(r, 20_000);
    }).then(() => {
      try {
        process.kill(-this.process.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }
}

export type Secrets = Record<string, Record<string, string | Buffer>>;

export interface StartOptions {
  /** SOURCE:TARGET[:ro] mounts that stand in for the image's files (engine jars, scripts). */
  image: string[];
  /** Another image's mounts for a container of another image, by container name (an init container's). */
  containerImages?: Record<string, string[]>;
  /** Secret name -> key -> value (text, or bytes such as a key store), for env and volumes that read Secrets. */
  secrets?: Secrets;
  /** The image's PATH, when it has commands beyond the system's. */
  path?: string;
  /** NAME=VALUE the image's own ENV sets (JAVA_HOME and the like). */
  extraEnv?: string[];
  /** The image's name for the pods' user (its /etc/passwd). */
  user?: string;
  /** The image's ENTRYPOINT and CMD, run when a container names no command (as Kubernetes does). */
  entrypoint?: string[];
}

/**
 * Only the last run of each suite and stack keeps its pods' files (their logs, for reading a failure):
 * earlier runs would fill the disk over many runs, and a NodeManager on a disk over 90% full reports
 * itself unhealthy. Returns what it removed.
 */
export function removeEarlierRuns(name: string): string[] {
  const earlier = (fs.existsSync(WORK) ? fs.readdirSync(WORK) : []).filter((d) => d.startsWith(`${name}-`) && /^[0-9a-z]+$/.test(d.slice(name.length + 1)));
  for (const d of earlier) fs.rmSync(path.join(WORK, d), { recursive: true, force: true });
  return earlier;
}

/** One test's cluster: a namespace, the pods' addresses and a hosts file for their DNS names. */
export class Sandbox {
  readonly dir: string;
  private hosts = new Map<string, string>();
  private pods: Pod[] = [];
  private nextIp = 2;

  private ips = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly plan: PlannedObject[],
    readonly namespace: string,
  ) {
    this.dir = path.join(WORK, `${name}-${Date.now().toString(36)}`);
    removeEarlierRuns(name);
    fs.mkdirSync(path.join(this.dir, "logs"), { recursive: true });
    execFileSync("bash", [POD_SH, "net-up"]);
    this.registerPlannedServices();
  }

  /** The address pod `pod` gets, the same every time it is asked for (a StatefulSet pod keeps its name). */
  ipFor(pod: string): string {
    if (!this.ips.has(pod)) this.ips.set(pod, this.allocateIp());
    return this.ips.get(pod)!;
  }

  /** Each planned Service with a selector answers with the first pod of the workload it selects. */
  private registerPlannedServices(): void {
    const workloads = this.plan.filter((r) => /:(StatefulSet|Deployment)$/.test(r.type));
    for (const svc of this.plan.filter((r) => r.type.endsWith(":Service") && r.inputs.spec?.selector)) {
      const selector: Record<string, string> = svc.inputs.spec.selector;
      const target = workloads.find((w) => Object.entries(selector).every(([k, v]) => w.inputs.spec.template.metadata?.labels?.[k] === v));
      if (target) this.addService(svc.inputs.metadata.name, this.ipFor(`${target.inputs.metadata.name}-0`));
    }
  }

  /** The next free address; 10.244.<n>.<m>, never the bridge's own. */
  allocateIp(): string {
    const n = this.nextIp++;
    return `10.244.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  /** A DNS name (or several) for an address, as cluster DNS would answer. */
  addHost(ip: string, ...names: string[]): void {
    for (const n of names) this.hosts.set(n, ip);
  }

  /** A Service's names, pointing at one of its pods; the bare name too, as the namespace's DNS search path resolves it. */
  addService(service: string, ip: string): void {
    this.addHost(ip, `${service}.${this.namespace}.svc.cluster.local`, `${service}.${this.namespace}.svc`, `${service}.${this.namespace}`, service);
  }

  /** Every pod reads it live (pod.sh binds its directory), so it is rewritten whole, by rename, at each pod start. */
  private hostsFile(): string {
    const file = path.join(this.dir, "dns", "hosts");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = ["127.0.0.1 localhost", ...[...this.hosts].map(([n, ip]) => `${ip} ${n}`)];
    writeAtomically(file, `${lines.join("\n")}\n`);
    return file;
  }

  /**
   * A pod's copy of a ConfigMap volume, written once per pod start (as a kubelet does): its other
   * containers share it, and no other pod's start rewrites what this one has mounted.
   */
  private configMapDir(pod: string, volume: string, name: string, items?: { key: string; path: string }[]): string {
    const data = planned(this.plan, "ConfigMap", name).data ?? {};
    const dir = path.join(this.dir, "configmaps", pod, volume);
    if (fs.existsSync(dir)) return dir;
    fs.mkdirSync(dir, { recursive: true });
    const files = items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const { key, path: p } of files) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), data[key]);
    }
    return dir;
  }

  /** Secret volumes that project chosen keys (items) to chosen paths: kept to follow the Secret's updates. */
  private projected: { secret: string; dir: string; items: { key: string; path: string }[] }[] = [];

  private secretDir(name: string, secrets: Secrets, items?: { key: string; path: string }[], volume?: string): string {
    const data = secrets[name];
    if (!data) throw new Error(`the test gives no Secret ${name}`);
    if (items) {
      // As the kubelet projects items: only those keys, under their paths; a missing key fails the pod.
      const dir = path.join(this.dir, "secret-items", `${volume}-${this.projected.length}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const item of items) {
        if (data[item.key] === undefined) throw new Error(`Secret ${name} has no key ${item.key} (volume ${volume})`);
        writeAtomically(path.join(dir, item.path), data[item.key]);
      }
      this.projected.push({ secret: name, dir, items });
      return dir;
    }
    const dir = path.join(this.dir, "secrets", name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(data)) writeAtomically(path.join(dir, k), v);
    return dir;
  }

  /** A Secret's new contents, written into the files its pods mount, as the kubelet updates a mounted Secret. */
  updateSecret(name: string, data: Record<string, string | Buffer>): void {
    const dir = path.join(this.dir, "secrets", name);
    if (fs.existsSync(dir)) for (const [k, v] of Object.entries(data)) writeAtomically(path.join(dir, k), v);
    for (const p of this.projected.filter((x) => x.secret === name)) {
      for (const item of p.items) if (data[item.key] !== undefined) writeAtomically(path.join(p.dir, item.path), data[item.key]);
    }
  }

  /** A directory owned by the pod's user: a claim's (kept across restarts) or an emptyDir's (fresh). */
  private ownedDir(dir: string, uid: number, fresh: boolean): string {
    if (fresh) fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.chownSync(dir, uid, uid);
    return dir;
  }

  private env(container: any, pod: string, ip: string, secrets: Secrets): string[] {
    const value = (e: any): string => {
      if (e.value !== undefined) return String(e.value);
      if (!e.valueFrom) return ""; // an env var with neither is an empty string, as in Kubernetes
      const from = e.valueFrom;
      if (from.secretKeyRef)
        return String(
          secrets[from.secretKeyRef.name]?.[from.secretKeyRef.key] ??
            (() => {
              throw new Error(`no Secret ${from.secretKeyRef.name} key ${from.secretKeyRef.key}`);
            })(),
        );
      // Where Kubernetes would refuse to start the pod, so does the sandbox.
      if (from.configMapKeyRef) {
        const v = planned(this.plan, "ConfigMap", from.configMapKeyRef.name).data?.[from.configMapKeyRef.key];
        if (v === undefined) throw new Error(`${pod}: env ${e.name}: ConfigMap ${from.configMapKeyRef.name} has no key ${from.configMapKeyRef.key}`);
        return v;
      }
      if (from.fieldRef) {
        const v = ({ "metadata.name": pod, "metadata.namespace": this.namespace, "status.podIP": ip } as Record<string, string>)[from.fieldRef.fieldPath];
        if (v === undefined) throw new Error(`${pod}: env ${e.name}: the sandbox does not provide fieldRef ${from.fieldRef.fieldPath}`);
        return v;
      }
      throw new Error(`${pod}: env ${e.name}: a source the sandbox does not provide: ${JSON.stringify(from)}`);
    };
    if (container.envFrom?.length) throw new Error(`${pod}: container ${container.name}: envFrom is not provided by the sandbox`);
    // The kubelet gives every container the API server's Service, enableServiceLinks or not (MinIO, for
    // one, then reloads its certificates on a timer, as it must for a Secret's symlinked files).
    const apiServer = ["KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443"];
    return [...apiServer, ...(container.env ?? []).map((e: any) => `${e.name}=${value(e)}`)];
  }

  /**
   * Starts one container of a pod template as pod `pod` at `ip`; init containers are run by
   * `startPod`. Claims live in <dir>/claims/<claim>-<pod>, so a restarted pod finds its data.
   */
  startContainer(pod: string, ip: string, template: any, container: any, opts: StartOptions, role: "main" | "init" | "sidecar" = "main"): Pod {
    const spec = template.spec;
    const uid = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser ?? 0;
    const secrets = opts.secrets ?? {};
    const mounts = (container.volumeMounts ?? []).map((m: any) => {
      const volume = (spec.volumes ?? []).find((v: any) => v.name === m.name);
      let source: string;
      if (volume?.configMap) source = this.configMapDir(pod, volume.name, volume.configMap.name, volume.configMap.items);
      else if (volume?.secret) source = this.secretDir(volume.secret.secretName, secrets, volume.secret.items, `${pod}-${volume.name}`);
      else if (volume?.emptyDir) source = this.ownedDir(path.join(this.dir, "pods", pod, m.name), uid, false);
      else if (volume?.persistentVolumeClaim) source = this.ownedDir(path.join(this.dir, "claims", volume.persistentVolumeClaim.claimName), uid, false);
      else if (!volume)
        source = this.ownedDir(path.join(this.dir, "claims", `${m.name}-${pod}`), uid, false); // a volumeClaimTemplate
      else throw new Error(`${pod}: volume ${m.name} of a kind the sandbox does not run: ${JSON.stringify(volume)}`);
      // The kubelet makes a missing subPath directory; fsGroup gives it to the pod's group.
      if (m.subPath) source = volume?.configMap || volume?.secret ? path.join(source, m.subPath) : this.ownedDir(path.join(source, m.subPath), uid, false);
      return `${source}:${m.mountPath}${m.readOnly || volume?.configMap || volume?.secret ? ":ro" : ""}`;
    });
    const command = container.command?.length ? [...container.command, ...(container.args ?? [])] : [...(opts.entrypoint ?? []), ...(container.args ?? [])];
    if (!command.length) throw new Error(`${pod}: container ${container.name} has no command, and the test gives no image entrypoint`);
    const logFile = path.join(this.dir, "logs", `${pod}-${container.name}.log`);
    const exec = {
      dir: path.join(this.dir, "roots", role === "sidecar" ? `${pod}.${container.name}` : pod),
      uid,
      path: opts.path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    };
    const p = new Pod(
      pod,
      ip,
      logFile,
      container,
      exec,
      [
        pod,
        ip,
        exec.dir,
        String(uid),
        this.hostsFile(),
        "--",
        ...(opts.containerImages?.[container.name] ?? opts.image),
        ...mounts,
        "--",
        ...(opts.path ? [`PATH=${opts.path}`] : []),
        ...(opts.extraEnv ?? []),
        ...this.env(container, pod, ip, secrets),
        "--",
        ...command,
      ],
      opts.containerImages?.[container.name] ? undefined : opts.user,
      role === "main",
    );
    this.pods.push(p);
    return p;
  }

  /**
   * A pod of a template: its network, its init containers one after another, then its containers
   * (the first is returned; the others are its sidecars, in the same network).
   */
  async startPod(pod: string, ip: string, template: any, opts: StartOptions): Promise<Pod> {
    // A new pod: fresh emptyDirs, shared by its init containers and its container.
    for (const fresh of ["pods", "configmaps"]) {
      fs.rmSync(path.join(this.dir, fresh, pod), { recursive: true, force: true });
      fs.mkdirSync(path.join(this.dir, fresh, pod), { recursive: true });
    }
    execFileSync("bash", [POD_SH, "net-add", pod, ip]);
    for (const init of template.spec.initContainers ?? []) {
      const p = this.startContainer(pod, ip, template, init, opts, "init");
      const code = await p.exited;
      if (code !== 0) {
        execFileSync("bash", [POD_SH, "net-rm", pod]);
        throw new Error(`${pod}: init container ${init.name} exited ${code}:\n${p.log().split("\n").slice(-30).join("\n")}`);
      }
    }
    const [main, ...others] = template.spec.containers;
    let p: Pod;
    try {
      p = this.startContainer(pod, ip, template, main, opts);
    } catch (e) {
      execFileSync("bash", [POD_SH, "net-rm", pod]);
      throw e;
    }
    p.sidecars = others.map((c: any) => this.startContainer(pod, ip, template, c, opts, "sidecar"));
    return p;
  }

  /** Every pod of a planned StatefulSet, its DNS names registered before any starts (as a headless Service does). */
  async startStatefulSet(name: string, opts: StartOptions, ips?: string[]): Promise<Pod[]> {
    const sts = planned(this.plan, "StatefulSet", name);
    const pods = Array.from({ length: sts.spec.replicas ?? 1 }, (_, i) => ({ pod: `${name}-${i}`, ip: ips?.[i] ?? this.ipFor(`${name}-${i}`) }));
    for (const { pod, ip } of pods) this.addHost(ip, `${pod}.${sts.spec.serviceName}.${this.namespace}.svc.cluster.local`, pod);
    return Promise.all(pods.map(({ pod, ip }) => this.startPod(pod, ip, sts.spec.template, opts)));
  }

  /** Runs a planned Job's pod to completion. */
  async runJob(job: any, opts: StartOptions): Promise<{ code: number; log: string }> {
    const pod = `${job.metadata.name}-${Math.random().toString(36).slice(2, 7)}`;
    const ip = this.allocateIp();
    this.addHost(ip, pod);
    const p = await this.startPod(pod, ip, job.spec.template, opts);
    const code = await p.exited;
    return { code, log: p.log() };
  }

  /** Where a pod's claim keeps its data (a volumeClaimTemplate's <template>-<pod>). */
  claimDir(claim: string): string {
    return path.join(this.dir, "claims", claim);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.pods.map((p) => p.stop()));
  }
}

/** Readers (a starting pod copying its hosts file, a pod reading a Secret) never see a half-written file. */
function writeAtomically(file: string, data: string | Buffer): void {
  // A Secret's item may name a path in a subdirectory (CAs/ca.crt): the kubelet makes it.
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Removes every sandbox pod's network and the bridge (after the suites). */
export function networkDown(): void {
  execFileSync("bash", [POD_SH, "net-down"]);
}

/** The engine's files from Maven Central, fetched once into the cache: the directory they are in. */
export function engineFiles(engine: string): string {
  return execFileSync("bash", [path.join(ROOT, "tools", "engines", "fetch.sh"), engine], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/** A JDK new enough for Trino (tools/engines/jdk.sh). */
export function javaHome(): string {
  return execFileSync("bash", [path.join(ROOT, "tools", "engines", "jdk.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/** A chart rendered by the Helm CLI of the toolchain (the release the provider renders with), as plan objects. */
export function renderChart(chart: string, release: string, namespace: string, values: unknown): PlannedObject[] {
  const helm = path.join(process.env.DP_TOOLCHAIN_HOME ?? path.join(os.homedir(), ".cache", "dataplatform", "toolchain"), "bin", "helm");
  const out = execFileSync(helm, ["template", release, chart, "--namespace", namespace, "--values", "-"], {
    input: JSON.stringify(values),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS())
    .filter(Boolean)
    .map((o: any) => ({
      type: `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`,
      name: o.metadata.name,
      inputs: o,
    }));
}

let lakeCa: string | undefined;

/**
 * The lake's Secrets as the engine tests give its clients: MinIO's users (every client's access key,
 * its user name, and a made-up secret key) and, for a TLS lake's clients, the CA of MinIO's
 * certificate (made by openssl once per run; their trust-store init containers import it).
 */
export function lakeSecrets(): Record<string, Record<string, string>> {
  const data = Object.fromEntries(
    LAKE_USER_CREDENTIALS.keys.map((k) => [k, k.endsWith("-access-key") ? `lake-${k.replace(/-access-key$/, "")}` : `engine-test-${k}`]),
  );
  if (!lakeCa) {
    const ca = new TestCa("engine-test-lake-ca");
    lakeCa = ca.cert;
    ca.remove();
  }
  return { [LAKE_USER_CREDENTIALS.secret]: data, [MINIO_CA.name]: { [MINIO_CA.key]: lakeCa } };
}

/** A pod's JMX exporter /metrics (the exposition text); fails unless it answers 200. */
export async function scrape(p: Pod): Promise<string> {
  const res = await fetch(`http://${p.ip}:${METRICS_PORT}/metrics`);
  if (res.status !== 200) throw new Error(`${p.name}: /metrics answered HTTP ${res.status}`);
  return res.text();
}

/** A metric's samples in an exposition text: labels and value, one per line. */
export function samples(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => ({ labels: /\{(.*)\}/.exec(l)?.[1] ?? "", value: Number(l.slice(l.lastIndexOf(" ") + 1)) }));
}
