import { podPolicy } from "../lib/define";

/** Volume sources the Pod Security Standards "restricted" profile allows. */
export const ALLOWED_VOLUME_SOURCES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export const restrictedVolumeTypes = podPolicy(
  {
    name: "restricted-volume-types",
    description: `Pods use only the restricted profile's volume types (${ALLOWED_VOLUME_SOURCES.join(", ")}); never hostPath.`,
    enforcementLevel: "mandatory",
    remediationSteps: "Replace hostPath and other node-bound volumes with a PersistentVolumeClaim or emptyDir.",
  },
  (pod, report) => {
    for (const volume of pod?.volumes ?? []) {
      // Rendered charts can carry null sources (hostPath: null); only set ones count.
      const sources = Object.keys(volume ?? {}).filter((k) => k !== "name" && volume[k] !== null && volume[k] !== undefined);
      const bad = sources.filter((s) => !ALLOWED_VOLUME_SOURCES.includes(s));
      if (bad.length)
        report(
          `volume ${volume.name}: type ${bad.join(", ")} is not allowed${bad.includes("hostPath") ? ` (hostPath ${volume.hostPath?.path ?? ""} exposes the node)` : ""}`,
        );
    }
  },
);
