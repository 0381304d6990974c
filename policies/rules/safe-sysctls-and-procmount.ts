import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

/** The sysctls Kubernetes considers namespaced and safe (Pod Security Standards, baseline). */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];

export const safeSysctlsAndProcMount = podPolicy(
  {
    name: "safe-sysctls-and-procmount",
    description: "Pods set only safe sysctls and keep the default (masked) /proc mount.",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove unsafe sysctls and securityContext.procMount: Unmasked.",
  },
  (pod, report) => {
    for (const sysctl of pod?.securityContext?.sysctls ?? []) {
      if (!SAFE_SYSCTLS.includes(sysctl?.name)) report(`pod: sysctl ${sysctl?.name} is not in the safe set`);
    }
    for (const { container, where } of containersOf(pod)) {
      const procMount = container?.securityContext?.procMount;
      if (procMount !== undefined && procMount !== "Default") report(`${where}: procMount ${procMount} unmasks /proc`);
    }
  },
);
