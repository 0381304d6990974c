/**
 * Where a credential lives: a Secret and, for each key name the platform's pods use, the key of that
 * Secret that holds the value. Owners (MinIO, MySQL, Airflow) publish one; consumers only read it.
 */
export interface SecretRef<K extends string = string> {
  name: string;
  keys: Record<K, string>;
}

/** A credential's default Secret: the name the generated mode writes, and the key names pods read. */
export interface CredentialSecret<K extends string = string> {
  secret: string;
  keys: readonly K[];
  /** Keys a vendor chart reads by their own name: an existing Secret must use these names. */
  fixedKeys?: readonly K[];
}

/** The generated Secret: every key under its own name. */
export function defaultRef<K extends string>(c: CredentialSecret<K>): SecretRef<K> {
  return { name: c.secret, keys: Object.fromEntries(c.keys.map((k): [K, string] => [k, k])) as Record<K, string> };
}

/** An environment variable read from the credential's Secret. */
export function secretEnv<K extends string>(env: string, ref: SecretRef<K>, key: K) {
  return { name: env, valueFrom: { secretKeyRef: { name: ref.name, key: ref.keys[key] } } };
}

/** The Secret keys a ref needs to exist, sorted. */
export function requiredKeys(ref: SecretRef): string[] {
  return [...new Set(Object.values<string>(ref.keys))].sort();
}

/** What a credential's owner is told: where its Secret is, and whether the program writes it. */
export interface OwnedCredential<K extends string = string> {
  ref: SecretRef<K>;
  /** The Secret exists already (Vault, External Secrets, a person): nothing is generated or written. */
  existing: boolean;
}
