/** Airflow: the official chart, its executor, where the DAGs come from and how big each part is. */
import { z } from "zod";
import { chartSourceConfig } from "../kit/charts";
import { parseImage } from "../kit/image";
import { memoryMiB } from "../kit/quantity";
import type { CredentialSecret, SecretRef } from "../kit/secret-ref";
import { image, reads, resources, ruleIssue, roleFields } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/** The chart and the Airflow it runs are pinned together: the chart renders per Airflow version. */
export const CHART = { name: "airflow", repo: "https://airflow.apache.org", version: "1.20.0" } as const;
export const AIRFLOW_VERSION = "3.1.8";
export const AIRFLOW_IMAGE = `apache/airflow:${AIRFLOW_VERSION}`;

type AirflowKey = "admin-password" | "api-secret-key" | "connection" | "db-password" | "fernet-key" | "jwt-secret";
/** Airflow's own credentials; the chart reads connection, fernet-key, api-secret-key and jwt-secret by those names. */
export const AIRFLOW_CREDENTIALS: CredentialSecret<AirflowKey> = {
  secret: "airflow-credentials",
  keys: ["admin-password", "api-secret-key", "connection", "db-password", "fernet-key", "jwt-secret"],
  fixedKeys: ["api-secret-key", "connection", "fernet-key", "jwt-secret"],
};
export type AirflowCredentials = SecretRef<AirflowKey>;

/**
 * LocalExecutor runs tasks inside the scheduler; KubernetesExecutor runs each task in its own pod.
 * CeleryExecutor is not offered: it needs a Redis broker the platform does not run.
 */
export const EXECUTORS = ["LocalExecutor", "KubernetesExecutor"] as const;
export type Executor = (typeof EXECUTORS)[number];

const gitSource = z
  .strictObject({
    /** Clone URL, https://... or git@host:org/repo.git. */
    repo: z.string({ error: "must be a clone URL" }).regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, { error: "must be an https://, ssh:// or git@ clone URL" }),
    /** Branch, tag or commit git-sync checks out. */
    ref: z.string().min(1).default("main"),
    /** Folder of the DAG files inside the repository ("" for its root). */
    subPath: z.string().default("dags"),
    /** Seconds between two pulls. */
    periodSeconds: z.number().int().min(5, { error: "must be at least 5" }).max(3600).default(60),
    /** An existing Secret with GITSYNC_USERNAME/GITSYNC_PASSWORD (https) or gitSshKey (ssh); none for a public repository. */
    credentialsSecret: z.string().min(1).optional(),
    /** The server's ssh host keys (known_hosts lines); required for ssh URLs, so the server is verified. */
    knownHosts: z.string().min(1).optional(),
    /** The git server's addresses when it is inside the network; omitted: any public address. */
    serverCidrs: z
      .array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: "must be an IPv4 CIDR such as 10.0.0.5/32" }))
      .min(1)
      .optional(),
  })
  .superRefine(
    (g, ctx) => {
      if (!/^(git@|ssh:\/\/)/.test(g.repo)) return;
      if (!g.credentialsSecret) ruleIssue(ctx, ["credentialsSecret"], "is required for an ssh URL: a Secret with the private key under gitSshKey", [["repo"]]);
      if (!g.knownHosts)
        ruleIssue(ctx, ["knownHosts"], "is required for an ssh URL: the server's known_hosts lines, so git-sync verifies the server", [["repo"]]);
    },
    reads(["repo"]),
  );

/** The scheduler's own share of its memory limit; each LocalExecutor task process beside it gets TASK_MIB. */
export const SCHEDULER_BASE_MIB = 768;
export const TASK_MIB = 256;

const role = (max: number) => z.strictObject(roleFields({ replicas: { max, default: 1 } }));

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { scheduler: [], "api-server": [], "dag-processor": [], triggerer: [], database: [], statsd: [] };

/**
 * The exporter that turns Airflow's StatsD metrics into Prometheus's (made while monitoring is on), at
 * the release test/airflow builds from the Go module proxy.
 */
export const STATSD_EXPORTER_IMAGE = "quay.io/prometheus/statsd-exporter:v0.31.0";
const STATSD_EXPORTER_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } };

