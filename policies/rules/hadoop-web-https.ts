import { resourcePolicy } from "../lib/define";
import { kindOf } from "../lib/objects";

/** A Hadoop *-site.xml's properties (name -> value), read without a parser the pack would have to carry. */
export function siteProperties(xml: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const m of xml.matchAll(/<property>([\s\S]*?)<\/property>/g)) {
    const name = /<name>\s*([^<]*?)\s*<\/name>/.exec(m[1])?.[1];
    const value = /<value>([^<]*)<\/value>/.exec(m[1])?.[1];
    if (name) props[name] = (value ?? "").trim();
  }
  return props;
}

/** A literal password: neither expanded from the daemon's environment (${env.X}) nor left to a credential provider. */
const literal = (value: string | undefined) => value !== undefined && value !== "" && !/^\$\{env\.[A-Za-z_][A-Za-z0-9_]*\}$/.test(value);

/**
 * The daemons' site files in a ConfigMap: HDFS's (it names the NameNode's addresses) and YARN's (it
 * names the ResourceManager) serve their web endpoints over HTTPS only; ssl-server.xml holds no
 * key store password in the clear.
 */
export function hadoopWebProblems(file: string, xml: string): string[] {
  const p = siteProperties(xml);
  const problems: string[] = [];
  if (file.endsWith("hdfs-site.xml") && Object.keys(p).some((k) => k.startsWith("dfs.namenode.rpc-address")) && p["dfs.http.policy"] !== "HTTPS_ONLY") {
    problems.push(
      `${file}: HDFS serves its web endpoints (WebHDFS, JMX, edits and images) over plain HTTP (dfs.http.policy is ${p["dfs.http.policy"] ?? "HTTP_ONLY"}, not HTTPS_ONLY)`,
    );
  }
  if (file.endsWith("yarn-site.xml") && p["yarn.resourcemanager.hostname"] && p["yarn.http.policy"] !== "HTTPS_ONLY") {
    problems.push(
      `${file}: YARN serves its web endpoints (REST API, logs) over plain HTTP (yarn.http.policy is ${p["yarn.http.policy"] ?? "HTTP_ONLY"}, not HTTPS_ONLY)`,
    );
  }
  if (file === "ssl-server.xml") {
    for (const key of ["ssl.server.keystore.password", "ssl.server.keystore.keypassword", "ssl.server.truststore.password"]) {
      if (literal(p[key])) problems.push(`${file}: ${key} is written in the ConfigMap; read it from the daemon's environment (\${env.NAME}, from a Secret)`);
    }
  }
  return problems;
}

export const hadoopWebHttps = resourcePolicy(
  {
    name: "hadoop-web-https",
    description:
      "HDFS and YARN serve their web endpoints (UIs, WebHDFS, REST, JMX, the edits NameNodes copy) over HTTPS only, their key store passwords kept out of ConfigMaps.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set hdfs.security: tls and yarn.security: tls in the environment (and certificates.issuer); see README 'Security'.",
  },
  (args, report) => {
    if (kindOf(args.type) !== "ConfigMap") return;
    for (const [file, text] of Object.entries<string>(args.props?.data ?? {})) {
      if (typeof text !== "string" || !file.endsWith(".xml")) continue;
      for (const problem of hadoopWebProblems(file, text)) report(problem);
    }
  },
);
