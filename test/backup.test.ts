/**
 * npm run backup and npm run restore: what they refuse before touching a cluster or the state, the
 * sealing of Secrets, the choice of snapshot class, and an unreachable cluster. The commands run
 * against a real control plane in test/e2e/disaster-recovery.e2e.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BACKUP_KIND, FILES } from "../infra/backup/manifest";
import { checkedPassphrase, opensStack, seal, stackPassphrase, unseal } from "../infra/backup/sealed";
import { classFor } from "../infra/backup/snapshots";
import { INVENTORY_KIND } from "../infra/backup/volumes";
import { EXIT as BACKUP_EXIT, main as backup, stampOf } from "../tools/backup";
import { main as restore, EXIT as RESTORE_EXIT } from "../tools/restore";
import { configProblems, unreachableStackDir } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const PASSPHRASE = "unit-test-passphrase";

async function run(tool: typeof backup, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tool(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("sealed backup files", () => {
  it("open with the passphrase they were sealed under, and with no other", () => {
    const sealed = seal('{"password":"s3cret"}', PASSPHRASE);
    expect(JSON.stringify(sealed)).not.toMatch(/s3cret|czNjcmV0/);
    expect(unseal(sealed, PASSPHRASE, "b/secrets.sealed.json")).toBe('{"password":"s3cret"}');
    expect(configProblems(() => unseal(sealed, "another", "b/secrets.sealed.json"))).toEqual([
      expect.stringMatching(/^b\/secrets\.sealed\.json: cannot be opened with this passphrase: set PULUMI_CONFIG_PASSPHRASE/),
    ]);
    const altered = { ...sealed, data: Buffer.from("x".repeat(21)).toString("base64") };
    expect(configProblems(() => unseal(altered, PASSPHRASE, "f"))[0]).toMatch(/^f: cannot be opened/);
    expect(configProblems(() => unseal({ kind: "other" }, PASSPHRASE, "f"))[0]).toMatch(/^f: not a sealed backup file/);
  });

  it("take the stack's passphrase as Pulumi does, and say how to set it when missing", () => {
    expect(stackPassphrase({ PULUMI_CONFIG_PASSPHRASE: "p" })).toBe("p");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dp-pass-")), "passphrase");
    fs.writeFileSync(file, "from-file\n");
    expect(stackPassphrase({ PULUMI_CONFIG_PASSPHRASE_FILE: file })).toBe("from-file");
    expect(configProblems(() => stackPassphrase({}))[0]).toMatch(/set PULUMI_CONFIG_PASSPHRASE \(or PULUMI_CONFIG_PASSPHRASE_FILE\)/);
    expect(configProblems(() => stackPassphrase({ PULUMI_CONFIG_PASSPHRASE_FILE: `${file}.missing` }))[0]).toMatch(
      /^PULUMI_CONFIG_PASSPHRASE_FILE=.*missing: ENOENT/,
    );
    // Pulumi takes an empty passphrase when the variable is set: so does the backup.
    expect(stackPassphrase({ PULUMI_CONFIG_PASSPHRASE: "" })).toBe("");
  });

  it("check the passphrase against the stack file's encryptionsalt, as Pulumi does, before anything is written", () => {
    // Written by `pulumi stack init` (Pulumi 3) with the passphrase "good".
    const stackFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dp-salt-")), "Pulumi.dev.yaml");
    fs.writeFileSync(stackFile, "encryptionsalt: v1:CXx6a4Xcm2Y=:v1:lXT7/R1SxWu6EHAE:BfXwu82YG5nnf4I8AXfVJYEOwf3QtQ==\n");
    expect(opensStack(stackFile, "good")).toBe(true);
    expect(opensStack(stackFile, "bad")).toBe(false);
    expect(checkedPassphrase(stackFile, { PULUMI_CONFIG_PASSPHRASE: "good" })).toBe("good");
    expect(configProblems(() => checkedPassphrase(stackFile, { PULUMI_CONFIG_PASSPHRASE: "bad" }))).toEqual([
      `${stackFile}: the passphrase in PULUMI_CONFIG_PASSPHRASE is not this stack's (its encryptionsalt does not open): set the one pulumi up uses`,
    ]);
    // Another secrets provider (no encryptionsalt): not judged here.
    fs.writeFileSync(stackFile, "secretsprovider: awskms://alias/x\n");
    expect(opensStack(stackFile, "any")).toBeUndefined();
  });
});

describe("snapshot class of a volume's driver", () => {
  const cls = (name: string, driver: string, isDefault = false) => ({
    metadata: { name, annotations: (isDefault ? { "snapshot.storage.kubernetes.io/is-default-class": "true" } : {}) as Record<string, string> },
    driver,
  });
  it("is the driver's default class, else its only one; none or an ambiguous choice is said", () => {
    expect(classFor([cls("a", "d1"), cls("b", "d2")], "d2")).toMatchObject({ metadata: { name: "b" } });
    expect(classFor([cls("a", "d1"), cls("b", "d1", true)], "d1")).toMatchObject({ metadata: { name: "b" } });
    expect(classFor([cls("a", "d1")], "d9")).toBe("no VolumeSnapshotClass has driver d9");
    expect(classFor([cls("b", "d1"), cls("a", "d1")], "d1")).toMatch(/^VolumeSnapshotClasses a, b have driver d1 and none is marked/);
  });
  it("names snapshots with a stamp that is a valid object name", () => {
    expect(stampOf(new Date("2026-12-05T23:15:00.123Z"))).toBe("20261205-231500");
  });
});

describe("npm run backup and npm run restore refuse bad input before touching anything", () => {
  const { dir, stackFile } = unreachableStackDir("dp-backup-", "prod");
  const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
  beforeEach(() => {
    process.env.PULUMI_CONFIG_PASSPHRASE = PASSPHRASE;
  });
  afterAll(() => {
    process.env.PULUMI_CONFIG_PASSPHRASE = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A backup directory as npm run backup writes it, with `change` applied to its manifest. */
  const backupDir = (change: (m: Record<string, unknown>) => void = () => undefined, passphrase = PASSPHRASE) => {
    const b = fs.mkdtempSync(path.join(dir, "b-"));
    const manifest: Record<string, unknown> = {
      kind: BACKUP_KIND,
      stack: "prod",
      namespace: "data-platform",
      takenAt: "2026-12-05T00:00:00Z",
      identities: { kafkaClusterId: stackFile.config["dataplatform:kafka"].clusterId, hdfsClusterId: stackFile.config["dataplatform:hdfs"].clusterId },
      namespaceMetadata: { labels: {}, annotations: {} },
      state: false,
      snapshots: { skipped: "the cluster offers no VolumeSnapshot API", records: [] },
    };
    change(manifest);
    fs.writeFileSync(path.join(b, FILES.manifest), JSON.stringify(manifest));
    fs.writeFileSync(
      path.join(b, FILES.volumes),
      JSON.stringify({ kind: INVENTORY_KIND, stack: "prod", namespace: "data-platform", exportedAt: "x", volumes: [] }),
    );
    fs.writeFileSync(path.join(b, FILES.secrets), JSON.stringify(seal("[]", passphrase)));
    fs.copyFileSync(path.join(dir, "Pulumi.prod.yaml"), path.join(b, "Pulumi.prod.yaml"));
    return b;
  };

  it("backup: a missing stack or --out, a bad --wait, a used --out, no passphrase", async () => {
    expect(await run(backup, ["--out", "x"])).toMatchObject({
      code: BACKUP_EXIT.invalid,
      err: expect.stringMatching(/^--stack is required\nusage: npm run backup/),
    });
    expect(await run(backup, ["--stack", "prod"])).toMatchObject({ code: BACKUP_EXIT.invalid, err: expect.stringMatching(/^--out is required/) });
    expect(await run(backup, ["--stack", "prod", "--out", "x", "--wait", "soon"])).toMatchObject({
      err: expect.stringMatching(/^--wait soon: must be a whole number/),
    });
    const used = fs.mkdtempSync(path.join(dir, "used-"));
    fs.writeFileSync(path.join(used, "file"), "");
    expect(await run(backup, ["--stack", "prod", "--dir", dir, "--out", used])).toMatchObject({
      code: BACKUP_EXIT.invalid,
      err: `--out ${used}: exists and is not empty; a backup is written into a new directory`,
    });
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    expect(await run(backup, ["--stack", "prod", "--dir", dir, "--out", path.join(dir, "new")])).toMatchObject({
      code: BACKUP_EXIT.invalid,
      err: expect.stringMatching(/sealed under the stack's passphrase: set PULUMI_CONFIG_PASSPHRASE/),
    });
    expect(fs.existsSync(path.join(dir, "new"))).toBe(false);
    expect(await run(backup, ["--stack", "prod", "--dir", path.join(dir, "nowhere"), "--out", path.join(dir, "new")])).toMatchObject({
      code: BACKUP_EXIT.invalid,
      err: `--dir ${path.join(dir, "nowhere")}: no such directory (the one holding Pulumi.prod.yaml)`,
    });
  });

  it("backup: an unreachable cluster is one line, exit 3, and no backup directory", () => {
    // As `npm run backup` runs it: ts-node in Node itself, which loads the client's ES modules.
    const out = path.join(dir, "unreachable");
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "tools/backup.ts", "--stack", "prod", "--dir", dir, "--out", out],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE },
      },
    );
    expect(r.status).toBe(BACKUP_EXIT.unreachable);
    expect(r.stderr).toMatch(/^cannot reach the cluster at https:\/\/127\.0\.0\.1:9: [^\n]+\n$/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("restore: a missing stack or --from, a bad --volumes, a directory that is no backup", async () => {
    expect(await run(restore, ["--from", "x"])).toMatchObject({
      code: RESTORE_EXIT.invalid,
      err: expect.stringMatching(/^--stack is required\nusage: npm run restore/),
    });
    expect(await run(restore, ["--stack", "prod"])).toMatchObject({ err: expect.stringMatching(/^--from is required/) });
    expect(await run(restore, ["--stack", "prod", "--from", "x", "--volumes", "disks"])).toMatchObject({
      err: expect.stringMatching(/^--volumes disks: allowed: retained, snapshots/),
    });
    expect(await run(restore, ["--stack", "prod", "--dir", dir, "--from", dir])).toMatchObject({
      code: RESTORE_EXIT.invalid,
      err: `${dir}: no backup.json: not a backup directory of npm run backup (or the backup did not finish)`,
    });
    const broken = backupDir((m) => {
      m.kind = "other";
    });
    expect((await run(restore, ["--stack", "prod", "--dir", dir, "--from", broken])).err).toMatch(
      new RegExp(`^${broken}/backup.json: kind: .*expected the backup.json npm run backup writes`),
    );
  });

  it("restore: another stack's backup, other pinned IDs, no snapshots to restore from, a wrong passphrase", async () => {
    const other = backupDir((m) => {
      m.stack = "staging";
    });
    expect((await run(restore, ["--stack", "prod", "--dir", dir, "--from", other])).err).toBe(`${other}: a backup of stack staging, not prod`);
    const ids = backupDir((m) => {
      m.identities = { kafkaClusterId: "AAAAAAAAAAAAAAAAAAAAAA" };
    });
    expect(await run(restore, ["--stack", "prod", "--dir", dir, "--from", ids])).toMatchObject({
      code: RESTORE_EXIT.invalid,
      err: `Pulumi.prod.yaml: kafkaClusterId is ${stackFile.config["dataplatform:kafka"].clusterId}, but the backup's volumes are formatted for AAAAAAAAAAAAAAAAAAAAAA: pin it back`,
    });
    const plain = backupDir();
    expect((await run(restore, ["--stack", "prod", "--dir", dir, "--from", plain, "--volumes", "snapshots"])).err).toBe(
      `${plain}: --volumes snapshots, but the backup took none: the cluster offers no VolumeSnapshot API`,
    );
    expect((await run(restore, ["--stack", "prod", "--dir", dir, "--from", plain, "--claim", "data-mysql-0"])).err).toBe(
      "--claim data-mysql-0: the backup has no volume of it; allowed: none",
    );
    const foreign = backupDir(undefined, "another passphrase");
    expect((await run(restore, ["--stack", "prod", "--dir", dir, "--from", foreign])).err).toMatch(
      new RegExp(`^${foreign}/secrets.sealed.json: cannot be opened with this passphrase`),
    );
  });

  it("restore: a lost stack file is not copied back while the backup fails its checks (the DR drill proves the copy)", async () => {
    const lost = fs.mkdtempSync(path.join(dir, "lost-"));
    const b = backupDir((m) => {
      m.identities = { kafkaClusterId: "AAAAAAAAAAAAAAAAAAAAAA" };
    });
    const r = await run(restore, ["--stack", "prod", "--dir", lost, "--from", b]);
    expect(r).toMatchObject({ code: RESTORE_EXIT.invalid, out: "" });
    expect(r.err).toMatch(/^Pulumi\.prod\.yaml: kafkaClusterId is .*, but the backup's volumes are formatted for AAAAAAAAAAAAAAAAAAAAAA: pin it back$/);
    expect(fs.existsSync(path.join(lost, "Pulumi.prod.yaml"))).toBe(false);
  });
});
