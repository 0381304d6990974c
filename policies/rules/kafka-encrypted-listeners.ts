import { resourcePolicy } from "../lib/define";
import { containersOf, kindOf, parseProperties, podSpecOf } from "../lib/objects";

/** Protocols that carry records (and SASL passwords) in clear. */
const PLAINTEXT = new Set(["PLAINTEXT", "SASL_PLAINTEXT"]);

/**
 * The listeners a Kafka node's settings leave in clear: each name whose protocol (from the
 * protocol map, or the name itself when it is a protocol) is PLAINTEXT or SASL_PLAINTEXT.
 */
export function plaintextListeners(listeners: string | undefined, protocolMap: string | undefined): string[] {
  const map = new Map(
    (protocolMap ?? "")
      .split(",")
      .map((e) => e.split(":").map((s) => s.trim()))
      .filter((e) => e.length === 2 && e[0]) as [string, string][],
  );
  const names = new Set([
    ...(listeners ?? "")
      .split(",")
      .map((l) => l.split("://")[0].trim())
      .filter(Boolean),
    ...map.keys(),
  ]);
  return [...names].filter((name) => PLAINTEXT.has((map.get(name) ?? name).toUpperCase())).sort();
}

export const kafkaEncryptedListeners = resourcePolicy(
  {
    name: "kafka-encrypted-listeners",
    description: "Kafka nodes speak TLS on every listener (SSL or SASL_SSL): no PLAINTEXT or SASL_PLAINTEXT listener, between nodes or for clients.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set kafka.security: tls in the environment (and certificates.issuer); see README 'Security'.",
  },
  (args, report) => {
    if (kindOf(args.type) === "ConfigMap") {
      for (const [file, text] of Object.entries<string>(args.props?.data ?? {})) {
        if (!file.endsWith("server.properties") || typeof text !== "string") continue;
        const p = parseProperties(text);
        if (!p["process.roles"] && !p.listeners) continue;
        const clear = plaintextListeners(p.listeners ?? "PLAINTEXT://:9092", p["listener.security.protocol.map"]);
        if (clear.length) report(`${file}: listeners ${clear.join(", ")} are not encrypted`);
      }
    }
    // Other charts configure Kafka through KAFKA_* / KAFKA_CFG_* variables.
    const pod = podSpecOf(args.type, args.props);
    for (const { container, where } of pod ? containersOf(pod) : []) {
      const env = new Map<string, string>((container?.env ?? []).filter((e: any) => e?.value !== undefined).map((e: any) => [e.name, String(e.value)]));
      const get = (key: string) => env.get(`KAFKA_CFG_${key}`) ?? env.get(`KAFKA_${key}`);
      const listeners = get("LISTENERS");
      const map = get("LISTENER_SECURITY_PROTOCOL_MAP");
      if (listeners === undefined && map === undefined) continue;
      const clear = plaintextListeners(listeners, map);
      if (clear.length) report(`${where}: listeners ${clear.join(", ")} are not encrypted`);
    }
  },
);
