/**
 * Marks a run sets on a StatefulSet from what it did to the cluster (a volume growth, DataNodes
 * decommissioned): this run registers them, the runs after it keep them (kit/objects ignores their
 * changes), so the object reads the same to every later run.
 */
import type * as pulumi from "@pulumi/pulumi";
import { keptMark } from "../components/kit/objects";

export function markStatefulSet(namespace: string, name: string, marks: Record<string, string>, o: { unprotect?: boolean } = {}): pulumi.ResourceTransform {
  const paths = Object.keys(marks).map(keptMark);
  return (a) => {
    if (a.type !== "kubernetes:apps/v1:StatefulSet") return undefined;
    const metadata = a.props.metadata ?? {};
    if (metadata.name !== name || (metadata.namespace ?? namespace) !== namespace) return undefined;
    return {
      props: { ...a.props, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), ...marks } } },
      opts: {
        ...a.opts,
        ...(o.unprotect ? { protect: false } : {}),
        ignoreChanges: (a.opts.ignoreChanges ?? []).filter((path) => !paths.includes(path)),
      },
    };
  };
}
