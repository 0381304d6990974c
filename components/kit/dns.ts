/** Names in cluster DNS. The domain is the stack setting `clusterDomain` (Kubernetes' default below). */

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/** A Service's name in cluster DNS: `<service>.<namespace>.svc.<domain>`. */
export function serviceHost(service: string, ns: string, domain: string): string {
  return `${service}.${ns}.svc.${domain}`;
}

/** A StatefulSet pod's stable name under its headless Service. */
export function podHost(pod: string, headless: string, ns: string, domain: string): string {
  return `${pod}.${headless}.${ns}.svc.${domain}`;
}

/** Every name a pod may use for a Service (short, with namespace, qualified): a server certificate's DNS names. */
export function serviceNames(service: string, ns: string, domain: string): string[] {
  return [service, `${service}.${ns}`, `${service}.${ns}.svc`, serviceHost(service, ns, domain)];
}
