import { policies } from "../../policies/all";
import { object, POD_KINDS, podWith, stackAround, violationsOf, workload } from "./fixtures";

/** Each pod-level policy, with changes that must each be caught (on init containers too). */
const CASES: Record<string, [string, (pod: any) => void, RegExp][]> = {
  "no-privileged-containers": [
    [
      "privileged main container",
      (p) => {
        p.containers[0].securityContext.privileged = true;
      },
      /container main: securityContext.privileged is true/,
    ],
    [
      "privileged init container",
      (p) => {
        p.initContainers[0].securityContext.privileged = true;
      },
      /init container init: securityContext.privileged/,
    ],
  ],
  "no-privilege-escalation": [
    [
      "escalation allowed",
      (p) => {
        p.containers[0].securityContext.allowPrivilegeEscalation = true;
      },
      /must be false \(it is true\)/,
    ],
    [
      "escalation unset on init",
      (p) => {
        delete p.initContainers[0].securityContext.allowPrivilegeEscalation;
      },
      /init container init: .* \(it is unset\)/,
    ],
  ],
  "run-as-non-root": [
    [
      "runAsNonRoot unset everywhere",
      (p) => {
        delete p.securityContext.runAsNonRoot;
        delete p.containers[0].securityContext.runAsNonRoot;
      },
      /container main: runAsNonRoot must be true/,
    ],
    [
      "container runs as UID 0",
      (p) => {
        p.containers[0].securityContext.runAsUser = 0;
      },
      /runAsUser is 0/,
    ],
    [
      "pod runs as GID 0",
      (p) => {
        p.securityContext.runAsGroup = 0;
      },
      /runAsGroup is 0/,
    ],
    [
      "pod runs as root though every container overrides it",
      (p) => {
        p.securityContext.runAsUser = 0;
        for (const c of [...p.initContainers, ...p.containers]) c.securityContext.runAsUser = 1000;
      },
      /^pod: runAsUser is 0/,
    ],
  ],
  "drop-all-capabilities": [
    [
      "no drop",
      (p) => {
        delete p.containers[0].securityContext.capabilities;
      },
      /capabilities.drop must include ALL/,
    ],
    [
      "adds NET_ADMIN",
      (p) => {
        p.initContainers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE", "NET_ADMIN"];
      },
      /adds capabilities NET_ADMIN; only NET_BIND_SERVICE/,
    ],
  ],
  "seccomp-profile": [
    [
      "Unconfined",
      (p) => {
        p.containers[0].securityContext.seccompProfile = { type: "Unconfined" };
      },
      /it is Unconfined/,
    ],
    [
      "unset",
      (p) => {
        delete p.securityContext.seccompProfile;
        delete p.initContainers[0].securityContext.seccompProfile;
      },
      /init container init: .*it is unset/,
    ],
    [
      "pod-level Unconfined hidden by containers",
      (p) => {
        p.securityContext.seccompProfile = { type: "Unconfined" };
      },
      /^pod: seccompProfile.type Unconfined is not allowed/,
    ],
  ],
  "no-host-access": [
    [
      "hostNetwork",
      (p) => {
        p.hostNetwork = true;
      },
      /hostNetwork is true/,
    ],
    [
      "hostPID",
      (p) => {
        p.hostPID = true;
      },
      /hostPID is true/,
    ],
    [
      "hostIPC",
      (p) => {
        p.hostIPC = true;
      },
      /hostIPC is true/,
    ],
    [
      "hostPort",
      (p) => {
        p.containers[0].ports = [{ containerPort: 9092, hostPort: 9092 }];
      },
      /binds hostPort 9092/,
    ],
  ],
  "restricted-volume-types": [
    [
      "hostPath",
      (p) => {
        p.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } });
      },
      /volume sock: type hostPath .*docker.sock/,
    ],
    [
      "hostPath beside a null source from a chart",
      (p) => {
        p.volumes.push({ name: "x", emptyDir: null, hostPath: { path: "/" } });
      },
      /volume x: type hostPath is not allowed/,
    ],
    [
      "nfs",
      (p) => {
        p.volumes.push({ name: "share", nfs: { server: "x", path: "/" } });
      },
      /type nfs is not allowed/,
    ],
  ],
  "safe-sysctls-and-procmount": [
    [
      "unsafe sysctl",
      (p) => {
        p.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }];
      },
      /sysctl kernel.msgmax/,
    ],
    [
      "unmasked proc",
      (p) => {
        p.containers[0].securityContext.procMount = "Unmasked";
      },
      /procMount Unmasked/,
    ],
  ],
  "safe-host-process-and-lsm": [
    [
      "Windows HostProcess",
      (p) => {
        p.containers[0].securityContext.windowsOptions = { hostProcess: true };
      },
      /container main: windowsOptions.hostProcess is true/,
    ],
    [
      "AppArmor unconfined",
      (p) => {
        p.securityContext.appArmorProfile = { type: "Unconfined" };
      },
      /pod: appArmorProfile is Unconfined/,
    ],
    [
      "SELinux super-privileged type",
      (p) => {
        p.initContainers[0].securityContext.seLinuxOptions = { type: "spc_t" };
      },
      /init container init: seLinuxOptions.type spc_t is not allowed/,
    ],
  ],
  "read-only-root-filesystem": [
    [
      "writable root",
      (p) => {
        p.containers[0].securityContext.readOnlyRootFilesystem = false;
      },
      /readOnlyRootFilesystem is not true/,
    ],
  ],
  "no-service-account-token": [
    [
      "token mounted",
      (p) => {
        delete p.automountServiceAccountToken;
      },
      /automountServiceAccountToken is not false/,
    ],
    [
      "default account",
      (p) => {
        p.serviceAccountName = "default";
      },
      /default service account/,
    ],
  ],
  "pinned-images": [
    [
      "latest",
      (p) => {
        p.containers[0].image = "apache/kafka:latest";
      },
      /uses the latest tag/,
    ],
    [
      "untagged",
      (p) => {
        p.initContainers[0].image = "registry:5000/team/busybox";
      },
      /has no tag/,
    ],
    [
      "short digest",
      (p) => {
        p.containers[0].image = "registry:5000/team/busybox@sha256:abc";
      },
      /is not a valid image reference/,
    ],
  ],
  "no-unmaintained-images": [
    [
      "frozen Bitnami image",
      (p) => {
        p.containers[0].image = "docker.io/bitnami/kafka:3.9.0";
      },
      /Bitnami's free images were frozen/,
    ],
  ],
  "no-literal-secrets-in-env": [
    [
      "literal password",
      (p) => {
        p.containers[0].env.push({ name: "MINIO_ROOT_PASSWORD", value: "s3cr3t-value" });
      },
      /env MINIO_ROOT_PASSWORD has a literal value/,
    ],
    [
      "literal token on init",
      (p) => {
        p.initContainers[0].env = [{ name: "API_TOKEN", value: "abc" }];
      },
      /init container init: env API_TOKEN/,
    ],
  ],
  "resources-set": [
    [
      "no memory limit",
      (p) => {
        delete p.containers[0].resources.limits;
      },
      /limits.memory not set/,
    ],
    [
      "no requests on init",
      (p) => {
        delete p.initContainers[0].resources.requests;
      },
      /init container init: resources requests.cpu, requests.memory not set/,
    ],
  ],
  "jvm-heap-within-limit": [
    [
      "heap above limit",
      (p) => {
        p.containers[0].env.push({ name: "JAVA_TOOL_OPTIONS", value: "-Xms1g -Xmx1g" });
      },
      /heap 1024 MiB \+ overhead needs 1280 MiB, above the 512Mi limit/,
    ],
    [
      "ZooKeeper heap variable",
      (p) => {
        p.containers[0].env.push({ name: "ZK_SERVER_HEAP", value: "400" });
      },
      /heap 400 MiB \+ overhead needs 656 MiB/,
    ],
    [
      "heap without limit",
      (p) => {
        delete p.containers[0].resources.limits;
      },
      /sets a 128 MiB heap but no memory limit/,
    ],
  ],
};

