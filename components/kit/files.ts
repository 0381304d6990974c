/** A folder of source files shipped to pods as a ConfigMap and mounted back as the same tree. */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as k8s from "@pulumi/kubernetes";
import type { Workload } from "./labels";
import { configMap, type Manifest } from "./manifests";

/** The project's root directory: relative paths in the config (a local chart) start here. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Files under `dir` whose names `accept` takes, by path relative to it, sorted; folders in `skip` are not entered. */
export function readTree(dir: string, accept: (name: string) => boolean, skip: string[] = []): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skip.includes(e.name)) walk(rel);
      } else if (e.isFile() && accept(e.name)) {
        files[rel] = fs.readFileSync(path.join(dir, rel), "utf8");
      }
    }
  };
  walk("");
  return files;
}

/** ConfigMap keys cannot hold "/": a file's key is its path with "/" as "__"; the volume maps it back. */
export const configMapKey = (file: string) => file.replace(/\//g, "__");

export function filesConfigMap(name: string, namespace: string, w: Workload, files: Record<string, string>): Manifest {
  return configMap(name, namespace, w, Object.fromEntries(Object.entries(files).map(([f, text]) => [configMapKey(f), text])));
}

/** A volume of that ConfigMap that lays the files out at their original paths. */
export function filesVolume(name: string, configMapName: string, files: Record<string, string>): k8s.types.input.core.v1.Volume {
  return { name, configMap: { name: configMapName, items: Object.keys(files).map((f) => ({ key: configMapKey(f), path: f })) } };
}
