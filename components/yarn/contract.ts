/** What YARN clients get: the discovery ConfigMap (yarn-site), container limits, and access to submit. */
import type { YarnCluster } from "../kit/contracts";
import type { YarnConfig } from "./config";
import { CONTAINER_JAVA_HOME, NODE_MANAGER, vcores, yarnAccess, yarnClientConfig } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function yarnCluster(cfg: YarnConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): YarnCluster {
  return {
    clientConfig: yarnClientConfig(cfg, ns, zookeeperConnect, domain),
    containerJavaHome: CONTAINER_JAVA_HOME,
    vcoresPerNode: vcores(cfg),
    maxContainerMb: cfg.nodeManagers.memoryMb,
    containers: NODE_MANAGER,
    access: yarnAccess,
  };
}
