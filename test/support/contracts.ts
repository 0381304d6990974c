/**
 * The contracts a stack's producers publish, built by their own contract functions from the stack's
 * validated config: what a consumer's spec receives in a real run.
 */
import { hdfsCluster } from "../../components/hdfs/contract";
import { metastoreService } from "../../components/hive-metastore/contract";
import { kafkaCluster } from "../../components/kafka/contract";
import { objectStore } from "../../components/minio/contract";
import { databaseServer } from "../../components/mysql/contract";
import { BATCH_NAME } from "../../components/spark/spec";
import { sqlService } from "../../components/starburst/contract";
import { NAME as DBT_TEMPLATE } from "../../components/dbt/spec";
import { yarnCluster } from "../../components/yarn/contract";
import { zookeeperEnsemble } from "../../components/zookeeper/contract";
import { section } from "../../infra/config/schema";
import { loadPlatform } from "../../infra/config/stack";
import { readStackFile } from "../../tools/plan";
import { ROOT } from "../helpers";
import { HADOOP_KEYSTORE_CREDENTIALS, type HadoopTls } from "../../components/kit/hadoop-tls";
import { defaultRef } from "../../components/kit/secret-ref";

/** A tls stack's Hadoop web TLS as the platform gives it to HDFS: its issuer, the generated key store password. */
export function hadoopTls(stack: string): HadoopTls | undefined {
  const config = loadPlatform(ROOT, stack, readStackFile(stack)).config;
  if (config.hdfs?.security !== "tls") return undefined;
  return { certificates: config.certificates!, keystorePassword: defaultRef(HADOOP_KEYSTORE_CREDENTIALS) };
}

export function stackContracts(stack: string, ns = "data-platform") {
  const config = loadPlatform(ROOT, stack, readStackFile(stack)).config;
  const zookeeper = zookeeperEnsemble(ns);
  const lake = objectStore(section(config, "minio"), ns);
  return {
    zookeeper,
    lake,
    database: databaseServer(section(config, "mysql"), ns),
    kafka: kafkaCluster(section(config, "kafka"), ns),
    hdfs: hdfsCluster(section(config, "hdfs"), ns, zookeeper.connectString, undefined, hadoopTls(stack)),
    yarn: yarnCluster(section(config, "yarn"), ns, zookeeper.connectString),
    metastore: metastoreService(ns, lake),
    sql: sqlService(ns),
    spark: { template: BATCH_NAME },
    dbt: { template: DBT_TEMPLATE, target: section(config, "dbt").target },
  };
}
