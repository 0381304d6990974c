/**
 * TLS certificates from cert-manager (cert-manager.io/v1 Certificate), issued by the Issuer or
 * ClusterIssuer the environment names. The Secret cert-manager writes holds tls.crt (the chain),
 * tls.key (PKCS#8, which Java reads as PEM) and ca.crt (the issuing CA, the engines' trust).
 */
import { z } from "zod";
import { type Workload, workloadLabels } from "./labels";
import type { Manifest } from "./manifests";

export const certificatesConfig = z.strictObject({
  /** The cert-manager issuer every platform certificate comes from: a CA dedicated to the platform. */
  issuer: z.strictObject({
    name: z.string().min(1, { error: "must name a cert-manager Issuer or ClusterIssuer" }),
    kind: z.enum(["ClusterIssuer", "Issuer"], { error: 'must be "ClusterIssuer" or "Issuer"' }).default("ClusterIssuer"),
  }),
  /** How long a certificate lives, and how long before its end cert-manager renews it. */
  duration: z
    .string()
    .regex(/^\d+h$/, { error: "must be hours, such as 2160h (90 days)" })
    .default("2160h"),
  renewBefore: z
    .string()
    .regex(/^\d+h$/, { error: "must be hours, such as 720h (30 days)" })
    .default("720h"),
});
export type CertificatesConfig = z.infer<typeof certificatesConfig>;

/** The Secret keys cert-manager writes, as the pods read them. */
export const TLS_FILES = { chain: "tls.crt", key: "tls.key", ca: "ca.crt", combined: "tls-combined.pem" } as const;

export interface CertificateArgs {
  name: string;
  namespace: string;
  workload: Workload;
  /** The identity: the principal an engine maps from the subject (CN=<commonName>). */
  commonName: string;
  dnsNames?: string[];
  /** A server's certificate also serves as its client certificate between nodes. */
  usages: ("server auth" | "client auth")[];
  /** Also the key and chain in one PEM file (tls-combined.pem), for servers that read a single keystore file. */
  combinedPem?: boolean;
  /** Also JKS key and trust stores (keystore.jks, truststore.jks), locked with this Secret key's password. */
  jksPassword?: { name: string; key: string };
}

/** A Certificate whose Secret has the same name as the certificate. */
export function certificate(c: CertificatesConfig, a: CertificateArgs): Manifest {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: a.name, namespace: a.namespace, labels: workloadLabels(a.workload) },
    spec: {
      secretName: a.name,
      secretTemplate: { labels: workloadLabels(a.workload) },
      commonName: a.commonName,
      ...(a.dnsNames?.length ? { dnsNames: a.dnsNames } : {}),
      usages: ["digital signature", "key encipherment", ...a.usages],
      duration: c.duration,
      renewBefore: c.renewBefore,
      // A new key on every renewal; PKCS#8 so the JVM's PEM reader takes it as it is.
      privateKey: { algorithm: "RSA", size: 2048, encoding: "PKCS8", rotationPolicy: "Always" },
      issuerRef: { group: "cert-manager.io", kind: c.issuer.kind, name: c.issuer.name },
      ...(a.combinedPem ? { additionalOutputFormats: [{ type: "CombinedPEM" }] } : {}),
      ...(a.jksPassword ? { keystores: { jks: { create: true, passwordSecretRef: a.jksPassword } } } : {}),
    },
  };
}
