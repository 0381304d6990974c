/** Every policy of the pack, in one list: the pack's entry, the offline check and the tests share it. */
import type { Policies } from "@pulumi/policy";
import { defaultDenyNetworkPolicy } from "./rules/default-deny-network-policy";
import { dropAllCapabilities } from "./rules/drop-all-capabilities";
import { jvmHeapWithinLimit } from "./rules/jvm-heap-within-limit";
import { kafkaReplication } from "./rules/kafka-replication";
import { kafkaEncryptedListeners } from "./rules/kafka-encrypted-listeners";
import { sqlEngineHttps } from "./rules/sql-engine-https";
import { objectStoreHttps } from "./rules/object-store-https";
import { hadoopWebHttps } from "./rules/hadoop-web-https";
import { objectStoreRootCredentials } from "./rules/object-store-root-credentials";
import { credentialsInArguments } from "./rules/credentials-in-arguments";
import { noDefaultCredentials } from "./rules/no-default-credentials";
import { noHelmRelease } from "./rules/no-helm-release";
import { noHostAccess } from "./rules/no-host-access";
import { noLiteralSecretsInEnv } from "./rules/no-literal-secrets-in-env";
import { noPrivilegeEscalation } from "./rules/no-privilege-escalation";
import { noPrivilegedContainers } from "./rules/no-privileged-containers";
import { noPublicServices } from "./rules/no-public-services";
import { noServiceAccountToken } from "./rules/no-service-account-token";
import { noSkipAwait } from "./rules/no-skip-await";
import { noUnmaintainedImages } from "./rules/no-unmaintained-images";
import { pdbAllowsDrain } from "./rules/pdb-allows-drain";
import { pdbRequired } from "./rules/pdb-required";
import { pinnedImages } from "./rules/pinned-images";
import { probesSet } from "./rules/probes-set";
import { protectStateful } from "./rules/protect-stateful";
import { readOnlyRootFilesystem } from "./rules/read-only-root-filesystem";
import { recommendedLabels } from "./rules/recommended-labels";
import { resourcesSet } from "./rules/resources-set";
import { restrictedVolumeTypes } from "./rules/restricted-volume-types";
import { retainStatefulVolumes } from "./rules/retain-stateful-volumes";
import { runAsNonRoot } from "./rules/run-as-non-root";
import { safeHostProcessAndLsm } from "./rules/safe-host-process-and-lsm";
import { safeSysctlsAndProcMount } from "./rules/safe-sysctls-and-procmount";
import { seccompProfile } from "./rules/seccomp-profile";
import { trinoGracefulShutdown } from "./rules/trino-graceful-shutdown";

export const PACK_NAME = "dataplatform";

export const policies: Policies = [
  // Pod Security Standards "restricted" and more.
  noPrivilegedContainers,
  noPrivilegeEscalation,
  runAsNonRoot,
  dropAllCapabilities,
  seccompProfile,
  noHostAccess,
  restrictedVolumeTypes,
  safeSysctlsAndProcMount,
  safeHostProcessAndLsm,
  readOnlyRootFilesystem,
  noServiceAccountToken,
  pinnedImages,
  noUnmaintainedImages,
  noPublicServices,
  noLiteralSecretsInEnv,
  noDefaultCredentials,
  credentialsInArguments,
  objectStoreRootCredentials,
  // Reliability of a data platform.
  resourcesSet,
  probesSet,
  pdbAllowsDrain,
  pdbRequired,
  defaultDenyNetworkPolicy,
  kafkaReplication,
  kafkaEncryptedListeners,
  sqlEngineHttps,
  objectStoreHttps,
  hadoopWebHttps,
  protectStateful,
  noSkipAwait,
  retainStatefulVolumes,
  jvmHeapWithinLimit,
  trinoGracefulShutdown,
  noHelmRelease,
  recommendedLabels,
];
