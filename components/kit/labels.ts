/** Recommended `app.kubernetes.io/*` labels, and the subset that selects pods. */
import { parseImage } from "./image";

export const PART_OF = "data-platform";
export const MANAGED_BY = "pulumi";

/** Identifies one role of one engine, e.g. { name: "kafka", component: "broker" }. */
export interface Workload {
  name: string;
  component: string;
}

/** Labels that select a workload's pods. Never include the version: selectors are immutable. */
export function selectorLabels(w: Workload): Record<string, string> {
  return {
    "app.kubernetes.io/name": w.name,
    "app.kubernetes.io/component": w.component,
    "app.kubernetes.io/part-of": PART_OF,
  };
}

export function workloadLabels(w: Workload, version?: string): Record<string, string> {
  return {
    ...selectorLabels(w),
    "app.kubernetes.io/instance": `${w.name}-${w.component}`,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    ...(version ? { "app.kubernetes.io/version": version } : {}),
  };
}

/** The tag of an image reference, used as the version label ("apache/kafka:4.1.1" -> "4.1.1"). */
export function imageVersion(image: string): string | undefined {
  return parseImage(image)?.tag?.slice(0, 63);
}
