/** Where a vendor chart comes from: its public repository, a mirror (HTTP or OCI), or a local copy. */
import * as path from "path";
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
    repository: z.string().regex(/^(https?|oci):\/\/\S+$/, { error: "must be an https://, http:// or oci:// address" }).optional(),
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
