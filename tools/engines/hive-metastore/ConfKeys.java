// Prints every configuration key Hive's own classes define, one per line: MetastoreConf's (its
// metastore.* names and their hive.* synonyms) and HiveConf's. Run in source mode on the release's jars.
import java.lang.reflect.Method;

public class ConfKeys {
  public static void main(String[] args) throws Exception {
    Class<?> metastore = Class.forName("org.apache.hadoop.hive.metastore.conf.MetastoreConf$ConfVars");
    for (Object v : metastore.getEnumConstants()) {
      System.out.println(call(v, "getVarname"));
      System.out.println(call(v, "getHiveName"));
    }
    Class<?> hive = Class.forName("org.apache.hadoop.hive.conf.HiveConf$ConfVars");
    for (Object v : hive.getEnumConstants()) System.out.println(hive.getField("varname").get(v));
  }

  private static Object call(Object target, String name) throws Exception {
    Method m = target.getClass().getMethod(name);
    return m.invoke(target);
  }
}
