import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

/** SELinux types the baseline profile allows (or none). */
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

export const safeHostProcessAndLsm = podPolicy(
  {
    name: "safe-host-process-and-lsm",
    description:
      "No Windows HostProcess containers, no Unconfined AppArmor profile, and only the allowed SELinux types, with no custom SELinux user or role (Pod Security Standards, baseline).",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove windowsOptions.hostProcess, appArmorProfile Unconfined and custom seLinuxOptions.",
  },
  (pod, report, _config, args) => {
    const check = (sc: any, where: string) => {
      if (sc?.windowsOptions?.hostProcess === true) report(`${where}: windowsOptions.hostProcess is true`);
      if (sc?.appArmorProfile?.type === "Unconfined") report(`${where}: appArmorProfile is Unconfined`);
      const se = sc?.seLinuxOptions;
      if (se?.type !== undefined && !SELINUX_TYPES.includes(se.type)) report(`${where}: seLinuxOptions.type ${se.type} is not allowed`);
      if (se?.user) report(`${where}: seLinuxOptions.user may not be set`);
      if (se?.role) report(`${where}: seLinuxOptions.role may not be set`);
    };
    check(pod?.securityContext, "pod");
    for (const { container, where } of containersOf(pod)) check(container?.securityContext, where);
    const annotations: Record<string, string> = args.props?.metadata?.annotations ?? args.props?.spec?.template?.metadata?.annotations ?? {};
    for (const [key, value] of Object.entries(annotations)) {
      if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && value === "unconfined") report(`annotation ${key}: AppArmor unconfined`);
    }
  },
);
