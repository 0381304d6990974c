/** Loads the stack's config and builds the platform; shared by `pulumi up` and the offline check. */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigLayer } from "./config/load";
import { loadPlatform } from "./config/stack";
import { DataPlatform } from "./platform";

export const ROOT_DIR = path.resolve(__dirname, "..");

export function runProgram(extraLayers: ConfigLayer[] = []): DataPlatform {
  const loaded = loadPlatform(ROOT_DIR, pulumi.getStack(), pulumi.runtime.allConfig(), extraLayers);
  return new DataPlatform("platform", loaded);
}

/** Bad config ends the run with its message only; nothing has been registered at that point. */
export function runProgramOrExplain(): DataPlatform {
  try {
    return runProgram();
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}
