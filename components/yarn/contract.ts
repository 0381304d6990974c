/** What YARN clients get: the discovery ConfigMap (yarn-site), container limits, and access to submit. */
import type { YarnCluster } from "../kit/contracts";
import type { YarnConfig } from "./config";
import { CONTAINER_JAVA_HOME, NODE_MANAGER, vcores, yarnAccess, yarnClientConfig } from "./spec";

export function yarnCluster(cfg: YarnConfig, ns: string, zookeeperConnect: string): YarnCluster {
  return {
    clientConfig: yarnClientConfig(cfg, ns, zookeeperConnect),
    containerJavaHome: CONTAINER_JAVA_HOME,
    vcoresPerNode: vcores(cfg),
    maxContainerMb: cfg.nodeManagers.memoryMb,
    containers: NODE_MANAGER,
    access: yarnAccess,
  };
}
