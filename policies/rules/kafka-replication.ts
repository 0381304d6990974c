import { stackPolicy } from "../lib/define";
import { containersOf, kindOf, parseProperties, podSpecOf } from "../lib/objects";

interface Settings {
  minReplicationFactor: number;
  minInsyncReplicas: number;
}

/** Broker settings from server.properties in ConfigMaps and from KAFKA_* / KAFKA_CFG_* env (other charts). */
interface BrokerSettings {
  where: string;
  resource: any;
  rf?: number;
  minIsr?: number;
  offsetsRf?: number;
}

function brokerSettings(resources: any[]): BrokerSettings[] {
  const found: BrokerSettings[] = [];
  for (const r of resources) {
    if (kindOf(r.type) === "ConfigMap") {
      for (const [file, text] of Object.entries<string>(r.props?.data ?? {})) {
        if (!file.endsWith("server.properties") || typeof text !== "string") continue;
        const p = parseProperties(text);
        if (
          (p["process.roles"] ?? "broker")
            .split(",")
            .map((s) => s.trim())
            .includes("broker")
        ) {
          found.push({
            where: `ConfigMap ${r.props?.metadata?.name} ${file}`,
            resource: r,
            rf: Number(p["default.replication.factor"] ?? 1),
            minIsr: Number(p["min.insync.replicas"] ?? 1),
            offsetsRf: Number(p["offsets.topic.replication.factor"] ?? 3),
          });
        }
      }
    }
    const pod = podSpecOf(r.type, r.props);
    for (const { container, where } of pod ? containersOf(pod) : []) {
      const env = new Map<string, string>((container?.env ?? []).filter((e: any) => e?.value !== undefined).map((e: any) => [e.name, String(e.value)]));
      const get = (key: string) => env.get(`KAFKA_${key}`) ?? env.get(`KAFKA_CFG_${key}`);
      const rf = get("DEFAULT_REPLICATION_FACTOR");
      const minIsr = get("MIN_INSYNC_REPLICAS");
      if (rf !== undefined || minIsr !== undefined) {
        found.push({
          where: `${kindOf(r.type)} ${r.props?.metadata?.name} ${where}`,
          resource: r,
          rf: rf === undefined ? undefined : Number(rf),
          minIsr: minIsr === undefined ? undefined : Number(minIsr),
        });
      }
    }
  }
  return found;
}

export const kafkaReplication = stackPolicy<Settings>(
  {
    name: "kafka-replication",
    description:
      "Kafka brokers replicate data: default replication factor and min.insync.replicas at or above the environment's minimums (production: 3 and 2).",
    enforcementLevel: "mandatory",
    config: {
      minReplicationFactor: { type: "integer", minimum: 1, default: 3 },
      minInsyncReplicas: { type: "integer", minimum: 1, default: 2 },
    },
    remediationSteps: "Set kafka.replicationFactor >= 3 and kafka.minInsyncReplicas >= 2 in the environment.",
  },
  (resources, report, config) => {
    const check = (s: BrokerSettings, key: string, value: number | undefined, min: number) => {
      if (value === undefined) return;
      if (!Number.isFinite(value)) report(`${s.where}: ${key} is not a number`, s.resource);
      else if (value < min) report(`${s.where}: ${key} ${value} is below ${min}`, s.resource);
    };
    for (const s of brokerSettings(resources)) {
      check(s, "default.replication.factor", s.rf, config.minReplicationFactor);
      check(s, "min.insync.replicas", s.minIsr, config.minInsyncReplicas);
      check(s, "offsets.topic.replication.factor", s.offsetsRf, config.minReplicationFactor);
      if (s.rf !== undefined && s.minIsr !== undefined && s.minIsr > s.rf) {
        report(`${s.where}: min.insync.replicas ${s.minIsr} is above default.replication.factor ${s.rf}: no write could be acknowledged`, s.resource);
      }
    }
  },
);
