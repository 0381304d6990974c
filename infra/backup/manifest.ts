/**
 * A backup directory (npm run backup): backup.json says what is in it, written last, so a directory
 * without it is an unfinished backup.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ConfigError } from "../config/load";
import { unseal } from "./sealed";
import { type SavedSecret, savedSecretSchema } from "./secrets";
import type { SnapshotRecord } from "./snapshots";
import { type Inventory, readInventory } from "./volumes";

export const BACKUP_KIND = "dataplatform.backup/v1";
export const FILES = { manifest: "backup.json", state: "state.json", volumes: "volumes.json", secrets: "secrets.sealed.json" } as const;
export const stackFileName = (stack: string) => `Pulumi.${stack}.yaml`;

const shapeSchema = z.strictObject({
  storageClassName: z.string().optional(),
  accessModes: z.array(z.string()),
  storage: z.string(),
  volumeMode: z.string().optional(),
  labels: z.record(z.string(), z.string()),
});
const snapshotSchema = z.strictObject({
  claim: z.string(),
  snapshot: z.string(),
  content: z.string(),
  driver: z.string(),
  snapshotHandle: z.string(),
  snapshotClass: z.string(),
  shape: shapeSchema,
});

export const manifestSchema = z.strictObject({
  kind: z.literal(BACKUP_KIND),
  stack: z.string(),
  namespace: z.string(),
  takenAt: z.string(),
  /** The pinned cluster IDs the volumes are formatted for. */
  identities: z.record(z.string(), z.string()),
  namespaceMetadata: z.strictObject({ labels: z.record(z.string(), z.string()), annotations: z.record(z.string(), z.string()) }),
  /** False when the stack's state could not be exported (the backup says so rather than failing whole). */
  state: z.boolean(),
  snapshots: z.strictObject({ skipped: z.string().optional(), records: z.array(snapshotSchema) }),
});
export type Manifest = z.infer<typeof manifestSchema> & { snapshots: { records: SnapshotRecord[] } };

export interface Backup {
  dir: string;
  manifest: Manifest;
  inventory: Inventory;
  stackFile: string;
  /** The stack's state export, as `pulumi stack export` wrote it (secrets still encrypted). */
  state?: unknown;
  readSecrets(passphrase: string): SavedSecret[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError([`${file}: ${(e as Error).message}`]);
  }
}

/** A finished backup directory, checked file by file. */
export function readBackup(dir: string): Backup {
  const manifestFile = path.join(dir, FILES.manifest);
  if (!fs.existsSync(manifestFile)) {
    throw new ConfigError([`${dir}: no ${FILES.manifest}: not a backup directory of npm run backup (or the backup did not finish)`]);
  }
  const parsed = manifestSchema.safeParse(readJson(manifestFile));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${manifestFile}: ${i.path.join(".") || "(file)"}: ${i.message}; expected the backup.json npm run backup writes`),
    );
  }
  const manifest = parsed.data;
  const secretsFile = path.join(dir, FILES.secrets);
  const sealed = readJson(secretsFile);
  return {
    dir,
    manifest,
    inventory: readInventory(path.join(dir, FILES.volumes)),
    stackFile: path.join(dir, stackFileName(manifest.stack)),
    state: manifest.state ? readJson(path.join(dir, FILES.state)) : undefined,
    readSecrets(passphrase) {
      const saved = z.array(savedSecretSchema).safeParse(JSON.parse(unseal(sealed, passphrase, secretsFile)));
      if (!saved.success) throw new ConfigError([`${secretsFile}: ${saved.error.issues[0].message}`]);
      return saved.data;
    },
  };
}
