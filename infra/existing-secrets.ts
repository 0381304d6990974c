/**
 * Credentials a stack takes from existing Secrets are read from the cluster before anything is
 * registered: a missing Secret or key stops the preview with the setting that asked for it.
 */
import { kubeConfigFor, kubernetesClient, readIfExists } from "./cluster";
import { requiredKeys } from "../components/kit/secret-ref";
import { credentialNeeded, credentialRef, CREDENTIALS, credentialSource } from "./config/engines";
import { ConfigError } from "./config/load";
import type { LoadedPlatform } from "./config/stack";

/** Reads a Secret's key names; undefined when the Secret does not exist. */
export type SecretKeysReader = (namespace: string, name: string) => Promise<string[] | undefined>;

export async function checkExistingSecrets(p: LoadedPlatform, read: SecretKeysReader): Promise<void> {
  const problems: string[] = [];
  for (const credential of CREDENTIALS) {
    if (!credentialNeeded(p.config, credential) || credentialSource(p.config.credentials, credential) !== "existing") continue;
    const ref = credentialRef(p.config.credentials, credential);
    const [secret, keys] = [ref.name, requiredKeys(ref)];
    const setting = p.config.credentials[credential] ? `credentials.${credential}` : "credentials.source";
    const where = `Secret ${p.settings.namespace}/${secret}`;
    let present: string[] | undefined;
    try {
      present = await read(p.settings.namespace, secret);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      problems.push(`${setting}: existing: cannot read ${where}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    if (present === undefined) {
      problems.push(`${setting}: existing: ${where} does not exist; create it with keys ${keys.join(", ")} (or set ${setting}: generated)`);
      continue;
    }
    const missing = keys.filter((k) => !present!.includes(k));
    if (missing.length) problems.push(`${setting}: existing: ${where} lacks keys ${missing.join(", ")}; it must hold ${keys.join(", ")}`);
  }
  if (problems.length) throw new ConfigError(problems);
}

/** The reader for a real run: the stack's kubeconfig and context, as the provider uses them. */
export function clusterSecretReader(settings: LoadedPlatform["settings"], stackFile?: string): SecretKeysReader {
  return async (namespace, name) => {
    const { CoreV1Api } = kubernetesClient();
    const kc = kubeConfigFor(settings, stackFile);
    const secret = await readIfExists(kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace }));
    return secret && Object.keys(secret.data ?? {});
  };
}
