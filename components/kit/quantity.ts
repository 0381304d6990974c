/** Kubernetes resource quantities (memory and CPU) as numbers, for sizing arithmetic. */
// The client's quantity helpers are not re-exported from its entry point; dist/util.js is plain ESM.
import { findSuffix, quantityToScalar } from "@kubernetes/client-node/dist/util.js";

/** What the config accepts: memory up to T and Ti, CPU in cores or millicores. */
export const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/;
export const CPU_PATTERN = /^(\d+(?:\.\d+)?)(m)?$/;
/** Sizes the API server may write back: every SI and binary suffix, or a decimal exponent. */
const SIZE_PATTERN = /^\d+(?:\.\d+)?(?:[kMGTPE]|[KMGTPE]i|[eE]\d+)?$/;

/** A quantity's value. The client multiplies only whole numbers by k…E and Ki…Ei, so "1.5Gi" is 1.5 × 1Gi. */
function scalar(quantity: string): number {
  const suffix = findSuffix(quantity);
  const number = quantity.slice(0, quantity.length - suffix.length);
  if (suffix === "" || suffix === "m" || /^\d+$/.test(number)) return Number(quantityToScalar(quantity));
  return Number(number) * Number(quantityToScalar(`1${suffix}`));
}

/** Bytes in a memory quantity such as "512Mi" or "2G". Throws on anything else. */
export function memoryBytes(quantity: string): number {
  if (!MEMORY_PATTERN.test(quantity)) throw new Error(`not a memory quantity: ${JSON.stringify(quantity)}`);
  return Math.round(scalar(quantity));
}

/** Bytes in any quantity the API server may write back ("1Pi", "1e3", "500M"); undefined otherwise. */
export function quantityBytes(quantity: string): number | undefined {
  const trimmed = quantity.trim();
  return SIZE_PATTERN.test(trimmed) ? scalar(trimmed) : undefined;
}

export function memoryMiB(quantity: string): number {
  return Math.floor(memoryBytes(quantity) / 2 ** 20);
}

/** CPU cores in a quantity such as "500m" or "2". */
export function cpuCores(quantity: string): number {
  if (!CPU_PATTERN.test(quantity)) throw new Error(`not a CPU quantity: ${JSON.stringify(quantity)}`);
  return scalar(quantity);
}
