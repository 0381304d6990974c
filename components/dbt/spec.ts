/**
 * The dbt project shipped as a ConfigMap and run as a Job made from a suspended CronJob template:
 * ad hoc (`kubectl create job --from=cronjob/dbt`) or by the pipeline's DbtOperator.
 */
import * as path from "node:path";
import type * as k8s from "@pulumi/kubernetes";
import {
  container,
  digest,
  filesConfigMap,
  filesVolume,
  type Flow,
  httpsEgress,
  type Manifest,
  podSpec,
  readTree,
  scratchVolume,
  serviceAccount,
  workloadLabels,
  type Workload,
} from "../kit";
import { loginCaVolume, type SqlService } from "../kit/contracts";
import { DBT_PACKAGES, type DbtConfig } from "./config";

export const DBT: Workload = { name: "dbt", component: "runner" };
export const NAME = "dbt";
export const PROJECT_CONFIG_MAP = "dbt-project";
export const PROJECT_DIR = path.join(__dirname, "enterprise_data_pipeline");
const MOUNT = "/project";
/** The python image's unprivileged "nobody" is not guaranteed; run as a fixed non-root id. */
const UID = 1000;

/** Project files (dbt_project.yml, models, macros, tests, profiles), relative paths, build output excluded. */
export function projectFiles(dir = PROJECT_DIR): Record<string, string> {
  return readTree(dir, (name) => /\.(ya?ml|sql|md)$/.test(name), ["target", "logs", "dbt_packages"]);
}

export function runScript(): string {
  return [
    "set -eu",
    `pip install --quiet --no-cache-dir --target /tmp/python ${DBT_PACKAGES.map((p) => `'${p}'`).join(" ")}`,
    'export PYTHONPATH=/tmp/python PATH="/tmp/python/bin:$PATH"',
    // DBT_TARGET and DBT_SELECT (optional) come from the Job: the template's value or the DbtOperator's.
    `exec dbt build --project-dir ${MOUNT} --profiles-dir ${MOUNT}/profiles --target "$DBT_TARGET" \${DBT_SELECT:+--select "$DBT_SELECT"}`,
  ].join("\n");
}

const CA_DIR = "/etc/platform/trino-ca";

/**
 * Where and how dbt logs in: with the platform's login (Trino in tls mode), as user dbt over HTTPS,
 * the CA from the coordinator's certificate; with a Secret of its own (credentialsSecret), its user
 * and password over HTTPS (the CA from a ConfigMap when given); else the user name only, over HTTP.
 */
function trinoLogin(
  cfg: DbtConfig,
  sql: Pick<SqlService, "port" | "login">,
): { env: k8s.types.input.core.v1.EnvVar[]; volume?: k8s.types.input.core.v1.Volume } {
  const platform = cfg.credentialsSecret ? undefined : sql.login?.("dbt");
  if (platform) {
    return {
      env: [
        { name: "TRINO_PORT", value: String(sql.port) },
        { name: "TRINO_USER", value: platform.user },
        { name: "TRINO_PASSWORD", valueFrom: { secretKeyRef: platform.password } },
        { name: "REQUESTS_CA_BUNDLE", value: `${CA_DIR}/ca.crt` },
      ],
      volume: loginCaVolume(platform.ca),
    };
  }
  if (!cfg.credentialsSecret)
    return {
      env: [
        { name: "TRINO_PORT", value: String(sql.port) },
        { name: "TRINO_USER", value: "dbt" },
      ],
    };
  const fromSecret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: cfg.credentialsSecret!, key } } });
  return {
    env: [
      { name: "TRINO_PORT", value: String(cfg.httpsPort) },
      fromSecret("TRINO_USER", "user"),
      fromSecret("TRINO_PASSWORD", "password"),
      ...(cfg.caConfigMap ? [{ name: "REQUESTS_CA_BUNDLE", value: `${CA_DIR}/ca.crt` }] : []),
    ],
    volume: cfg.caConfigMap ? { name: "trino-ca", configMap: { name: cfg.caConfigMap } } : undefined,
  };
}

export function dbtManifests(cfg: DbtConfig, ns: string, sql: Pick<SqlService, "host" | "port" | "login">, files = projectFiles()): Manifest[] {
  const project = filesConfigMap(PROJECT_CONFIG_MAP, ns, DBT, files);
  const login = trinoLogin(cfg, sql);
  const pod = podSpec(
    DBT,
    UID,
    {
      restartPolicy: "Never",
      containers: [
        container({
          name: "dbt",
          image: cfg.image,
          command: ["/bin/sh", "-c", runScript()],
          env: [
            { name: "DBT_TARGET", value: cfg.target },
            { name: "TRINO_HOST", value: sql.host },
            ...login.env,
            { name: "DBT_TARGET_PATH", value: "/tmp/target" },
            { name: "DBT_LOG_PATH", value: "/tmp/logs" },
            { name: "HOME", value: "/tmp" },
            { name: "DBT_SEND_ANONYMOUS_USAGE_STATS", value: "false" },
          ],
          resources: cfg.resources,
          volumeMounts: [
            { name: "project", mountPath: MOUNT },
            { name: "tmp", mountPath: "/tmp" },
            ...(login.volume ? [{ name: "trino-ca", mountPath: CA_DIR, readOnly: true }] : []),
          ],
        }),
      ],
      volumes: [filesVolume("project", PROJECT_CONFIG_MAP, files), scratchVolume("tmp", "2Gi"), ...(login.volume ? [login.volume] : [])],
    },
    NAME,
  );
  return [
    serviceAccount(NAME, ns, DBT),
    project,
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: NAME, namespace: ns, labels: workloadLabels(DBT) },
      spec: {
        schedule: "30 3 * * *",
        suspend: true,
        concurrencyPolicy: "Forbid",
        jobTemplate: {
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 2 * 3600,
            template: { metadata: { labels: workloadLabels(DBT), annotations: { "dataplatform.io/config-checksum": digest(project.data) } }, spec: pod },
          },
        },
      },
    },
    // dbt and its adapter come from PyPI when the Job starts.
    httpsEgress("allow-dbt-pypi", ns, DBT, { matchLabels: { "app.kubernetes.io/name": "dbt", "app.kubernetes.io/part-of": "data-platform" } }),
  ];
}

/** dbt's way to the coordinator, on its HTTPS port when dbt logs in with a password. */
export function dbtFlows(cfg: DbtConfig, sql: Pick<SqlService, "access">): Flow[] {
  return sql.access(DBT).map((f) => (cfg.httpsPort ? { ...f, ports: [cfg.httpsPort] } : f));
}
