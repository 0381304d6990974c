/** What HDFS clients get: fs.defaultFS, the discovery ConfigMap to mount, and access to NameNodes and DataNodes. */
import type { HdfsCluster } from "../kit/contracts";
import type { HdfsConfig } from "./config";
import { CLIENT_CONFIG_MAP, clientConfigFiles, clientFlows, coreSite, defaultFs, hdfsSite } from "./spec";

export function hdfsCluster(cfg: HdfsConfig, ns: string, zookeeperConnect: string): HdfsCluster {
  return {
    defaultFs: defaultFs(cfg, ns),
    clientConfig: {
      configMap: CLIENT_CONFIG_MAP,
      files: clientConfigFiles(cfg, ns, zookeeperConnect),
      properties: { "core-site.xml": coreSite(cfg, ns, zookeeperConnect), "hdfs-site.xml": hdfsSite(cfg, ns) },
    },
    access: clientFlows,
  };
}