describe.each(Object.entries(CASES))("%s", (policy, cases) => {
  it("is a policy of the pack", () => {
    expect(policies.map((p) => p.name)).toContain(policy);
  });

  it.each(POD_KINDS)("passes a compliant %s", async (kind) => {
    expect(await violationsOf(policy, stackAround(workload(kind)))).toEqual([]);
  });

  it.each(cases)("fails: %s (in every pod-creating kind)", async (_, change, message) => {
    for (const kind of POD_KINDS) {
      const found = await violationsOf(policy, stackAround(workload(kind, podWith(change))));
      expect(found.map((v) => v.message)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
      expect(new Set(found.map((v) => v.resource))).toEqual(new Set([`${kind}/demo`]));
    }
  });
});

describe("probes-set", () => {
  it("requires readiness and liveness probes on long-running workloads", async () => {
    const noProbes = podWith((p) => {
      delete p.containers[0].readinessProbe;
      delete p.containers[0].livenessProbe;
    });
    for (const kind of ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"] as const) {
      expect(await violationsOf("probes-set", [workload(kind)])).toEqual([]);
      expect((await violationsOf("probes-set", [workload(kind, noProbes)])).map((v) => v.message)).toEqual([
        "container main: no readinessProbe or livenessProbe",
      ]);
    }
  });

  it("does not ask Jobs and CronJobs for probes", async () => {
    const noProbes = podWith((p) => {
      delete p.containers[0].readinessProbe;
      delete p.containers[0].livenessProbe;
    });
    expect(await violationsOf("probes-set", [workload("Job", noProbes), workload("CronJob", noProbes)])).toEqual([]);
  });
});

it("reads the same pod spec from every kind", async () => {
  const privileged = podWith((p) => {
    p.containers[0].securityContext.privileged = true;
  });
  const found = await violationsOf(
    "no-privileged-containers",
    POD_KINDS.map((k) => workload(k, privileged)),
  );
  expect(found.map((v) => v.resource).sort()).toEqual(POD_KINDS.map((k) => `${k}/demo`).sort());
  expect(found.every((v) => v.enforcement === "mandatory")).toBe(true);
});

it("reads ReplicationControllers and PodTemplates too", async () => {
  const privileged = podWith((p) => {
    p.containers[0].securityContext.privileged = true;
  });
  const rc = object("ReplicationController", "legacy", {
    spec: { replicas: 1, selector: { app: "x" }, template: { metadata: { labels: {} }, spec: privileged } },
  });
  const template = object("PodTemplate", "tpl", { template: { metadata: {}, spec: privileged } });
  const found = await violationsOf("no-privileged-containers", [rc, template]);
  expect(found.map((v) => v.resource).sort()).toEqual(["PodTemplate/tpl", "ReplicationController/legacy"]);
});

it("ignores null volume sources that rendered charts carry", async () => {
  const pod = podWith((p) => {
    p.volumes.push({ name: "cache", emptyDir: {}, hostPath: null });
  });
  expect(await violationsOf("restricted-volume-types", [workload("Deployment", pod)])).toEqual([]);
});
