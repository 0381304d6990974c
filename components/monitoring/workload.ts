import type { Workload } from "../kit";

/** What the platform's own monitoring objects (rules, dashboards) are labelled as. */
export const MONITORING: Workload = { name: "data-platform", component: "monitoring" };
