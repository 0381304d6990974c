/**
 * A stack whose engines run TLS needs cert-manager and the issuer its environment names before
 * anything is registered: without them `pulumi up` would stop half-way at the first Certificate.
 */
import { kubeConfigFor, kubernetesClient, readIfExists } from "./cluster";
import { ConfigError } from "./config/load";
import { TLS_ENGINES } from "./config/engines";
import type { LoadedPlatform } from "./config/stack";

/** What the check asks the cluster: whether a CRD is served, and whether an issuer exists. */
export interface IssuerReader {
  crdExists(name: string): Promise<boolean>;
  issuerExists(kind: "ClusterIssuer" | "Issuer", name: string, namespace: string): Promise<boolean>;
}

const CERTIFICATE_CRD = "certificates.cert-manager.io";

/** The deployed engines in TLS mode, as their setting names them (kafka.security, starburst.security, minio.security). */
export function tlsEngines(p: LoadedPlatform): string[] {
  return TLS_ENGINES.filter((e) => p.config.engines[e] && p.config[e]?.security === "tls");
}

/** Whether the platform's config asks for certificates (an engine in TLS mode). */
export function needsCertificates(p: LoadedPlatform): boolean {
  return tlsEngines(p).length > 0;
}

export async function checkCertificateIssuer(p: LoadedPlatform, read: IssuerReader): Promise<void> {
  if (!needsCertificates(p) || !p.config.certificates) return;
  const { kind, name } = p.config.certificates.issuer;
  const ns = p.settings.namespace;
  let problem: string | undefined;
  try {
    if (!(await read.crdExists(CERTIFICATE_CRD))) {
      problem = `${tlsEngines(p)[0]}.security: tls needs cert-manager, but the cluster serves no ${CERTIFICATE_CRD}: install cert-manager, then the issuer (README: Security)`;
    } else if (!(await read.issuerExists(kind, name, ns))) {
      const where = kind === "Issuer" ? `Issuer ${ns}/${name}` : `ClusterIssuer ${name}`;
      problem = `certificates.issuer: ${where} does not exist: create it (kubectl apply -f tools/cert-manager/platform-ca.yaml makes ClusterIssuer dataplatform-ca) or name another`;
    }
  } catch (e) {
    problem = `certificates.issuer: cannot check ${kind} ${name}: ${(e as Error).message.split("\n")[0]}`;
  }
  if (problem) throw new ConfigError([problem]);
}

/** The reader for a real run: the stack's kubeconfig and context, as the provider uses them. */
export function clusterIssuerReader(settings: LoadedPlatform["settings"], stackFile?: string): IssuerReader {
  const client = () => {
    const k8s = kubernetesClient();
    const kc = kubeConfigFor(settings, stackFile);
    return { k8s, kc };
  };
  return {
    async crdExists(name) {
      const { k8s, kc } = client();
      return (await readIfExists(kc.makeApiClient(k8s.ApiextensionsV1Api).readCustomResourceDefinition({ name }))) !== undefined;
    },
    async issuerExists(kind, name, namespace) {
      const { k8s, kc } = client();
      const custom = kc.makeApiClient(k8s.CustomObjectsApi);
      const api = { group: "cert-manager.io", version: "v1" };
      const found =
        kind === "ClusterIssuer"
          ? await readIfExists(custom.getClusterCustomObject({ ...api, plural: "clusterissuers", name }))
          : await readIfExists(custom.getNamespacedCustomObject({ ...api, plural: "issuers", namespace, name }));
      return found !== undefined;
    },
  };
}
