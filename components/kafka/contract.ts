/** What Kafka's clients get: the bootstrap address and access to the brokers. */
import { type KafkaCluster, servedBy } from "../kit/contracts";
import type { KafkaConfig } from "./config";
import { bootstrapServers, BROKER, CLIENT_PORT } from "./spec";

export function kafkaCluster(cfg: KafkaConfig, ns: string): KafkaCluster {
  return { bootstrapServers: bootstrapServers(ns), clusterId: cfg.clusterId, access: servedBy(BROKER, [CLIENT_PORT]) };
}