export const airflowConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    // A tag, not a digest: the chart builds the KubernetesExecutor task pods' image from repository:tag.
    image: image
      .refine((ref) => !parseImage(ref)?.digest, { error: "must be pinned by tag (repository:tag): the chart's task pods take a tag, not a digest" })
      .default(AIRFLOW_IMAGE),
    /** Where the pinned chart comes from (default: the Apache repository). */
    chart: chartSourceConfig.optional(),
    executor: z.enum(EXECUTORS, { error: `must be one of: ${EXECUTORS.join(", ")} (CeleryExecutor needs a Redis broker the platform does not run)` }),
    /**
     * Where the tasks' Python packages (Trino client, Kafka client; components/airflow/requirements.txt)
     * come from: "pip" installs them from PyPI in an init container of the pods that run tasks (they then
     * need HTTPS egress); "image" expects them baked in (images/airflow).
     */
    dependencies: z.enum(["pip", "image"], { error: 'must be "pip" or "image"' }).default("pip"),
    /** "configmap": the DAGs of components/airflow/dags ship with the deployment; "git": git-sync pulls them. */
    dags: z
      .strictObject({
        source: z.enum(["configmap", "git"], { error: 'must be "configmap" or "git"' }).default("configmap"),
        git: gitSource.optional(),
      })
      .default({ source: "configmap" }),
    /** Addresses of the Kubernetes API server that task pods call to start Spark and dbt Jobs. */
    kubernetesApiCidrs: z
      .array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: "must be an IPv4 CIDR such as 10.0.0.1/32" }))
      .min(1)
      .default(["0.0.0.0/0"]),
    admin: z
      .strictObject({
        username: z
          .string()
          .regex(/^[a-z][a-z0-9_.-]{2,63}$/, { error: "must be 3-64 lower-case letters, digits, _ . or -" })
          .default("platform-admin"),
        email: z.email({ error: "must be an e-mail address" }).default("platform-admin@data-platform.local"),
      })
      .default({ username: "platform-admin", email: "platform-admin@data-platform.local" }),
    scheduler: role(5),
    apiServer: role(10),
    dagProcessor: role(5),
    triggerer: role(5),
    /** Each task's pod under KubernetesExecutor. */
    workers: z.strictObject(roleFields({})).optional(),
    statsdExporter: z
      .strictObject({ image: image.default(STATSD_EXPORTER_IMAGE), resources: resources.default(STATSD_EXPORTER_RESOURCES) })
      .default({ image: STATSD_EXPORTER_IMAGE, resources: STATSD_EXPORTER_RESOURCES }),
  })
  .superRefine(
    (a, ctx) => {
      if (a.dags.source === "git" && !a.dags.git) {
        ruleIssue(ctx, ["dags", "git"], 'is required when dags.source is "git": at least { repo: <clone URL> }', [["dags", "source"]]);
      }
      if (a.dags.source === "configmap" && a.dags.git) {
        ruleIssue(ctx, ["dags", "git"], 'is only read when dags.source is "git"; remove it or set dags.source to "git"', [["dags", "source"]]);
      }
    },
    reads(["dags"]),
  )
  .superRefine(
    (a, ctx) => {
      if (a.executor === "KubernetesExecutor" && !a.workers) {
        ruleIssue(
          ctx,
          ["workers"],
          "is required with KubernetesExecutor: the resources of each task's pod, e.g. { resources: { requests: {...}, limits: {...} } }",
          [["executor"]],
        );
      }
      if (a.executor === "LocalExecutor" && a.workers) {
        ruleIssue(ctx, ["workers"], "is only read with KubernetesExecutor (LocalExecutor runs tasks in the scheduler); remove it or change executor", [
          ["executor"],
        ]);
      }
    },
    reads(["executor"], ["workers"]),
  )
  .superRefine(
    (a, ctx) => {
      const limit = memoryMiB(a.scheduler.resources.limits.memory);
      if (a.executor === "LocalExecutor" && limit < SCHEDULER_BASE_MIB + TASK_MIB) {
        ruleIssue(
          ctx,
          ["scheduler", "resources", "limits", "memory"],
          `${a.scheduler.resources.limits.memory} (${limit} MiB) leaves no room for a task: LocalExecutor runs tasks in the scheduler, which needs ${SCHEDULER_BASE_MIB} MiB plus ${TASK_MIB} MiB per concurrent task; allowed: at least ${SCHEDULER_BASE_MIB + TASK_MIB}Mi`,
          [["executor"]],
        );
      }
    },
    reads(["executor"], ["scheduler", "resources"]),
  );
export type AirflowConfig = z.infer<typeof airflowConfig>;
