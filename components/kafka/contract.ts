/** What Kafka's clients get: the bootstrap address and access to the brokers. */
import { type KafkaCluster, servedBy } from "../kit/contracts";
import type { KafkaConfig } from "./config";
import { bootstrapServers, BROKER, CLIENT_PORT } from "./spec";
import { clientSecret } from "./tls";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function kafkaCluster(cfg: KafkaConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): KafkaCluster {
  return {
    bootstrapServers: bootstrapServers(ns, domain),
    clusterId: cfg.clusterId,
    access: servedBy(BROKER, [CLIENT_PORT]),
    ...(cfg.security === "tls" ? { clientTls: clientSecret } : {}),
  };
}
