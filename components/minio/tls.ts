/**
 * TLS mode: MinIO serves S3 (and its peers each other) over HTTPS with a cert-manager certificate;
 * every client trusts the issuing CA, read from the same Secret's ca.crt and never its key.
 */
import { certificate, type CertificatesConfig, TLS_FILES } from "../kit/certificates";
import { DEFAULT_CLUSTER_DOMAIN, podHost, serviceNames } from "../kit/dns";
import type { Manifest } from "../kit";
import type { CaRef } from "../kit/trust";

export const TLS_SECRET = "minio-tls";
/** Where the server reads public.crt, private.key and CAs/ (its --certs-dir). */
export const CERTS_DIR = "/tmp/certs";

/** The CA clients trust. */
export const MINIO_CA: CaRef = { name: TLS_SECRET, key: TLS_FILES.ca };

/** The server's certificate: the client Service's names, and every pod's under the headless Service (peers dial those). */
export function serverCertificate(c: CertificatesConfig, service: string, headless: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): Manifest {
  return certificate(c, {
    name: TLS_SECRET,
    namespace: ns,
    workload: { name: "minio", component: "server" },
    commonName: service,
    dnsNames: [...serviceNames(service, ns, domain), podHost("*", headless, ns, domain)],
    usages: ["server auth", "client auth"],
  });
}

/** The server's certs directory as MinIO names its files, projected from the certificate's Secret. */
export function serverCertsVolume(name: string) {
  return {
    name,
    secret: {
      secretName: TLS_SECRET,
      items: [
        { key: TLS_FILES.chain, path: "public.crt" },
        { key: TLS_FILES.key, path: "private.key" },
        { key: TLS_FILES.ca, path: "CAs/ca.crt" },
      ],
    },
  };
}
