/** Loads the stack's config and builds the platform; shared by `pulumi up` and the offline check. */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigLayer } from "./config/load";
import { LoadedPlatform, loadPlatform } from "./config/stack";
import { checkExistingSecrets, clusterSecretReader } from "./existing-secrets";
import { DataPlatform } from "./platform";

export const ROOT_DIR = path.resolve(__dirname, "..");

export function loadStack(extraLayers: ConfigLayer[] = []): LoadedPlatform {
  return loadPlatform(ROOT_DIR, pulumi.getStack(), pulumi.runtime.allConfig(), extraLayers);
}

export function runProgram(extraLayers: ConfigLayer[] = []): DataPlatform {
  return new DataPlatform("platform", loadStack(extraLayers));
}

/**
 * A real run: the config, then the existing Secrets it names, then the platform. Bad config ends the
 * run with its message only; nothing has been registered at that point.
 */
export async function runProgramOrExplain(): Promise<DataPlatform> {
  try {
    const loaded = loadStack();
    await checkExistingSecrets(loaded, clusterSecretReader(loaded.settings));
    return new DataPlatform("platform", loaded);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}
