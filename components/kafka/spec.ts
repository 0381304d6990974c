/**
 * Kafka in KRaft mode: a controller quorum and a broker pool as two StatefulSets (brokers scale
 * without touching the quorum), and an idempotent Job that reconciles topics.
 */
import { clientService, container, type Flow, heapFlags, heapMiB, job, type Manifest, podSpec, scratchVolume, serviceAccount, type Workload } from "../kit";
import type { KafkaConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { statefulRoleObjects } from "../kit/role";
import { AGENT_CONFIG_FILE, jmxAgent, type LogFormat, type MetricsEndpoint, type MonitoringConfig, jmxEndpoints } from "../kit/metrics";
import { kafkaExporterRules } from "./metrics";
import type { CertificatesConfig } from "../kit/certificates";
import { CERT_DIR, kafkaCertificates, keystoreLines, nodeSecret, REPLICATION_PORT, superviseLines, TOOL_CONFIG, aclLines, tlsNodeProperties } from "./tls";

export const CONTROLLER: Workload = { name: "kafka", component: "controller" };
export const BROKER: Workload = { name: "kafka", component: "broker" };
export const TOPICS: Workload = { name: "kafka", component: "topics" };

export const CONTROLLER_NAME = "kafka-controller";
export const BROKER_NAME = "kafka-broker";
export const BOOTSTRAP_SERVICE = "kafka-bootstrap";
const CONTROLLER_HEADLESS = "kafka-controller-headless";
const BROKER_HEADLESS = "kafka-broker-headless";
export const CLIENT_PORT = 9092;
export const CONTROLLER_PORT = 9093;
/** Controller node ids sit apart from broker ids, which equal the broker pod ordinal. */
export const CONTROLLER_ID_OFFSET = 1000;
/** The apache/kafka image's appuser. */
const UID = 1000;
const DATA_MOUNT = "/var/lib/kafka";

const host = (pod: string, ordinal: number, headless: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN) =>
  `${pod}-${ordinal}.${headless}.${ns}.svc.${domain}`;

export function controllerVoters(cfg: KafkaConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return Array.from(
    { length: cfg.controllers.replicas },
    (_, i) => `${CONTROLLER_ID_OFFSET + i}@${host(CONTROLLER_NAME, i, CONTROLLER_HEADLESS, ns, domain)}:${CONTROLLER_PORT}`,
  ).join(",");
}

export function bootstrapServers(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `${BOOTSTRAP_SERVICE}.${ns}.svc.${domain}:${CLIENT_PORT}`;
}

/** Broker ids are their pods' ordinals: lowering kafka.brokers from `live` to `wanted` removes these. */
export function removedBrokerIds(live: number, wanted: number): number[] {
  return Array.from({ length: Math.max(0, live - wanted) }, (_, i) => wanted + i);
}

/** Shell lines setting $LOCAL: how a node's own tools reach it (over TLS as the node itself when the pod runs in TLS mode). */
const LOCAL_TOOL_ARGS = [
  `if [ -f ${TOOL_CONFIG} ]; then LOCAL="--bootstrap-server localhost:${REPLICATION_PORT} --command-config ${TOOL_CONFIG}"; else LOCAL="--bootstrap-server localhost:${CLIENT_PORT}"; fi`,
];

/**
 * Run in a broker's container before brokers are removed: prints every partition (internal topics
 * included) with a replica on one of `ids`, one per line as "held topic-partition: replicas", and
 * exits 3 when there is any; 0 when those brokers hold nothing; 1 (with the tool's error) when the
 * cluster could not be described.
 */
export function replicasOnBrokersScript(ids: number[]): string {
  return [
    "set -euo pipefail",
    // An exec inherits the broker's environment: a small heap beside the broker, and the tools' logging.
    "export KAFKA_HEAP_OPTS=-Xmx256m",
    "unset KAFKA_LOG4J_OPTS",
    ...LOCAL_TOOL_ARGS,
    `described=$(/opt/kafka/bin/kafka-topics.sh $LOCAL --describe 2>/tmp/describe.err) || { cat /tmp/describe.err; printf '%s\\n' "\${described:-}"; exit 1; }`,
    // Partition lines: "Topic: t<TAB>Partition: p<TAB>Leader: l<TAB>Replicas: a,b,c<TAB>Isr: ...".
    `held=$(printf '%s\\n' "$described" | awk -v ids="${ids.join(",")}" -F'\\t' '` +
      `BEGIN { n = split(ids, list, ","); for (i = 1; i <= n; i++) gone[list[i]] = 1 } ` +
      `{ t = ""; p = ""; r = ""; for (f = 1; f <= NF; f++) { split($f, kv, ": "); k = kv[1]; gsub(/^ +/, "", k); ` +
      `if (k == "Topic") t = kv[2]; else if (k == "Partition") p = kv[2]; else if (k == "Replicas") r = kv[2] } ` +
      `if (p == "") next; m = split(r, rs, ","); for (j = 1; j <= m; j++) if (rs[j] in gone) { print "held " t "-" p ": " r; break } }')`,
    '[ -z "$held" ] && exit 0',
    'printf "%s\\n" "$held"',
    "exit 3",
  ].join("\n");
}

/** The sections of the health script's output, each a Kafka tool's own answer. */
export const HEALTH_SECTIONS = {
  brokers: "kafka-broker-api-versions",
  quorum: "kafka-metadata-quorum describe --status",
  underReplicated: "kafka-topics --describe --under-replicated-partitions",
  unavailable: "kafka-topics --describe --unavailable-partitions",
  groups: "kafka-consumer-groups --describe --all-groups",
} as const;

/**
 * Run in a broker's container by `npm run health`: Kafka's own tools against the local broker, each
 * answer after a line "=== <section>" (a failed tool's after "=== <section> failed <exit code>").
 */
export function healthScript(): string {
  return [
    "set -u",
    "export KAFKA_HEAP_OPTS=-Xmx256m",
    "unset KAFKA_LOG4J_OPTS",
    ...LOCAL_TOOL_ARGS,
    ...Object.entries(HEALTH_SECTIONS).map(([section, command]) => {
      const [tool, ...args] = command.split(" ");
      return `out=$(/opt/kafka/bin/${tool}.sh $LOCAL ${args.join(" ")} 2>&1); code=$?; echo "=== ${section}$([ $code = 0 ] || echo " failed $code")"; printf '%s\\n' "$out"`;
    }),
  ].join("\n");
}

/** Logs to the console only: the image's file appenders roll daily and never delete. */
/**
 * Kafka's log4j2 configuration: everything to stdout, for the cluster's log collector. `json`: one
 * JSON object per event (log4j's JsonLayout, on the Jackson Kafka ships), stack traces as one string.
 */
export function log4j2Yaml(format: LogFormat = "text"): string {
  const layout =
    format === "json"
      ? [
          "      JsonLayout:",
          "        compact: true",
          "        eventEol: true",
          "        stacktraceAsString: true",
          "        KeyValuePair:",
          "          - key: engine",
          "            value: kafka",
        ]
      : ["      PatternLayout:", '        pattern: "[%d] %p %m (%c)%n"'];
  return [
    "Configuration:",
    "  Appenders:",
    "    Console:",
    "      name: STDOUT",
    ...layout,
    "  Loggers:",
    "    Root:",
    "      level: INFO",
    "      AppenderRef:",
    "        - ref: STDOUT",
    "    Logger:",
    "      - name: org.apache.kafka.raft",
    "        level: INFO",
    "      - name: kafka.request.logger",
    "        level: WARN",
    "",
  ].join("\n");
}

const properties = (entries: [string, string | number | boolean][]) => `${entries.map(([k, v]) => `${k}=${v}`).join("\n")}\n`;

/**
 * Topic defaults the whole cluster must agree on. In KRaft the controllers create topics (so their
 * default.replication.factor is the one a client without a count gets) and, with eligible leader
 * replicas, write their min.insync.replicas as the cluster-wide default, which wins over the brokers'
 * static value: both roles carry them.
 */
function durabilityDefaults(cfg: KafkaConfig): [string, number][] {
  return [
    ["default.replication.factor", cfg.replicationFactor],
    ["min.insync.replicas", cfg.minInsyncReplicas],
  ];
}

const tls = (cfg: KafkaConfig) => cfg.security === "tls";

export function controllerProperties(cfg: KafkaConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return properties([
    ["process.roles", "controller"],
    ["controller.quorum.voters", controllerVoters(cfg, ns, domain)],
    ["listeners", `CONTROLLER://:${CONTROLLER_PORT}`],
    ["controller.listener.names", "CONTROLLER"],
    ["listener.security.protocol.map", tls(cfg) ? "CONTROLLER:SSL" : "CONTROLLER:PLAINTEXT"],
    ...(tls(cfg) ? tlsNodeProperties() : []),
    ["log.dirs", `${DATA_MOUNT}/data`],
    ...durabilityDefaults(cfg),
  ]);
}

export function brokerProperties(cfg: KafkaConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  const rf = cfg.replicationFactor;
  return properties([
    ["process.roles", "broker"],
    ["controller.quorum.voters", controllerVoters(cfg, ns, domain)],
    ...brokerListeners(cfg),
    ["controller.listener.names", "CONTROLLER"],
    ["log.dirs", `${DATA_MOUNT}/data`],
    ...durabilityDefaults(cfg),
    ["offsets.topic.replication.factor", rf],
    ["transaction.state.log.replication.factor", rf],
    ["transaction.state.log.min.isr", Math.min(cfg.minInsyncReplicas, rf)],
    // Topics are declared in config and reconciled by a Job, never created by a typo in a client.
    ["auto.create.topics.enable", false],
    ["unclean.leader.election.enable", false],
    ["group.initial.rebalance.delay.ms", 3000],
  ]);
}

/** Plaintext: one listener for clients and brokers. TLS: clients on 9092, brokers and the cluster's own tools on 9091. */
function brokerListeners(cfg: KafkaConfig): [string, string][] {
  if (!tls(cfg)) {
    return [
      ["listeners", `PLAINTEXT://:${CLIENT_PORT}`],
      ["inter.broker.listener.name", "PLAINTEXT"],
      ["listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"],
    ];
  }
  return [
    ["listeners", `CLIENT://:${CLIENT_PORT},REPLICATION://:${REPLICATION_PORT}`],
    ["inter.broker.listener.name", "REPLICATION"],
    ["listener.security.protocol.map", "CONTROLLER:SSL,CLIENT:SSL,REPLICATION:SSL"],
    ...tlsNodeProperties(),
  ];
}

/** What a broker advertises: its pod's own DNS name on each listener. */
function advertisedListeners(cfg: KafkaConfig, host: string): string {
  return tls(cfg) ? `CLIENT://${host}:${CLIENT_PORT},REPLICATION://${host}:${REPLICATION_PORT}` : `PLAINTEXT://${host}:${CLIENT_PORT}`;
}

/**
 * Starts a node: the id from the pod ordinal, the advertised address from the pod's own DNS name,
 * storage formatted once for the pinned cluster ID (a kept volume is reused as it is).
 */
function startScript(
  cfg: KafkaConfig,
  idOffset: number,
  headless: string,
  ns: string,
  advertise: boolean,
  domain = DEFAULT_CLUSTER_DOMAIN,
  agentOption?: string,
): string {
  // The server alone loads the metrics agent: Kafka's tools run in the same container read KAFKA_OPTS
  // too, and a second agent on the same port would stop them.
  const withAgent = agentOption ? `KAFKA_OPTS='${agentOption}' ` : "";
  const server = "/opt/kafka/bin/kafka-server-start.sh /tmp/server.properties";
  return [
    "set -eu",
    'ordinal="${HOSTNAME##*-}"',
    ...(tls(cfg) ? keystoreLines() : []),
    "cp /config/server.properties /tmp/server.properties",
    `echo "node.id=$((ordinal + ${idOffset}))" >> /tmp/server.properties`,
    ...(advertise ? [`echo "advertised.listeners=${advertisedListeners(cfg, `\${HOSTNAME}.${headless}.${ns}.svc.${domain}`)}" >> /tmp/server.properties`] : []),
    '/opt/kafka/bin/kafka-storage.sh format --cluster-id "$KAFKA_CLUSTER_ID" --config /tmp/server.properties --ignore-formatted',
    ...(tls(cfg) ? superviseLines(advertise ? "broker" : "controller", `${withAgent}${server}`) : [`${withAgent}exec ${server}`]),
  ].join("\n");
}

interface Role {
  name: string;
  headless: string;
  workload: Workload;
  replicas: number;
  /** The port the probes check. */
  port: number;
  ports: { name: string; port: number }[];
  /** The Secret of the role's certificate (TLS mode). */
  certificate: string;
  idOffset: number;
  props: string;
  sizing: { heapPercent: number; resources: KafkaConfig["resources"]; storage: KafkaConfig["storage"] };
  fixedSize?: string;
}

/** The controllers are a static KRaft quorum (controller.quorum.voters). */
export const CONTROLLERS_FIXED_SIZE =
  "the KRaft controllers are a static quorum: every node lists the voters in controller.quorum.voters, so a new count " +
  "would start controllers the quorum does not know. Keep kafka.controllers.replicas as deployed (README: Resizing a quorum).";

function roleManifests(cfg: KafkaConfig, ns: string, r: Role, domain = DEFAULT_CLUSTER_DOMAIN, monitoring?: MonitoringConfig): Manifest[] {
  const agent = monitoring ? jmxAgent(monitoring, r.name) : undefined;
  const config = {
    "server.properties": r.props,
    "log4j2.yaml": log4j2Yaml(monitoring?.logFormat),
    ...(agent ? { [AGENT_CONFIG_FILE]: kafkaExporterRules() } : {}),
  };
  const heap = heapMiB(r.sizing.resources.limits.memory, r.sizing.heapPercent);
  const pod = podSpec(
    r.workload,
    UID,
    {
      terminationGracePeriodSeconds: 120,
      ...(agent?.initContainers.length ? { initContainers: agent.initContainers } : {}),
      containers: [
        container({
          name: "kafka",
          image: cfg.image,
          command: ["/bin/bash", "-c", startScript(cfg, r.idOffset, r.headless, ns, r.workload === BROKER, domain, agent?.javaOption)],
          env: [
            { name: "KAFKA_CLUSTER_ID", value: cfg.clusterId },
            { name: "KAFKA_HEAP_OPTS", value: heapFlags(heap) },
            { name: "LOG_DIR", value: "/tmp/logs" },
            { name: "KAFKA_LOG4J_OPTS", value: "-Dlog4j2.configurationFile=/config/log4j2.yaml" },
          ],
          ports: [...r.ports.map((p) => ({ name: p.name, containerPort: p.port })), ...(agent ? [agent.port] : [])],
          readinessProbe: { tcpSocket: { port: r.port }, initialDelaySeconds: 10, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: r.port }, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
          resources: r.sizing.resources,
          volumeMounts: [
            { name: "data", mountPath: DATA_MOUNT },
            { name: "config", mountPath: "/config" },
            { name: "tmp", mountPath: "/tmp" },
            ...(tls(cfg) ? [{ name: "tls", mountPath: CERT_DIR, readOnly: true }] : []),
            ...(agent?.mounts ?? []),
          ],
        }),
      ],
      volumes: [
        { name: "config", configMap: { name: r.name } },
        scratchVolume("tmp", "2Gi"),
        ...(tls(cfg) ? [{ name: "tls", secret: { secretName: r.certificate, defaultMode: 0o440 } }] : []),
        ...(agent?.volumes ?? []),
      ],
    },
    "kafka",
  );
  return statefulRoleObjects({
    name: r.name,
    namespace: ns,
    workload: r.workload,
    image: cfg.image,
    replicas: r.replicas,
    pod,
    headless: { name: r.headless, ports: r.ports },
    files: config,
    checksumOf: { config, clusterId: cfg.clusterId },
    volumeClaims: [{ name: "data", storage: r.sizing.storage }],
    fixedSize: r.fixedSize,
  });
}

/** Topic settings the program declares; one absent from a topic's config is removed from the topic. */
export const MANAGED_TOPIC_CONFIGS = ["min.insync.replicas", "retention.ms"] as const;

/**
 * Creates missing topics, grows partitions and makes each topic's managed settings exactly the
 * declared ones (a setting no longer declared falls back to the broker default). Kafka cannot remove
 * partitions or change a replication factor in place: either fails the Job, naming the topic, and
 * changes nothing on that topic. Any tool failure fails the Job (pipefail), never reads as "missing".
 */
export function topicsScript(cfg: KafkaConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  const topics = Object.entries(cfg.topics).sort(([a], [b]) => a.localeCompare(b));
  // In TLS mode the Job is the cluster's admin (its certificate's CN is a super user), on the replication listener.
  const bs = tls(cfg) ? `${BROKER_HEADLESS}.${ns}.svc.${domain}:${REPLICATION_PORT} --command-config ${TOOL_CONFIG}` : bootstrapServers(ns, domain);
  return [
    "set -euo pipefail",
    ...(tls(cfg) ? keystoreLines() : []),
    `BS="${bs}"`,
    "KT=/opt/kafka/bin/kafka-topics.sh",
    "KC=/opt/kafka/bin/kafka-configs.sh",
    `MANAGED="${MANAGED_TOPIC_CONFIGS.join(" ")}"`,
    "refused=0",
    "reached=0",
    'for i in $(seq 1 60); do if /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server $BS >/dev/null 2>&1; then reached=1; break; fi; echo "waiting for brokers ($i)"; sleep 5; done',
    '[ "$reached" = 1 ] || { echo "ERROR: no broker answered at $BS for 5 minutes"; exit 1; }',
    "existing=$($KT --bootstrap-server $BS --list)",
    "ensure() {",
    '  name="$1"; want="$2"; rf="$3"; configs="$4"',
    "  # --topic is a regular expression: escape the dots a topic name may hold.",
    '  pattern="^${name//./\\\\.}$"',
    '  if ! printf "%s\\n" "$existing" | grep -Fxq -- "$name"; then',
    '    echo "creating $name: $want partitions, replication factor $rf"',
    '    $KT --bootstrap-server $BS --create --topic "$name" --partitions "$want" --replication-factor "$rf"',
    "  else",
    '    described=$($KT --bootstrap-server $BS --describe --topic "$pattern")',
    '    have=$(printf "%s\\n" "$described" | awk -v t="$name" \'$1 == "Topic:" && $2 == t { for (i = 1; i < NF; i++) if ($i == "PartitionCount:") print $(i + 1) }\')',
    '    have_rf=$(printf "%s\\n" "$described" | awk -v t="$name" \'$1 == "Topic:" && $2 == t { for (i = 1; i < NF; i++) if ($i == "ReplicationFactor:") print $(i + 1) }\')',
    '    if [ "$have_rf" != "$rf" ]; then',
    '      echo "ERROR: $name has replication factor $have_rf but the config asks for $rf; Kafka changes it only by reassigning partitions (kafka-reassign-partitions.sh)"',
    "      refused=1",
    "      return",
    "    fi",
    '    if [ "$have" -lt "$want" ]; then',
    '      echo "growing $name: $have -> $want partitions"',
    '      $KT --bootstrap-server $BS --alter --topic "$pattern" --partitions "$want"',
    '    elif [ "$have" -gt "$want" ]; then',
    '      echo "ERROR: $name has $have partitions but the config asks for $want; Kafka cannot remove partitions: set kafka.topics.$name.partitions to $have or more"',
    "      refused=1",
    "      return",
    "    fi",
    "  fi",
    '  current=$($KC --bootstrap-server $BS --describe --entity-type topics --entity-name "$name" | sed -n "s/^ *\\([a-z.]*\\)=.*/\\1/p")',
    '  stale=""',
    "  for key in $MANAGED; do",
    '    case ",$configs," in *",$key="*) continue ;; esac',
    '    if printf "%s\\n" "$current" | grep -Fxq -- "$key"; then stale="${stale:+$stale,}$key"; fi',
    "  done",
    '  if [ -n "$stale" ]; then',
    '    echo "$name: removing $stale (no longer in the config)"',
    '    $KC --bootstrap-server $BS --alter --entity-type topics --entity-name "$name" --add-config "$configs" --delete-config "$stale"',
    "  else",
    '    $KC --bootstrap-server $BS --alter --entity-type topics --entity-name "$name" --add-config "$configs"',
    "  fi",
    "}",
    ...topics.map(([name, t]) => {
      const configs = [`min.insync.replicas=${cfg.minInsyncReplicas}`];
      if (t.retentionHours) configs.push(`retention.ms=${t.retentionHours * 3600 * 1000}`);
      return `ensure ${name} ${t.partitions} ${t.replicationFactor ?? cfg.replicationFactor} ${configs.join(",")}`;
    }),
    ...(tls(cfg) ? ["KA=/opt/kafka/bin/kafka-acls.sh", 'BS_ARGS="--bootstrap-server $BS"', ...aclLines(cfg)] : []),
    'exit "$refused"',
  ].join("\n");
}

export function kafkaManifests(
  cfg: KafkaConfig,
  ns: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
  certs?: CertificatesConfig,
  monitoring?: MonitoringConfig,
): Manifest[] {
  if (tls(cfg) && !certs) throw new Error("kafka.security tls needs the environment's certificates section (checked by the config)");
  const brokerPorts = [{ name: "client", port: CLIENT_PORT }, ...(tls(cfg) ? [{ name: "replication", port: REPLICATION_PORT }] : [])];
  const tlsVolume = (role: "admin") => (tls(cfg) ? [{ name: "tls", secret: { secretName: nodeSecret(role), defaultMode: 0o440 } }] : []);
  return [
    serviceAccount("kafka", ns, BROKER),
    ...(tls(cfg)
      ? kafkaCertificates(
          certs!,
          ns,
          { controller: CONTROLLER_HEADLESS, broker: BROKER_HEADLESS, bootstrap: BOOTSTRAP_SERVICE },
          { controller: CONTROLLER, broker: BROKER, admin: TOPICS },
          domain,
        )
      : []),
    ...roleManifests(
      cfg,
      ns,
      {
        name: CONTROLLER_NAME,
        headless: CONTROLLER_HEADLESS,
        workload: CONTROLLER,
        replicas: cfg.controllers.replicas,
        port: CONTROLLER_PORT,
        ports: [{ name: "controller", port: CONTROLLER_PORT }],
        certificate: nodeSecret("controller"),
        idOffset: CONTROLLER_ID_OFFSET,
        props: controllerProperties(cfg, ns, domain),
        sizing: cfg.controllers,
        fixedSize: CONTROLLERS_FIXED_SIZE,
      },
      domain,
      monitoring,
    ),
    ...roleManifests(
      cfg,
      ns,
      {
        name: BROKER_NAME,
        headless: BROKER_HEADLESS,
        workload: BROKER,
        replicas: cfg.brokers,
        port: CLIENT_PORT,
        ports: brokerPorts,
        certificate: nodeSecret("broker"),
        idOffset: 0,
        props: brokerProperties(cfg, ns, domain),
        sizing: cfg,
      },
      domain,
      monitoring,
    ),
    clientService(BOOTSTRAP_SERVICE, ns, BROKER, [{ name: "client", port: CLIENT_PORT }]),
    job({
      prefix: "kafka-topics",
      namespace: ns,
      workload: TOPICS,
      uid: UID,
      serviceAccountName: "kafka",
      container: container({
        name: "topics",
        image: cfg.image,
        command: ["/bin/bash", "-c", topicsScript(cfg, ns, domain)],
        env: [
          { name: "KAFKA_HEAP_OPTS", value: "-Xmx256m" },
          { name: "LOG_DIR", value: "/tmp/logs" },
        ],
        resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(tls(cfg) ? [{ name: "tls", mountPath: CERT_DIR, readOnly: true }] : [])],
      }),
      volumes: [scratchVolume("tmp"), ...tlsVolume("admin")],
    }),
  ];
}

/** Who talks to whom: in TLS mode brokers replicate, and the topics Job administers, on the replication listener. */
export function kafkaFlows(cfg: KafkaConfig): Flow[] {
  const internal = tls(cfg) ? REPLICATION_PORT : CLIENT_PORT;
  return [
    { from: CONTROLLER, to: CONTROLLER, ports: [CONTROLLER_PORT] },
    { from: BROKER, to: CONTROLLER, ports: [CONTROLLER_PORT] },
    { from: BROKER, to: BROKER, ports: [internal] },
    { from: TOPICS, to: BROKER, ports: [internal] },
  ];
}

/** The brokers' and controllers' JMX exporter endpoints (monitoring on); the agent comes from Maven Central unless the image has it. */
export function kafkaMetrics(monitoring?: MonitoringConfig): MetricsEndpoint[] {
  if (!monitoring) return [];
  return jmxEndpoints(monitoring, BROKER, CONTROLLER);
}
