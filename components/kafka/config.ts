import { z } from "zod";
import { checkJvmFits, count, heapPercent, image, jvmReads, reads, resources, storage, ruleIssue, roleFields } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

export const KAFKA_SECURITY = ["plaintext", "tls"] as const;
export const KAFKA_IMAGE = "apache/kafka:4.1.1";
/** Topics the pipeline needs; more may be added per environment. */
export const REQUIRED_TOPICS = ["orders", "customers", "products"] as const;

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, { error: "is not a valid topic name: use 1 to 249 letters, digits, '.', '_' and '-'" });

export const topicConfig = z.strictObject({
  partitions: count(10000),
  /** Omitted: kafka.replicationFactor. */
  replicationFactor: count(100).optional(),
  retentionHours: count(100000).optional(),
});

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { broker: ["server.properties"], controller: ["server.properties"], topics: [] };

export const kafkaConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    /** Pinned per stack: brokers refuse volumes formatted for another cluster ID. */
    clusterId: z.string({ error: "is required: pin a 22-character cluster ID per stack (see README, 'Kafka cluster ID')" }).regex(/^[A-Za-z0-9_-]{22}$/, {
      error: "must be 22 characters of base64url (16 random bytes), e.g. from `openssl rand -base64 16 | tr '+/' '-_' | cut -c1-22`",
    }),
    /**
     * plaintext: no encryption, no authentication (development). tls: TLS on every listener,
     * certificates from cert-manager, each client authenticated by its own certificate and limited by
     * ACLs (components/kafka/tls.ts); needs the environment's `certificates` section.
     */
    security: z.enum(KAFKA_SECURITY, { error: `must be one of: ${KAFKA_SECURITY.join(", ")}` }).default("plaintext"),
    brokers: count(100),
    replicationFactor: count(100),
    minInsyncReplicas: count(100),
    topics: z.record(topicName, topicConfig),
    image: image.default(KAFKA_IMAGE),
    heapPercent: heapPercent.default(50),
    resources,
    storage,
    controllers: z.strictObject(roleFields({ replicas: { max: 9 }, heap: 50, storage: true })),
  })
  .superRefine(
    (k, ctx) => {
      if (k.replicationFactor > k.brokers) {
        ruleIssue(ctx, ["replicationFactor"], `${k.replicationFactor} is more than kafka.brokers (${k.brokers}); allowed: 1 to ${k.brokers}`, [["brokers"]]);
      }
    },
    reads(["replicationFactor"], ["brokers"]),
  )
  .superRefine(
    (k, ctx) => {
      if (k.minInsyncReplicas > k.replicationFactor) {
        ruleIssue(
          ctx,
          ["minInsyncReplicas"],
          `${k.minInsyncReplicas} is more than kafka.replicationFactor (${k.replicationFactor}); allowed: 1 to ${k.replicationFactor}`,
          [["replicationFactor"]],
        );
      }
    },
    reads(["minInsyncReplicas"], ["replicationFactor"]),
  )
  .superRefine(
    (k, ctx) => {
      for (const required of REQUIRED_TOPICS) {
        if (!k.topics[required]) {
          ruleIssue(ctx, ["topics", required], `is required: the pipeline reads and writes topic "${required}"`);
        }
      }
    },
    reads(["topics"]),
  )
  .superRefine(
    (k, ctx) => {
      for (const [name, topic] of Object.entries(k.topics)) {
        const rf = topic.replicationFactor;
        if (rf === undefined) continue;
        if (rf > k.brokers) {
          ruleIssue(ctx, ["topics", name, "replicationFactor"], `${rf} is more than kafka.brokers (${k.brokers}); allowed: 1 to ${k.brokers}`);
        }
        if (k.minInsyncReplicas > rf) {
          ruleIssue(
            ctx,
            ["topics", name, "replicationFactor"],
            `${rf} is less than kafka.minInsyncReplicas (${k.minInsyncReplicas}); no write could ever be acknowledged`,
          );
        }
      }
    },
    reads(["topics"], ["brokers"], ["minInsyncReplicas"]),
  )
  .superRefine(
    (k, ctx) => {
      if (k.controllers.replicas % 2 === 0) {
        ruleIssue(ctx, ["controllers", "replicas"], `${k.controllers.replicas} is even; the KRaft quorum needs an odd size (1, 3, 5)`);
      }
    },
    reads(["controllers", "replicas"]),
  )
  .superRefine((k, ctx) => checkJvmFits(ctx, [], k), jvmReads([]))
  .superRefine((k, ctx) => checkJvmFits(ctx, ["controllers"], k.controllers), jvmReads(["controllers"]));
export type KafkaConfig = z.infer<typeof kafkaConfig>;
export type TopicConfig = z.infer<typeof topicConfig>;
