/** MinIO's TLS mode as the stacks plan it: the server's certificate, and every S3 client trusting its CA. */
import { TRUST_OPTIONS } from "../components/kit/trust";
import type { PlannedResource } from "../tools/plan";
import { all, find } from "./helpers";
import { stackPlan } from "./support/stack-plans";

type Pod = { spec: any; owner: string };

/** Every pod template a stack plans (Deployments, StatefulSets, Jobs, CronJobs). */
function podTemplates(resources: PlannedResource[]): Pod[] {
  const pods: Pod[] = [];
  for (const r of resources) {
    const spec = r.inputs?.spec;
    const template = spec?.jobTemplate?.spec?.template ?? spec?.template;
    if (template?.spec?.containers) pods.push({ spec: template.spec, owner: `${r.type.split(":").pop()}/${r.name}` });
  }
  return pods;
}

const envOf = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
/** A pod whose containers hold one of the lake users' secret keys: an S3 client. */
const readsLake = (p: Pod) => p.spec.containers.some((c: any) => (c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef?.name === "minio-users"));

describe("MinIO's TLS mode", () => {
  it("staging and production serve S3 over HTTPS with a cert-manager certificate for the Service and every server; dev stays HTTP", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const plan = await stackPlan(stack);
      const cert = find(plan, "Certificate", "minio-tls").inputs.spec;
      expect(cert.issuerRef.name).toBe("dataplatform-ca");
      expect(cert.dnsNames).toEqual([
        "minio",
        "minio.data-platform",
        "minio.data-platform.svc",
        "minio.data-platform.svc.cluster.local",
        "*.minio-headless.data-platform.svc.cluster.local",
      ]);
      const sts = find(plan, "StatefulSet", "minio");
      const pod = sts.inputs.spec.template.spec;
      const server = pod.containers[0];
      // Peers dial each other by https: the pool's servers speak TLS between themselves too.
      expect(server.command.at(-1)).toMatch(/^https:\/\/minio-\{0\.\.\.\d+\}\.minio-headless\./);
      expect(server.readinessProbe.httpGet.scheme).toBe("HTTPS");
      expect(server.livenessProbe.httpGet.scheme).toBe("HTTPS");
      expect(pod.volumes.find((v: any) => v.name === "certs").secret).toEqual({
        secretName: "minio-tls",
        items: [
          { key: "tls.crt", path: "public.crt" },
          { key: "tls.key", path: "private.key" },
          { key: "ca.crt", path: "CAs/ca.crt" },
        ],
      });
      expect(server.volumeMounts).toContainEqual({ name: "certs", mountPath: "/tmp/certs", readOnly: true });
      // The Secret exists before the server starts: the StatefulSet waits for its Certificate.
      expect(sts.options.dependsOn.some((u: string) => u.endsWith("Certificate::minio-tls"))).toBe(true);
    }
    const dev = await stackPlan("dev");
    expect(all(dev, "Certificate").filter((c) => c.name === "minio-tls")).toEqual([]);
    const devServer = find(dev, "StatefulSet", "minio").inputs.spec.template.spec.containers[0];
    expect(devServer.readinessProbe.httpGet.scheme).toBe("HTTP");
  });

  it("the setup Job's mc trusts only the platform CA, and reads the CA without the server's key", async () => {
    const plan = await stackPlan("prod");
    const job = plan.resources.find((r) => r.type.endsWith(":Job") && r.name.startsWith("minio-buckets-"))!.inputs.spec.template.spec;
    expect(envOf(job.containers[0]).SSL_CERT_FILE).toBe("/etc/platform-ca/ca.crt");
    expect(job.containers[0].command[2]).toContain("https://minio.data-platform.svc.cluster.local:9000");
    expect(job.volumes.find((v: any) => v.name === "platform-ca").secret).toEqual({ secretName: "minio-tls", items: [{ key: "ca.crt", path: "ca.crt" }] });
  });

  it("every S3 client pod in production builds a trust store of the lake's CA before its JVM starts, and no client mounts the server's key", async () => {
    const plan = await stackPlan("prod");
    // MinIO's own setup Job aside (mc trusts the CA file, above).
    const clients = podTemplates(plan.resources).filter((p) => readsLake(p) && !p.owner.startsWith("Job/minio-buckets-"));
    expect(clients.map((p) => p.owner).sort()).toEqual([
      "CronJob/spark-batch",
      "Deployment/hive-metastore",
      "Deployment/impala-catalogd",
      "Deployment/impala-coordinator",
      "Deployment/impala-executor",
      "Deployment/spark-streaming",
      "Deployment/spark-worker",
      "StatefulSet/yarn-nodemanager",
    ]);
    for (const { spec, owner } of clients) {
      const init = spec.initContainers.find((c: any) => c.name === "trust-store");
      expect(init).toBeDefined();
      const main = spec.containers[0];
      // keytool from the client's own image (YARN's containers then read it with Spark's Java: JKS is portable).
      expect(init.image).toBe(main.image);
      expect(init.volumeMounts).toContainEqual({ name: "platform-ca", mountPath: "/etc/platform-ca", readOnly: true });
      const env = envOf(main);
      expect(`${owner}: ${env.JAVA_TOOL_OPTIONS ?? env.HADOOP_CLIENT_OPTS}`).toContain(TRUST_OPTIONS);
      expect(main.volumeMounts).toContainEqual({ name: "platform-trust", mountPath: "/etc/platform-trust", readOnly: true });
    }
    // Impala's statestore has no JVM and reads nothing from the lake: no keys at all.
    const statestore = find(plan, "Deployment", "impala-statestored").inputs.spec.template.spec;
    expect(JSON.stringify(statestore)).not.toMatch(/minio-users|trust-store/);
    // Only the server projects the certificate's key.
    for (const { spec, owner } of podTemplates(plan.resources)) {
      for (const v of spec.volumes ?? []) {
        if (v.secret?.secretName !== "minio-tls" || owner === "StatefulSet/minio") continue;
        expect(`${owner}: ${JSON.stringify(v.secret.items)}`).toBe(`${owner}: ${JSON.stringify([{ key: "ca.crt", path: "ca.crt" }])}`);
      }
    }
  });

  it("YARN's containers inherit the trust store's options from their NodeManager", async () => {
    const plan = await stackPlan("prod");
    const site = find(plan, "ConfigMap", "yarn-config").inputs.data["yarn-site.xml"];
    expect(site).toMatch(/<name>yarn.nodemanager.env-whitelist<\/name>\s*<value>[^<]*JAVA_TOOL_OPTIONS/);
  });

  it("Trino's nodes and Airflow's log uploads trust the lake's CA in production", async () => {
    const plan = await stackPlan("prod");
    const trino = find(plan, "Chart", "trino").inputs.values;
    for (const role of ["coordinator", "worker"]) {
      expect(trino[role].additionalJVMConfig.filter((o: string) => !o.startsWith("-javaagent:"))).toEqual(TRUST_OPTIONS.split(" "));
      // The trust store first; the metrics agent's fetch (monitoring) is its own.
      expect(trino.initContainers[role].map((c: any) => c.name)).toEqual(["trust-store", "jmx-exporter"]);
      expect(trino.initContainers[role][0].image).toBe(`${trino.image.repository}:${trino.image.tag}`);
      expect(trino[role].additionalVolumes.find((v: any) => v.name === "platform-ca").secret.items).toEqual([{ key: "ca.crt", path: "ca.crt" }]);
    }
    expect(trino.catalogs.iceberg).toContain("s3.endpoint=https://minio.data-platform.svc.cluster.local:9000");
    const airflow = find(plan, "Chart", "airflow").inputs.values;
    expect(airflow.volumeMounts).toContainEqual({ name: "lake-ca", mountPath: "/etc/platform-ca", readOnly: true });
    const logs = airflow.env.find((e: any) => e.name.startsWith("AIRFLOW_CONN_"));
    // The logs' connection alone checks against the CA: a task's own boto3 clients keep the system's CAs.
    expect(JSON.parse(logs.value).extra).toMatchObject({
      endpoint_url: "https://minio.data-platform.svc.cluster.local:9000",
      verify: "/etc/platform-ca/ca.crt",
    });
    expect(airflow.env.map((e: any) => e.name)).not.toContain("AWS_CA_BUNDLE");
  });

  it("dev's clients trust no extra CA: no init container, no JVM option, plain HTTP", async () => {
    const plan = await stackPlan("dev");
    const text = JSON.stringify(plan.resources.map((r) => r.inputs));
    expect(text).not.toMatch(/trust-store|platform-trust|\/etc\/platform-ca|SSL_CERT_FILE/);
    expect(text).not.toContain("https://minio");
  });
});
