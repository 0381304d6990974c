/** JVM heap derived from the container memory limit, and the check that it fits. */
import { memoryMiB } from "./quantity";

/** Metaspace, thread stacks, direct buffers and GC structures need room beside the heap. */
export const MIN_JVM_OVERHEAD_MIB = 256;
const OVERHEAD_SHARE_OF_HEAP = 0.25;

export function heapMiB(memoryLimit: string, heapPercent: number): number {
  return Math.floor((memoryMiB(memoryLimit) * heapPercent) / 100);
}

export function jvmOverheadMiB(heap: number): number {
  return Math.max(MIN_JVM_OVERHEAD_MIB, Math.ceil(heap * OVERHEAD_SHARE_OF_HEAP));
}

/** Memory a JVM process needs in total for a given heap. */
export function jvmFootprintMiB(heap: number): number {
  return heap + jvmOverheadMiB(heap);
}

/** `-Xms`/`-Xmx` flags for a heap; equal sizes so the limit is reached at start, not under load. */
export function heapFlags(heap: number): string {
  return `-Xms${heap}m -Xmx${heap}m`;
}
