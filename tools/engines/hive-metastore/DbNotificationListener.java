package org.apache.hive.hcatalog.listener;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hive.metastore.TransactionalMetaStoreEventListener;

/**
 * Stands in, in the engine tests only, for HCatalog's listener of this name, which the apache/hive
 * 4.0.1 image carries in lib/ but Maven Central does not serve at 4.0.x. It lets the metastore load
 * the listener the rendered hive-site.xml names; it records no events (Impala's event polling is not
 * what the engine suite proves).
 */
public class DbNotificationListener extends TransactionalMetaStoreEventListener {
  public DbNotificationListener(Configuration conf) {
    super(conf);
  }
}
