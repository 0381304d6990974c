/**
 * The upstream Trino chart at the version the program pins, which the real-engine suites render
 * (chart repositories are out of reach here). Looked for, in order: DP_TRINO_CHART; `shared/charts`
 * beside the repository; beside the repository this one was cloned from (a fresh CI clone elsewhere).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const RELATIVE = path.join("shared", "charts", "trino-1.42.0");

function originDir(): string | undefined {
  try {
    const url = execFileSync("git", ["-C", ROOT, "config", "--get", "remote.origin.url"], { encoding: "utf8" }).trim();
    const local = url.startsWith("file://") ? url.slice(7) : url;
    return path.isAbsolute(local) && fs.existsSync(local) ? local : undefined;
  } catch {
    return undefined;
  }
}

export function trinoChart(): string {
  const origin = originDir();
  const candidates = [process.env.DP_TRINO_CHART, path.resolve(ROOT, "..", RELATIVE), origin && path.resolve(origin, "..", RELATIVE)].filter(
    (c): c is string => !!c,
  );
  const found = candidates.find((c) => fs.existsSync(path.join(c, "Chart.yaml")));
  if (!found) throw new Error(`the Trino chart 1.42.0 is in none of ${candidates.join(", ")}: set DP_TRINO_CHART to a copy of it`);
  return found;
}
