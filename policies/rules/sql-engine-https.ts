import { resourcePolicy } from "../lib/define";
import { kindOf, parseProperties } from "../lib/objects";

/**
 * A Trino coordinator's config.properties: HTTPS on, and a login required (any authenticator but
 * none). Its HTTP port then serves only the cluster's own signed requests.
 */
export function coordinatorProblems(text: string): string[] {
  const p = parseProperties(text);
  if (p.coordinator !== "true") return [];
  const problems: string[] = [];
  if (p["http-server.https.enabled"] !== "true") problems.push("serves clients over plain HTTP (http-server.https.enabled is not true)");
  if (!p["http-server.authentication.type"]) problems.push("requires no login (http-server.authentication.type is not set)");
  if (p["http-server.authentication.allow-insecure-over-http"] === "true")
    problems.push("accepts logins over plain HTTP (http-server.authentication.allow-insecure-over-http=true)");
  return problems;
}

export const sqlEngineHttps = resourcePolicy(
  {
    name: "sql-engine-https",
    description: "The SQL engine's coordinator serves its clients over HTTPS and requires a login: no plaintext listener for queries and their results.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set starburst.security: tls in the environment (and certificates.issuer); see README 'Security'.",
  },
  (args, report) => {
    if (kindOf(args.type) !== "ConfigMap") return;
    for (const [file, text] of Object.entries<string>(args.props?.data ?? {})) {
      if (file !== "config.properties" || typeof text !== "string") continue;
      for (const problem of coordinatorProblems(text)) report(`${file}: the coordinator ${problem}`);
    }
  },
);
