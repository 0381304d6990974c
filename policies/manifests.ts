/** Reads Kubernetes YAML (files or directories, multi-document, `kind: List`) as policy inputs. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { type PolicyInput, PolicyInputError } from "./harness";
import { typeOfManifest } from "./lib/objects";

function yamlFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw new PolicyInputError(`${target}: no such file or directory`);
  if (fs.statSync(target).isFile()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(target, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(target, e.name)] : []));
}

function toInput(obj: any, where: string): PolicyInput[] {
  if (obj === null || obj === undefined) return [];
  if (typeof obj !== "object" || Array.isArray(obj))
    throw new PolicyInputError(`${where}: not a Kubernetes object (a mapping with apiVersion, kind and metadata.name)`);
  if (obj.kind === "List" || (typeof obj.kind === "string" && obj.kind.endsWith("List") && Array.isArray(obj.items))) {
    return (obj.items as unknown[]).flatMap((item, i) => toInput(item, `${where}, item ${i + 1}`));
  }
  const missing = ["apiVersion", "kind"].filter((k) => typeof obj[k] !== "string");
  if (typeof obj.metadata?.name !== "string") missing.push("metadata.name");
  if (missing.length) throw new PolicyInputError(`${where}: not a Kubernetes object: missing ${missing.join(", ")}`);
  return [{ type: typeOfManifest(obj.apiVersion, obj.kind), name: obj.metadata.name, props: obj }];
}

export function readManifests(targets: string[]): PolicyInput[] {
  const inputs: PolicyInput[] = [];
  for (const file of targets.flatMap(yamlFiles)) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
    docs.forEach((doc, i) => {
      const where = `${file}: document ${i + 1}`;
      if (doc.errors.length) {
        const e = doc.errors[0];
        throw new PolicyInputError(`${where}: not valid YAML (line ${e.linePos?.[0].line ?? "?"}): ${e.message.split("\n")[0]}`);
      }
      inputs.push(...toInput(doc.toJS(), where));
    });
  }
  return inputs;
}
