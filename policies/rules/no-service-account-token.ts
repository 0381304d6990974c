import { podPolicy } from "../lib/define";

export const noServiceAccountToken = podPolicy(
  {
    name: "no-service-account-token",
    description: "Pods that do not call the Kubernetes API do not mount a service-account token and do not use the namespace's default account.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set automountServiceAccountToken: false and serviceAccountName to a dedicated account.",
  },
  (pod, report) => {
    if (pod?.automountServiceAccountToken !== false) report("pod: automountServiceAccountToken is not false");
    if (!pod?.serviceAccountName || pod.serviceAccountName === "default") report("pod: runs as the namespace's default service account");
  },
);
