/**
 * TLS on the Hadoop daemons' web endpoints (HDFS, YARN), without Kerberos. Java 11 (the Hadoop
 * image's) reads no PEM key store, so cert-manager writes a JKS key store and trust store into the
 * certificate's Secret, locked with a password from the platform's credential `hadoopKeystore`.
 * ssl-server.xml reads that password from the daemon's environment (Hadoop expands ${env.NAME}), so
 * no file or ConfigMap holds it. The trust store (the CA alone) needs no password to be read.
 * Renewal needs no restart: the daemons re-read a changed key store every 10 s.
 */
import type * as k8s from "@pulumi/kubernetes";
import { certificate, type CertificatesConfig } from "./certificates";
import { siteXml } from "./hadoop-xml";
import type { Workload } from "./labels";
import type { Manifest } from "./manifests";
import { type CredentialSecret, type SecretRef, secretEnv } from "./secret-ref";

/** The key store's password: the same for HDFS's and YARN's certificates, which cert-manager locks with it. */
export const HADOOP_KEYSTORE_CREDENTIALS: CredentialSecret<"password"> = { secret: "hadoop-keystore", keys: ["password"] };
export type HadoopKeystorePassword = SecretRef<"password">;

export const HADOOP_TLS_DIR = "/etc/hadoop-tls";
export const KEYSTORE = `${HADOOP_TLS_DIR}/keystore.jks`;
export const TRUSTSTORE = `${HADOOP_TLS_DIR}/truststore.jks`;
const PASSWORD_ENV = "HADOOP_KEYSTORE_PASSWORD";
/** The Secret keys cert-manager writes for spec.keystores.jks. */
export const JKS_FILES = { keystore: "keystore.jks", truststore: "truststore.jks" } as const;

/**
 * A Hadoop daemon's web endpoint in its security mode: the port's name (`plainName` over HTTP, as
 * deployed before tls existed), the URL scheme, and an httpGet probe's scheme (HTTP, the default, is
 * left unsaid so plaintext pods stay as they were).
 */
export function webScheme(security: "plaintext" | "tls", plainName: string) {
  const tls = security === "tls";
  return { tls, name: tls ? "https" : plainName, scheme: tls ? "https" : "http", probeScheme: tls ? { scheme: "HTTPS" } : {} } as const;
}

/** What a Hadoop engine is given to serve its web endpoints over HTTPS. */
export interface HadoopTls {
  certificates: CertificatesConfig;
  keystorePassword: HadoopKeystorePassword;
}

export interface HadoopCertificateArgs {
  name: string;
  namespace: string;
  workload: Workload;
  commonName: string;
  dnsNames: string[];
}

/** A server (and, between daemons, client) certificate whose Secret also holds the JKS stores. */
export function hadoopCertificate(tls: HadoopTls, a: HadoopCertificateArgs): Manifest {
  const password = { name: tls.keystorePassword.name, key: tls.keystorePassword.keys.password };
  return certificate(tls.certificates, { ...a, usages: ["server auth", "client auth"], jksPassword: password });
}

/**
 * ssl-server.xml (the daemons' HTTPS connector) and ssl-client.xml (what they trust when they fetch
 * from each other: edits, images). HDFS reads these files without core-site, so they stand alone.
 */
export function sslFiles(): Record<string, string> {
  const server = {
    "ssl.server.keystore.type": "jks",
    "ssl.server.keystore.location": KEYSTORE,
    "ssl.server.keystore.password": `\${env.${PASSWORD_ENV}}`,
    "ssl.server.keystore.keypassword": `\${env.${PASSWORD_ENV}}`,
    "ssl.server.truststore.type": "jks",
    "ssl.server.truststore.location": TRUSTSTORE,
  };
  const client = { "ssl.client.truststore.type": "jks", "ssl.client.truststore.location": TRUSTSTORE };
  return { "ssl-server.xml": siteXml(server), "ssl-client.xml": siteXml(client) };
}

/** The certificate's two stores, never its PEM key. */
export function hadoopTlsVolume(name: string, secretName: string): k8s.types.input.core.v1.Volume {
  return {
    name,
    secret: { secretName, items: Object.values(JKS_FILES).map((key) => ({ key, path: key })) },
  };
}

export function hadoopTlsMount(volume: string): k8s.types.input.core.v1.VolumeMount {
  return { name: volume, mountPath: HADOOP_TLS_DIR, readOnly: true };
}

/** The key store's password, for ssl-server.xml to expand. */
export function keystorePasswordEnv(password: HadoopKeystorePassword) {
  return secretEnv(PASSWORD_ENV, password, "password");
}
