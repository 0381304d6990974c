/**
 * Kafka's TLS mode (kafka.security: tls), as Strimzi secures a cluster: every listener speaks TLS and
 * every peer shows a certificate from the platform's CA. Controllers (9093) and the replication
 * listener (9091: brokers, the topics Job, tools run in a broker) admit the cluster's own
 * identities, which are super users; the client listener (9092) admits each client by its own
 * certificate, its principal the certificate's CN, and the ACLs give each only what it needs.
 */
import { certificate, type CertificatesConfig } from "../kit/certificates";
import type { Manifest, Workload } from "../kit";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import type { KafkaConfig } from "./config";

export const REPLICATION_PORT = 9091;
/** Where a pod mounts its certificate's Secret, and where the start script writes what Java reads. */
export const CERT_DIR = "/certs";
export const TLS_DIR = "/tmp/tls";
/** Client settings for Kafka's tools run in a node or the topics Job: TLS as the node's own identity. */
export const TOOL_CONFIG = `${TLS_DIR}/client.properties`;

/** The cluster's own identities: CN of the controllers', brokers' and topics Job's certificates. */
export const IDENTITIES = { controller: "kafka-controller", broker: "kafka-broker", admin: "kafka-admin" } as const;

/** What a client of the platform may do; its principal is User:<name>, from its certificate's CN. */
export interface KafkaClientGrant {
  /** Topics it reads (and describes), and the consumer-group prefix it reads with. */
  read?: { groupPrefix?: string };
  /** Topics it writes (and describes). */
  write?: boolean;
}

/** The platform's Kafka clients and their grants, on every topic the config declares. */
export const KAFKA_CLIENTS = {
  /** The streaming application (Kafka -> HDFS): reads the topics, its queries' groups start with its name. */
  "spark-streaming": { read: { groupPrefix: "spark-streaming" } },
  /** Airflow's tasks: the event generator writes, the topic checks read end offsets (no group). */
  airflow: { write: true, read: {} },
} as const satisfies Record<string, KafkaClientGrant>;
export type KafkaClient = keyof typeof KAFKA_CLIENTS;

/** The Secret (cert-manager's) holding a client's certificate, key and the CA: its whole credential. */
export const clientSecret = (client: KafkaClient) => `kafka-client-${client}-tls`;
export const nodeSecret = (role: "controller" | "broker" | "admin") => `${IDENTITIES[role]}-tls`;

/** The properties every TLS node shares: PEM key store and trust, CN principals, the authorizer. */
export function tlsNodeProperties(): [string, string][] {
  return [
    ["ssl.keystore.type", "PEM"],
    ["ssl.keystore.location", `${TLS_DIR}/keystore.pem`],
    ["ssl.truststore.type", "PEM"],
    ["ssl.truststore.location", `${CERT_DIR}/ca.crt`],
    ["ssl.client.auth", "required"],
    // The subject's CN wherever it stands (Java writes "O=...,CN=kafka-broker" for /CN=.../O=...) is the principal: User:kafka-broker.
    ["ssl.principal.mapping.rules", "RULE:^(.*,)?CN=([^,]+)(,.*)?$/$2/,DEFAULT"],
    ["authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"],
    [
      "super.users",
      Object.values(IDENTITIES)
        .map((id) => `User:${id}`)
        .join(";"),
    ],
    ["allow.everyone.if.no.acl.found", "false"],
  ];
}

/** Start-script lines: the key store Java reads (key then chain) and the tools' client settings, readable by the pod's user only. */
export function keystoreLines(): string[] {
  return [
    `umask 077; mkdir -p ${TLS_DIR}`,
    `cat ${CERT_DIR}/tls.key ${CERT_DIR}/tls.crt > ${TLS_DIR}/keystore.pem`,
    `printf '%s\\n' security.protocol=SSL ssl.keystore.type=PEM ssl.keystore.location=${TLS_DIR}/keystore.pem ssl.truststore.type=PEM ssl.truststore.location=${CERT_DIR}/ca.crt > ${TOOL_CONFIG}`,
    "umask 022",
  ];
}

/** How often a node looks at its mounted certificate, and how long each ordinal waits after the one before it. */
export const RENEWAL_CHECK_SECONDS = 15;
export const RENEWAL_STAGGER_SECONDS = 60;

/**
 * Runs the node and restarts it when cert-manager renews its certificate (the kubelet updates the
 * mounted files; Java reads its key store at start): the JVM stops gracefully and the container
 * exits, so the kubelet starts it again with the new key. Nodes restart one at a time: each waits
 * its ordinal's share of the stagger, and a broker first waits until no partition is
 * under-replicated, so a rolling renewal never takes two replicas of a partition away.
 */
