/** What ZooKeeper's clients get: the connect string and access to the servers' client port. */
import { servedBy, type ZooKeeperEnsemble } from "../kit/contracts";
import { CLIENT_PORT, connectString, ZOOKEEPER } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function zookeeperEnsemble(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): ZooKeeperEnsemble {
  return { connectString: connectString(ns, domain), access: servedBy(ZOOKEEPER, [CLIENT_PORT]) };
}
