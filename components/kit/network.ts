/**
 * Network flows between workloads, turned into NetworkPolicies: the namespace denies everything,
 * then each workload gets one policy that admits exactly its declared inbound and outbound flows.
 */
import { selectorLabels, type Workload, workloadLabels } from "./labels";
import type { Manifest } from "./manifests";

/** A TCP port, or an inclusive range [first, last]. */
export type PortSpec = number | [number, number];

export interface Flow {
  from: Workload;
  to: Workload;
  ports: PortSpec[];
  /** TCP unless said (StatsD's UDP). */
  protocol?: "UDP";
}

const key = (w: Workload) => `${w.name}-${w.component}`;
/** Namespace-wide policies belong to the platform as a whole. */
const NAMESPACE_POLICY: Workload = { name: "data-platform", component: "network" };

export function defaultDeny(namespace: string): Manifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny-all", namespace, labels: workloadLabels(NAMESPACE_POLICY) },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

/** Every pod may resolve names through the cluster DNS in kube-system. */
export function allowDns(namespace: string): Manifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-dns-egress", namespace, labels: workloadLabels(NAMESPACE_POLICY) },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    },
  };
}

const first = (p: PortSpec) => (Array.isArray(p) ? p[0] : p);
const portRules = (ports: PortSpec[], protocol = "TCP") =>
  [...new Map(ports.map((p) => [JSON.stringify(p), p])).values()]
    .sort((a, b) => first(a) - first(b))
    .map((p) => (Array.isArray(p) ? { protocol, port: p[0], endPort: p[1] } : { protocol, port: p }));

/** One policy per workload that appears in any flow, holding all its ingress and egress rules. */
export function flowPolicies(namespace: string, flows: Flow[]): Manifest[] {
  const workloads = new Map<string, Workload>();
  for (const f of flows) {
    workloads.set(key(f.from), f.from);
    workloads.set(key(f.to), f.to);
  }
  return [...workloads.values()]
    .sort((a, b) => key(a).localeCompare(key(b)))
    .map((w) => {
      // Rules in the order of their peers, not of the flows' declaration: moving a flow between engines changes nothing.
      const rules = (peers: Flow[], peer: (f: Flow) => Workload) =>
        [...peers]
          .sort((a, b) => key(peer(a)).localeCompare(key(peer(b))))
          .map((f) => ({ peer: [{ podSelector: { matchLabels: selectorLabels(peer(f)) } }], ports: portRules(f.ports, f.protocol) }));
      const ingress = rules(
        flows.filter((f) => key(f.to) === key(w)),
        (f) => f.from,
      ).map(({ peer, ports }) => ({ from: peer, ports }));
      const egress = rules(
        flows.filter((f) => key(f.from) === key(w)),
        (f) => f.to,
      ).map(({ peer, ports }) => ({ to: peer, ports }));
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: `allow-${key(w)}`, namespace, labels: workloadLabels(w) },
        spec: {
          podSelector: { matchLabels: selectorLabels(w) },
          policyTypes: ["Ingress", "Egress"],
          ...(ingress.length ? { ingress } : {}),
          ...(egress.length ? { egress } : {}),
        },
      };
    });
}

/** Ingress from address blocks outside the cluster's pods (the API server's proxy) to a workload's ports. */
export function ingressFromCidrs(namespace: string, name: string, w: Workload, ports: PortSpec[], cidrs: string[]): Manifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: workloadLabels(w) },
    spec: {
      podSelector: { matchLabels: selectorLabels(w) },
      policyTypes: ["Ingress"],
      ingress: [{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: portRules(ports) }],
    },
  };
}

/** Public addresses only: never the cluster's or other private ranges. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];

/**
 * HTTPS to the internet for the pods a selector picks (for example to resolve jars from Maven
 * Central), and nothing else outside the cluster. `to` names other addresses instead (a server inside
 * the network), `ports` other ports.
 */
export function httpsEgress(
  name: string,
  namespace: string,
  owner: Workload,
  podSelector: Record<string, unknown>,
  o: { to?: string[]; ports?: number[] } = {},
): Manifest {
  const to = o.to ? o.to.map((cidr) => ({ ipBlock: { cidr } })) : [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: workloadLabels(owner) },
    spec: {
      podSelector,
      policyTypes: ["Egress"],
      egress: [{ to, ports: (o.ports ?? [443]).map((port) => ({ protocol: "TCP", port })) }],
    },
  };
}