export function superviseLines(role: "controller" | "broker", start: string): string[] {
  const check = RENEWAL_CHECK_SECONDS;
  return [
    "fingerprint() { cat /certs/tls.crt /certs/ca.crt | sha256sum; }",
    "loaded=$(fingerprint)",
    `${start} &`,
    "node=$!",
    // The kubelet's TERM (pod deletion) goes to the JVM, which shuts down in a controlled way.
    "trap 'kill -TERM \"$node\" 2>/dev/null' TERM INT",
    'while kill -0 "$node" 2>/dev/null; do',
    `  sleep ${check} & wait $! || true`,
    '  [ "$(fingerprint)" = "$loaded" ] && continue',
    `  echo "certificate renewed: restarting to load it after $((ordinal * ${RENEWAL_STAGGER_SECONDS}))s"`,
    `  sleep $((ordinal * ${RENEWAL_STAGGER_SECONDS}))`,
    ...(role === "broker"
      ? [
          "  for i in $(seq 1 60); do",
          `    under=$(KAFKA_HEAP_OPTS=-Xmx256m KAFKA_LOG4J_OPTS= /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:${REPLICATION_PORT} --command-config ${TOOL_CONFIG} --describe --under-replicated-partitions 2>/dev/null | grep -c Partition || true)`,
          '    [ "$under" = 0 ] && break',
          '    echo "waiting: $under partitions under-replicated"; sleep 10',
          "  done",
        ]
      : []),
    '  kill -TERM "$node"; wait "$node" || true',
    '  echo "stopped to load the renewed certificate"; exit 0',
    "done",
    'wait "$node"',
  ];
}

/** The bootstrap address a node's own tools use: the replication listener in TLS mode. */
export function localBootstrap(cfg: KafkaConfig, clientPort: number): string {
  return cfg.security === "tls"
    ? `--bootstrap-server localhost:${REPLICATION_PORT} --command-config ${TOOL_CONFIG}`
    : `--bootstrap-server localhost:${clientPort}`;
}

/** The certificates of TLS mode: one per node role, the topics Job's, one per client. */
export function kafkaCertificates(
  certs: CertificatesConfig,
  ns: string,
  headless: { controller: string; broker: string; bootstrap: string },
  workloads: { controller: Workload; broker: Workload; admin: Workload },
  domain = DEFAULT_CLUSTER_DOMAIN,
): Manifest[] {
  const svc = (name: string) => [`${name}.${ns}.svc.${domain}`, `${name}.${ns}.svc`, `${name}.${ns}`, name];
  return [
    certificate(certs, {
      name: nodeSecret("controller"),
      namespace: ns,
      workload: workloads.controller,
      commonName: IDENTITIES.controller,
      dnsNames: [`*.${headless.controller}.${ns}.svc.${domain}`, ...svc(headless.controller)],
      usages: ["server auth", "client auth"],
    }),
    certificate(certs, {
      name: nodeSecret("broker"),
      namespace: ns,
      workload: workloads.broker,
      commonName: IDENTITIES.broker,
      // localhost: the tools `npm run health` and the scale checks run in a broker.
      dnsNames: [`*.${headless.broker}.${ns}.svc.${domain}`, ...svc(headless.broker), ...svc(headless.bootstrap), "localhost"],
      usages: ["server auth", "client auth"],
    }),
    certificate(certs, { name: nodeSecret("admin"), namespace: ns, workload: workloads.admin, commonName: IDENTITIES.admin, usages: ["client auth"] }),
    ...(Object.keys(KAFKA_CLIENTS) as KafkaClient[]).map((client) =>
      certificate(certs, { name: clientSecret(client), namespace: ns, workload: workloads.broker, commonName: client, usages: ["client auth"] }),
    ),
  ];
}

/** The ACL commands the topics Job runs (kafka-acls --add is idempotent): each client's grants on each topic. */
export function aclLines(cfg: KafkaConfig): string[] {
  const topics = Object.keys(cfg.topics).sort();
  const lines: string[] = [];
  for (const [client, grant] of Object.entries(KAFKA_CLIENTS) as [KafkaClient, KafkaClientGrant][]) {
    const ops = [...(grant.read ? ["Read"] : []), ...(grant.write ? ["Write"] : []), "Describe"];
    const who = `--allow-principal User:${client}`;
    lines.push(`echo "ACLs of User:${client}: ${ops.join(", ")} on ${topics.join(", ")}"`);
    lines.push(`$KA $BS_ARGS --add ${who} ${ops.map((o) => `--operation ${o}`).join(" ")} ${topics.map((t) => `--topic ${t}`).join(" ")} >/dev/null`);
    if (grant.read?.groupPrefix) {
      lines.push(`$KA $BS_ARGS --add ${who} --operation Read --group ${grant.read.groupPrefix} --resource-pattern-type prefixed >/dev/null`);
    }
  }
  return lines;
}
