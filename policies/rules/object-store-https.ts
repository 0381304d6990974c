import { resourcePolicy } from "../lib/define";
import { containersOf, podSpecOf } from "../lib/objects";

/** MinIO's default certs directory for a user whose HOME it cannot know: any .minio/certs. */
const DEFAULT_CERTS = /\/\.minio\/certs$/;

/**
 * The arguments after `server` of a MinIO server, or undefined for any other container: `minio server`
 * in the command, args or a shell script, or `server ...` alone in args (the image's entrypoint runs minio).
 */
function serverArgs(container: any): string[] | undefined {
  const argv = [...(container?.command ?? []), ...(container?.args ?? [])].map(String);
  // A shell's script is one argument: split it into words to find the server's.
  const words = argv.flatMap((a) => a.split(/\s+/)).filter(Boolean);
  const at = words.findIndex((w, i) => /(^|\/)minio$/.test(w) && words[i + 1] === "server");
  if (at >= 0) return words.slice(at + 2);
  const image = String(container?.image ?? "");
  if (!container?.command?.length && container?.args?.[0] === "server" && /(^|\/)minio(:|@|$)/.test(image)) return container.args.slice(1).map(String);
  return undefined;
}

/** The certs directory a server's arguments name (`--certs-dir D`, `--certs-dir=D`, `-S D`), or undefined for the default. */
function certsDir(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--certs-dir" || args[i] === "-S") return args[i + 1];
    if (args[i].startsWith("--certs-dir=")) return args[i].slice("--certs-dir=".length);
  }
  return undefined;
}

/** Whether the volume mounted at `dir` gives MinIO its key pair (public.crt and private.key). */
function certificateAt(pod: any, container: any, dir: string | undefined): boolean {
  const mount = (container?.volumeMounts ?? []).find((m: any) => (dir ? m.mountPath === dir : DEFAULT_CERTS.test(m.mountPath ?? "")));
  const volume = (pod?.volumes ?? []).find((v: any) => v.name === mount?.name);
  const sources = volume?.secret ? [volume.secret] : (volume?.projected?.sources ?? []).map((s: any) => s.secret).filter(Boolean);
  if (!sources.length) return false;
  // Without items the Secret's own keys are the files: they cannot be read here, so it is trusted to hold them.
  const paths = sources.flatMap((s: any) => (s.items ? s.items.map((i: any) => i.path) : ["public.crt", "private.key"]));
  return paths.includes("public.crt") && paths.includes("private.key");
}

export const objectStoreHttps = resourcePolicy(
  {
    name: "object-store-https",
    description:
      "The object store (MinIO) serves S3 over HTTPS, to its clients and between its servers: table files and every request's signature stay off the wire in clear.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set minio.security: tls in the environment (and certificates.issuer); see README 'Security'.",
  },
  (args, report) => {
    const pod = podSpecOf(args.type, args.props);
    for (const { container, where } of pod ? containersOf(pod) : []) {
      const server = serverArgs(container);
      if (!server) continue;
      const dir = certsDir(server);
      if (!certificateAt(pod, container, dir)) {
        report(`${where}: MinIO serves plain HTTP: no Secret with public.crt and private.key is mounted at its certs directory (${dir ?? "~/.minio/certs"})`);
      }
      // The pool's servers, from the arguments or MINIO_VOLUMES.
      const volumes = (container?.env ?? [])
        .filter((e: any) => e?.name === "MINIO_VOLUMES" && typeof e.value === "string")
        .flatMap((e: any) => e.value.split(/\s+/));
      const plainPeers = [...server, ...volumes].filter((w) => w.startsWith("http://"));
      if (plainPeers.length) report(`${where}: MinIO's servers reach each other over plain HTTP (${plainPeers.join(" ")})`);
    }
  },
);
