/** What ZooKeeper's clients get: the connect string and access to the servers' client port. */
import { servedBy, type ZooKeeperEnsemble } from "../kit/contracts";
import { CLIENT_PORT, connectString, ZOOKEEPER } from "./spec";

export function zookeeperEnsemble(ns: string): ZooKeeperEnsemble {
  return { connectString: connectString(ns), access: servedBy(ZOOKEEPER, [CLIENT_PORT]) };
}
