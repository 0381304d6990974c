/** The Hive Metastore: the catalog of the lake's tables, on MySQL, with its warehouse in MinIO. */
import { z } from "zod";
import { checkJvmFits, count, heapPercent, image, jvmReads, resources } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";
// Resolves the metastore's extra jars (images/hive-metastore/pom.xml) when a pod starts: the kit's Maven image, as the metrics agent's.
import { MAVEN_IMAGE } from "../kit/metrics";

export const HIVE_IMAGE = "apache/hive:4.0.1";

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { metastore: ["hive-site.xml", "core-site.xml"], schema: ["hive-site.xml", "core-site.xml"] };

export const hiveMetastoreConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    replicas: count(10),
    image: image.default(HIVE_IMAGE),
    /**
     * Where the MySQL driver and S3A jars come from: "maven" fetches them from Maven Central in an
     * init container (the pod then needs HTTPS egress); "image" expects them baked in (images/hive-metastore).
     */
    dependencies: z.enum(["maven", "image"], { error: 'must be "maven" or "image"' }).default("maven"),
    mavenImage: image.default(MAVEN_IMAGE),
    heapPercent: heapPercent.default(60),
    resources,
  })
  .superRefine((m, ctx) => checkJvmFits(ctx, [], m), jvmReads([]));
export type HiveMetastoreConfig = z.infer<typeof hiveMetastoreConfig>;
