/** Where a vendor chart comes from: its public repository, a mirror (HTTP or OCI), or a local copy. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as YAML from "yaml";
import { z } from "zod";

export interface PinnedChart {
  name: string;
  repo: string;
  version: string;
}

/** `<engine>.chart`: at most one of repository (a mirror) and path (a directory or .tgz). */
export const chartSourceConfig = z
  .strictObject({
    /** An HTTP(S) chart repository that mirrors the public one, or an OCI registry path (oci://host/path). */
    repository: z
      .string()
      .regex(/^(https?|oci):\/\/\S+$/, { error: "must be an https://, http:// or oci:// address" })
      .optional(),
    /** A chart directory or .tgz, relative to the project directory or absolute. */
    path: z.string().min(1).optional(),
  })
  .refine((c) => !(c.repository && c.path), { error: "set repository or path, not both" });
export type ChartSource = z.infer<typeof chartSourceConfig>;

/** The helm.v4.Chart arguments that fetch the pinned chart from where the config says. */
export function chartArgs(pinned: PinnedChart, source: ChartSource | undefined, projectDir: string) {
  if (source?.path) return { chart: path.resolve(projectDir, source.path) };
  const repository = source?.repository ?? pinned.repo;
  if (repository.startsWith("oci://")) return { chart: `${repository.replace(/\/$/, "")}/${pinned.name}`, version: pinned.version };
  return { chart: pinned.name, version: pinned.version, repositoryOpts: { repo: repository } };
}

/** The Chart.yaml text of a chart directory or packaged .tgz (the file in its top directory). */
function chartYamlOf(location: string): string | undefined {
  if (fs.statSync(location).isDirectory()) {
    const file = path.join(location, "Chart.yaml");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  }
  const tar = zlib.gunzipSync(fs.readFileSync(location));
  // A tar archive is 512-byte headers, each followed by its file's blocks.
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const field = (from: number, length: number) =>
      tar
        .subarray(at + from, at + from + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join("/");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    if (/^[^/]+\/Chart\.yaml$/.test(name)) return tar.subarray(at + 512, at + 512 + size).toString("utf8");
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/** Why a local chart cannot stand in for the pinned one (missing, unreadable, another chart or version), if it cannot. */
export function localChartProblem(setting: string, pinned: PinnedChart, source: ChartSource | undefined, projectDir: string): string | undefined {
  if (!source?.path) return undefined;
  const location = path.resolve(projectDir, source.path);
  const wanted = `chart ${pinned.name} ${pinned.version}`;
  if (!fs.existsSync(location)) return `${setting}: ${source.path} does not exist; it must be a directory or .tgz of ${wanted}`;
  let text: string | undefined;
  try {
    text = chartYamlOf(location);
  } catch (e) {
    return `${setting}: ${source.path} cannot be read as a chart directory or .tgz: ${(e as Error).message}`;
  }
  if (text === undefined) return `${setting}: ${source.path} has no Chart.yaml; it must be a directory or .tgz of ${wanted}`;
  const chart = YAML.parse(text) ?? {};
  if (chart.name !== pinned.name || String(chart.version) !== pinned.version) {
    return `${setting}: ${source.path} holds chart ${chart.name} ${chart.version}, but this program pins ${wanted}`;
  }
  return undefined;
}
