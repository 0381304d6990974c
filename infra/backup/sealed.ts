/**
 * Backup files that hold secret values, sealed under the stack's passphrase (the one Pulumi encrypts
 * the stack's secrets with): scrypt derives the key, AES-256-GCM encrypts and authenticates.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { z } from "zod";
import { ConfigError } from "../config/load";

export const SEALED_KIND = "dataplatform.sealed/v1";
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

const sealedSchema = z.strictObject({
  kind: z.literal(SEALED_KIND),
  kdf: z.literal("scrypt"),
  salt: z.base64(),
  iv: z.base64(),
  tag: z.base64(),
  data: z.base64(),
});
export type Sealed = z.infer<typeof sealedSchema>;

const keyOf = (passphrase: string, salt: Buffer) => scryptSync(passphrase, salt, 32, SCRYPT);

export function seal(plain: string, passphrase: string): Sealed {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(passphrase, salt), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const b64 = (b: Buffer) => b.toString("base64");
  return { kind: SEALED_KIND, kdf: "scrypt", salt: b64(salt), iv: b64(iv), tag: b64(cipher.getAuthTag()), data: b64(data) };
}

/** The sealed text of `file`; a wrong passphrase or an altered file is one ConfigError naming it. */
export function unseal(raw: unknown, passphrase: string, file: string): string {
  const parsed = sealedSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError([`${file}: not a sealed backup file (${parsed.error.issues[0].path.join(".") || "kind"}: ${parsed.error.issues[0].message})`]);
  const s = parsed.data;
  const decipher = createDecipheriv("aes-256-gcm", keyOf(passphrase, Buffer.from(s.salt, "base64")), Buffer.from(s.iv, "base64"));
  decipher.setAuthTag(Buffer.from(s.tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(s.data, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new ConfigError([
      `${file}: cannot be opened with this passphrase: set PULUMI_CONFIG_PASSPHRASE to the stack's passphrase at backup time (or the file was altered)`,
    ]);
  }
}

/** The stack's passphrase as Pulumi reads it: PULUMI_CONFIG_PASSPHRASE (even empty), or the file PULUMI_CONFIG_PASSPHRASE_FILE names. */
export function stackPassphrase(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (file) {
    try {
      return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new ConfigError([`PULUMI_CONFIG_PASSPHRASE_FILE=${file}: ${(e as Error).message}`]);
    }
  }
  throw new ConfigError([
    "the backup's Secrets are sealed under the stack's passphrase: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) as for pulumi up",
  ]);
}

/**
 * Whether `passphrase` opens the stack file's `encryptionsalt` the way Pulumi's passphrase secrets
 * provider checks it (PBKDF2-SHA256, 1,000,000 rounds, AES-256-GCM of the word "pulumi"). A stack
 * file without one (another secrets provider) is not judged here.
 */
export function opensStack(stackFile: string, passphrase: string): boolean | undefined {
  const salt = YAML.parse(fs.readFileSync(stackFile, "utf8"))?.encryptionsalt;
  const m = typeof salt === "string" ? /^v1:([^:]+):v1:([^:]+):([^:]+)$/.exec(salt) : null;
  if (!m) return undefined;
  const key = pbkdf2Sync(passphrase, Buffer.from(m[1], "base64"), 1_000_000, 32, "sha256");
  const sealed = Buffer.from(m[3], "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(m[2], "base64"));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8") === "pulumi";
  } catch {
    return false;
  }
}

/** The stack's passphrase, checked against its stack file: a wrong one stops a backup or restore before it writes anything. */
export function checkedPassphrase(stackFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const passphrase = stackPassphrase(env);
  if (opensStack(stackFile, passphrase) === false) {
    throw new ConfigError([
      `${stackFile}: the passphrase in ${env.PULUMI_CONFIG_PASSPHRASE !== undefined ? "PULUMI_CONFIG_PASSPHRASE" : "PULUMI_CONFIG_PASSPHRASE_FILE"} is not this stack's (its encryptionsalt does not open): set the one pulumi up uses`,
    ]);
  }
  return passphrase;
}
