/**
 * Trusting the platform's CA from a client pod. Python, Go and curl read the CA as a PEM file; a JVM
 * reads only a key store, so an init container of the client's own image writes one with keytool
 * before the JVM starts: the JDK's public CAs (Spark still fetches from Maven Central) plus the CA.
 * JKS because a JVM reads its certificates with no password: the store's password is random, used
 * once to write it and never kept (it guards nothing secret).
 */
import type * as k8s from "@pulumi/kubernetes";
import { container, scratchVolume } from "./manifests";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** A Secret key holding a CA certificate (PEM): cert-manager's ca.crt of a server's certificate. */
export interface CaRef {
  name: string;
  key: string;
}

export const CA_DIR = "/etc/platform-ca";
export const CA_FILE = `${CA_DIR}/ca.crt`;
export const TRUST_DIR = "/etc/platform-trust";
export const TRUST_STORE = `${TRUST_DIR}/truststore.jks`;
/** What each JVM of the pod reads (JAVA_TOOL_OPTIONS: the launcher, embedded JVMs and their children alike). */
export const TRUST_OPTIONS = `-Djavax.net.ssl.trustStore=${TRUST_STORE} -Djavax.net.ssl.trustStoreType=JKS`;

/** A client pod's volume with only the CA (as ca.crt), never the server's key beside it. */
export function caVolume(ca: CaRef, name: string): Volume {
  return { name, secret: { secretName: ca.name, items: [{ key: ca.key, path: "ca.crt" }] } };
}

/** The init container's script: keytool from the image's own Java, the JDK's CAs when it can read them, then the CA. */
export function trustStoreScript(): string {
  return [
    "set -eu",
    'kt=$(command -v keytool || echo "${JAVA_HOME:-/usr}/bin/keytool")',
    'jre=$(dirname "$(dirname "$(readlink -f "$kt")")")',
    `rm -f ${TRUST_STORE}`,
    "TRUST_STORE_PASSWORD=$(tr -dc a-z0-9 </dev/urandom | head -c 32); export TRUST_STORE_PASSWORD",
    // Said, not silent: without the public CAs only the platform's servers are trusted (Maven downloads fail).
    'copied="no cacerts under $jre"',
    'for c in "$jre/lib/security/cacerts" "$jre/jre/lib/security/cacerts"; do',
    '  [ -f "$c" ] || continue',
    `  if out=$("$kt" -importkeystore -noprompt -srckeystore "$c" -destkeystore ${TRUST_STORE} -deststoretype JKS -deststorepass:env TRUST_STORE_PASSWORD </dev/null 2>&1); then`,
    '    case "$out" in *" 0 entries successfully imported"*) copied="none imported from $c" ;; *) copied=yes ;; esac',
    '  else copied="$c: $out"; fi',
    "  break",
    "done",
    `[ "$copied" = yes ] || echo "trust-store: the JDK's public CAs were not copied ($copied): only the platform CA is trusted" >&2`,
    `"$kt" -importcert -noprompt -alias platform-ca -file ${CA_FILE} -keystore ${TRUST_STORE} -storetype JKS -storepass:env TRUST_STORE_PASSWORD`,
  ].join("\n");
}

/** What a pod adds so its JVMs trust a CA; all empty when there is none to trust (plain HTTP). */
export interface JvmTrust {
  initContainers: Container[];
  volumes: Volume[];
  /** For each container whose JVM connects. */
  mounts: VolumeMount[];
  /** JAVA_TOOL_OPTIONS' part (or another JVM options variable's), to join with any the container has. */
  javaOptions?: string;
}

/** The pieces a pod adds so its JVMs trust `ca`; `image` is the pod's own (its keytool). */
export function jvmTrust(ca: CaRef | undefined, image: string): JvmTrust {
  if (!ca) return { initContainers: [], volumes: [], mounts: [] };
  return {
    initContainers: [
      container({
        name: "trust-store",
        image,
        command: ["/bin/sh", "-c", trustStoreScript()],
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        volumeMounts: [
          { name: "platform-ca", mountPath: CA_DIR, readOnly: true },
          { name: "platform-trust", mountPath: TRUST_DIR },
        ],
      }),
    ],
    volumes: [caVolume(ca, "platform-ca"), scratchVolume("platform-trust", "16Mi")],
    mounts: [{ name: "platform-trust", mountPath: TRUST_DIR, readOnly: true }],
    javaOptions: TRUST_OPTIONS,
  };
}

/** JAVA_TOOL_OPTIONS of a container: its own options and the trust's, or none. */
export function javaToolOptions(...parts: (string | undefined)[]) {
  const value = parts.filter(Boolean).join(" ");
  return value ? [{ name: "JAVA_TOOL_OPTIONS", value }] : [];
}

/** A pod's init containers field, absent without a CA (a plaintext pod's spec stays as it was). */
export function trustInit(trust: JvmTrust): { initContainers?: Container[] } {
  return trust.initContainers.length ? { initContainers: trust.initContainers } : {};
}
