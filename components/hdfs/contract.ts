/** What HDFS clients get: fs.defaultFS, the discovery ConfigMap to mount, and access to NameNodes and DataNodes. */
import type { HdfsCluster } from "../kit/contracts";
import type { HdfsConfig } from "./config";
import { CLIENT_CONFIG_MAP } from "./names";
import { clientConfigFiles, coreSite, defaultFs, hdfsSite } from "./config-files";
import { clientFlows } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import type { HadoopTls } from "../kit/hadoop-tls";

/** `webTls`: in tls mode, the issuer and key store password, which YARN's daemons share. */
export function hdfsCluster(cfg: HdfsConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN, webTls?: HadoopTls): HdfsCluster {
  return {
    ...(webTls ? { webTls } : {}),
    defaultFs: defaultFs(cfg, ns, domain),
    clientConfig: {
      configMap: CLIENT_CONFIG_MAP,
      files: clientConfigFiles(cfg, ns, zookeeperConnect, domain),
      properties: { "core-site.xml": coreSite(cfg, ns, zookeeperConnect, domain), "hdfs-site.xml": hdfsSite(cfg, ns, domain) },
    },
    access: clientFlows,
  };
}
