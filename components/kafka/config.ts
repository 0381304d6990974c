import { z } from "zod";
import { checkJvmFits, count, heapPercent, image, resources, storage, whenFieldsValid } from "../kit/sizing";

export const KAFKA_IMAGE = "apache/kafka:4.1.1";
/** Topics the pipeline needs; more may be added per environment. */
export const REQUIRED_TOPICS = ["orders", "customers", "products"] as const;

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, { error: "topic names use letters, digits, '.', '_' and '-'" });

export const topicConfig = z.strictObject({
  partitions: count(10000),
  /** Omitted: kafka.replicationFactor. */
  replicationFactor: count(100).optional(),
  retentionHours: count(100000).optional(),
});

export const kafkaConfig = z
  .strictObject({
    /** Pinned per stack: brokers refuse volumes formatted for another cluster ID. */
    clusterId: z
      .string({ error: "is required: pin a 22-character cluster ID per stack (see README, 'Kafka cluster ID')" })
      .regex(/^[A-Za-z0-9_-]{22}$/, { error: "must be 22 characters of base64url (16 random bytes), e.g. from `openssl rand -base64 16 | tr '+/' '-_' | cut -c1-22`" }),
    brokers: count(100),
    replicationFactor: count(100),
    minInsyncReplicas: count(100),
    topics: z.record(topicName, topicConfig),
    image: image.default(KAFKA_IMAGE),
    heapPercent: heapPercent.default(50),
    resources,
    storage,
    controllers: z.strictObject({
      replicas: count(9),
      heapPercent: heapPercent.default(50),
      resources,
      storage,
    }),
  })
  .superRefine((k, ctx) => {
    if (k.replicationFactor > k.brokers) {
      ctx.addIssue({ code: "custom", path: ["replicationFactor"], message: `${k.replicationFactor} is more than kafka.brokers (${k.brokers}); allowed: 1 to ${k.brokers}` });
    }
    if (k.minInsyncReplicas > k.replicationFactor) {
      ctx.addIssue({ code: "custom", path: ["minInsyncReplicas"], message: `${k.minInsyncReplicas} is more than kafka.replicationFactor (${k.replicationFactor}); allowed: 1 to ${k.replicationFactor}` });
    }
    for (const required of REQUIRED_TOPICS) {
      if (!k.topics[required]) {
        ctx.addIssue({ code: "custom", path: ["topics", required], message: `is required: the pipeline reads and writes topic "${required}"` });
      }
    }
    for (const [name, topic] of Object.entries(k.topics)) {
      const rf = topic.replicationFactor ?? k.replicationFactor;
      if (topic.replicationFactor !== undefined && rf > k.brokers) {
        ctx.addIssue({ code: "custom", path: ["topics", name, "replicationFactor"], message: `${rf} is more than kafka.brokers (${k.brokers}); allowed: 1 to ${k.brokers}` });
      }
      if (topic.replicationFactor !== undefined && k.minInsyncReplicas > rf) {
        ctx.addIssue({ code: "custom", path: ["topics", name, "replicationFactor"], message: `${rf} is less than kafka.minInsyncReplicas (${k.minInsyncReplicas}); no write could ever be acknowledged` });
      }
    }
    if (k.controllers.replicas > 1 && k.controllers.replicas % 2 === 0) {
      ctx.addIssue({ code: "custom", path: ["controllers", "replicas"], message: `${k.controllers.replicas} is even; the KRaft quorum needs an odd size (1, 3, 5)` });
    }
    checkJvmFits(ctx, [], k);
    checkJvmFits(ctx, ["controllers"], k.controllers);
  }, whenFieldsValid);
export type KafkaConfig = z.infer<typeof kafkaConfig>;
export type TopicConfig = z.infer<typeof topicConfig>;
