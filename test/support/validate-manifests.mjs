// Validates Kubernetes objects (a JSON array on stdin) against the API's schemas, using the
// kubernetes-models package (ESM, so it runs here rather than inside jest). Prints a JSON list of
// problems: [{ kind, name, error }].
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(0, "utf8"));
/** Custom resources' schemas, by API group: the projects' own CRDs as kubernetes-models publishes them. */
const CRD_PACKAGES = { "cert-manager.io": "@kubernetes-models/cert-manager", "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };
const modulePath = (apiVersion, kind) => {
  const crd = CRD_PACKAGES[apiVersion.split("/")[0]];
  return crd ? `${crd}/${apiVersion}/${kind}` : `kubernetes-models/${apiVersion}/${kind}`;
};
const problems = [];
for (const o of objects) {
  const group = o.apiVersion.includes("/") ? o.apiVersion : o.apiVersion; // "v1" or "apps/v1"
  let Model;
  try {
    Model = (await import(modulePath(group, o.kind)))[o.kind];
  } catch {
    problems.push({ kind: o.kind, name: o.metadata?.name, error: `no schema for ${o.apiVersion} ${o.kind}` });
    continue;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    problems.push({ kind: o.kind, name: o.metadata?.name, error: String(e.message ?? e).slice(0, 500) });
  }
}
process.stdout.write(JSON.stringify(problems));
