/** HDFS: NameNode (or an HA pair with JournalNodes), DataNodes, block size and replication. */
import { z } from "zod";
import { checkJvmFits, count, image, jvmReads, reads, ruleIssue, roleFields } from "../kit/sizing";
import { HADOOP_IMAGE } from "../kit/hadoop";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/** The official Apache Hadoop image: HDFS and YARN daemons. */
export { HADOOP_IMAGE };

const SITE = ["core-site.xml", "hdfs-site.xml"];
/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { namenode: SITE, journalnode: SITE, datanode: SITE, directories: SITE };

export const hdfsConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    /** Pinned per stack: the NameNode formats once with it, so DataNodes' kept volumes stay valid. */
    clusterId: z
      .string({ error: "is required: pin an HDFS cluster ID per stack (see README, 'Pinned identities')" })
      .regex(/^CID-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: "must look like CID-<uuid>, e.g. CID-$(uuidgen | tr A-Z a-z)" }),
    image: image.default(HADOOP_IMAGE),
    /**
     * tls: the daemons' web endpoints (UIs, WebHDFS, JMX, and the edits and images the NameNodes and
     * JournalNodes fetch from each other) serve HTTPS only. RPC and block transfer stay as they are:
     * without Kerberos, Hadoop's SASL protection has no one to authenticate (README: Security).
     */
    security: z.enum(["plaintext", "tls"], { error: 'must be "plaintext" or "tls"' }).default("plaintext"),
    /** dfs.replication: copies of each block. */
    replication: count(10),
    /** dfs.blocksize in MiB. */
    blockSizeMb: z
      .number({ error: "must be a whole number of MiB" })
      .int({ error: "must be a whole number of MiB" })
      .min(1, { error: "must be at least 1" })
      .max(2048, { error: "must be at most 2048" })
      .default(128),
    /** Two NameNodes sharing edits through JournalNodes, failing over through ZooKeeper. */
    highAvailability: z.boolean({ error: "must be true or false" }).default(false),
    nameNode: z.strictObject(roleFields({ heap: 70, storage: true })),
    journalNodes: z.strictObject(roleFields({ replicas: { max: 9, default: 3 }, heap: 50, storage: true })).optional(),
    dataNodes: z.strictObject({
      ...roleFields({ replicas: { max: 500 }, heap: 50, storage: true }),
      /** How long a scale-down waits for the removed DataNodes' blocks to be copied elsewhere. */
      decommissionTimeoutMinutes: z
        .number({ error: "must be a whole number of minutes" })
        .int({ error: "must be a whole number of minutes" })
        .min(1, { error: "must be at least 1" })
        .max(1440, { error: "must be at most 1440 (a day)" })
        .default(60),
    }),
  })
  .superRefine(
    (h, ctx) => {
      if (h.replication > h.dataNodes.replicas) {
        ruleIssue(
          ctx,
          ["replication"],
          `${h.replication} is more than hdfs.dataNodes.replicas (${h.dataNodes.replicas}); blocks could never be fully replicated`,
          [["dataNodes", "replicas"]],
        );
      }
    },
    reads(["replication"], ["dataNodes", "replicas"]),
  )
  .superRefine(
    (h, ctx) => {
      if (h.highAvailability && !h.journalNodes) {
        ruleIssue(ctx, ["journalNodes"], "is required when highAvailability is true: the NameNodes share their edits through JournalNodes", [
          ["highAvailability"],
        ]);
      }
      if (h.journalNodes && (h.journalNodes.replicas < 3 || h.journalNodes.replicas % 2 === 0)) {
        ruleIssue(
          ctx,
          ["journalNodes", "replicas"],
          `${h.journalNodes.replicas} JournalNodes cannot keep a majority through a loss; use an odd number of at least 3`,
        );
      }
    },
    reads(["highAvailability"], ["journalNodes"]),
  )
  .superRefine((h, ctx) => checkJvmFits(ctx, ["nameNode"], h.nameNode), jvmReads(["nameNode"]))
  .superRefine((h, ctx) => h.journalNodes && checkJvmFits(ctx, ["journalNodes"], h.journalNodes), jvmReads(["journalNodes"]))
  .superRefine((h, ctx) => checkJvmFits(ctx, ["dataNodes"], h.dataNodes), jvmReads(["dataNodes"]));
export type HdfsConfig = z.infer<typeof hdfsConfig>;
