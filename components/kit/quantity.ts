/** Kubernetes resource quantities (memory and CPU) as numbers, for sizing arithmetic. */

/** Every suffix Kubernetes writes; the config's MEMORY_PATTERN accepts up to T and Ti. */
const SUFFIX_BYTES: Record<string, number> = {
  "": 1,
  k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/;
export const CPU_PATTERN = /^(\d+(?:\.\d+)?)(m)?$/;

/** Bytes in a memory quantity such as "512Mi" or "2G". Throws on anything else. */
export function memoryBytes(quantity: string): number {
  const match = MEMORY_PATTERN.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${JSON.stringify(quantity)}`);
  return Math.round(Number(match[1]) * SUFFIX_BYTES[match[2] ?? ""]);
}

/** Bytes in any quantity the API server may write back ("1Pi", "1e3", "500M"); undefined otherwise. */
export function quantityBytes(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:([kMGTPE]i?)|[eE](\d+))?$/.exec(quantity.trim());
  if (!m || (m[2] && !(m[2] in SUFFIX_BYTES))) return undefined;
  return Number(m[1]) * (m[3] ? 10 ** Number(m[3]) : SUFFIX_BYTES[m[2] ?? ""]);
}

export function memoryMiB(quantity: string): number {
  return Math.floor(memoryBytes(quantity) / 2 ** 20);
}

/** CPU cores in a quantity such as "500m" or "2". */
export function cpuCores(quantity: string): number {
  const match = CPU_PATTERN.exec(quantity);
  if (!match) throw new Error(`not a CPU quantity: ${JSON.stringify(quantity)}`);
  return match[2] === "m" ? Number(match[1]) / 1000 : Number(match[1]);
}
