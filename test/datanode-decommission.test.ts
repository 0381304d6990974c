import { dataNodeStatesScript, excludedScript, excludeScript, refreshNodesScript } from "../components/hdfs/spec";
import { DECOMMISSIONED_ANNOTATION } from "../components/kit/manifests";
import type { ConfigError } from "../infra/config/load";
import { loadPlatform } from "../infra/config/stack";
import { applyDataNodes, dataNodesTransform, describeDataNodes, planDataNodes } from "../infra/datanode-decommission";
import type { LiveCluster } from "../infra/scale-checks";
import { applySets, readStackFile } from "../tools/plan";
import { ROOT } from "./helpers";

const prod = (dataNodes: number) => {
  const config = readStackFile("prod");
  return loadPlatform(ROOT, "prod", config, applySets([`hdfs.dataNodes.replicas=${dataNodes}`], config));
};
const host = (i: number) => `hdfs-datanode-${i}.hdfs-datanode-headless.data-platform.svc.cluster.local`;
const SH = (script: string) => `/bin/bash -c ${script}`;

/**
 * A deployed DataNode StatefulSet and NameNodes that answer the report with `states()` (called
 * once per report); records every command run, in which pod.
 */
function cluster(live: { replicas: number; mark?: string; listed?: number[] }, states: () => string[], fail: Record<string, string> = {}) {
  const ran: string[] = [];
  const fake: LiveCluster = {
    statefulSet: async (_ns, name) =>
      name === "hdfs-datanode"
        ? {
            replicas: live.replicas,
            annotations: (live.mark === undefined ? {} : { [DECOMMISSIONED_ANNOTATION]: live.mark }) as Record<string, string>,
            claims: [],
          }
        : undefined,
    expandable: async () => undefined,
    exec: async (_ns, pod, container, command) => {
      const line = command.join(" ");
      ran.push(`${pod}/${container}: ${line}`);
      const failed = Object.entries(fail).find(([needle]) => line.includes(needle));
      if (failed) return { code: 1, output: failed[1] };
      if (line === SH(excludedScript())) return { code: 0, output: (live.listed ?? []).map((i) => `${host(i)}\n`).join("") };
      return {
        code: 0,
        output:
          line === SH(dataNodeStatesScript())
            ? `${states()
                .map((s) => `datanode ${s}`)
                .join("\n")}\n`
            : "",
      };
    },
    claims: async () => [],
    growClaim: async () => undefined,
    orphanStatefulSet: async () => undefined,
  };
  return { fake, ran };
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "",
    (e: ConfigError) => e.problems.join("\n"),
  );
const report = [`${host(0)} Normal`, `${host(1)} Normal`, `${host(2)} Normal`, `${host(3)} Normal`];

describe("lowering hdfs.dataNodes.replicas", () => {
  it("plans to decommission the DataNodes that go, after asking the NameNode, and says so", async () => {
    const { fake, ran } = cluster({ replicas: 5 }, () => report);
    const change = await planDataNodes(prod(3), fake);
    expect(change).toMatchObject({
      from: 5,
      to: 3,
      decommission: [3, 4],
      readmit: [],
      excluded: [3, 4],
      nameNodes: ["hdfs-namenode-0", "hdfs-namenode-1"],
      previous: [],
      timeoutS: 3600,
    });
    expect(ran).toEqual([`hdfs-namenode-0/namenode: ${SH(excludedScript())}`]);
    expect(describeDataNodes(change!)).toBe(
      "hdfs.dataNodes.replicas: lowering it from 5 to 3 decommissions hdfs-datanode-3, hdfs-datanode-4 first (their blocks are copied to the DataNodes that stay, then the pods go).",
    );
  });

  it("refuses when the NameNode cannot be asked, and changes nothing", async () => {
    const { fake, ran } = cluster({ replicas: 4 }, () => report, { "cat /var/lib/hadoop/excluded-datanodes": "Unexpected server response: 400" });
    expect(await refusal(planDataNodes(prod(3), fake))).toBe(
      "hdfs.dataNodes.replicas (stack prod): lowering it from 4 to 3 decommissions hdfs-datanode-3 first (their blocks are copied to the DataNodes that stay, then the pods go), and the program cannot reach the NameNode to do it (hdfs-namenode-0: Unexpected server response: 400). Change the count once the NameNode runs; nothing was changed.",
    );
    expect(ran).toHaveLength(1);
  });

  it("has nothing to do when the count does not go down and nothing was excluded, or nothing is deployed", async () => {
    const { fake, ran } = cluster({ replicas: 3, mark: "" }, () => report);
    expect(await planDataNodes(prod(3), fake)).toBeUndefined();
    // Every run reads the exclude file; a NameNode that cannot be asked (none running yet) holds nothing back.
    expect(await planDataNodes(prod(4), fake)).toBeUndefined();
    expect(ran).toEqual(Array(2).fill(`hdfs-namenode-0/namenode: ${SH(excludedScript())}`));
    expect(await planDataNodes(prod(3), cluster({ replicas: 3 }, () => report, { "cat ": "container not found" }).fake)).toBeUndefined();
    expect(await planDataNodes(prod(4), cluster({ replicas: 3 }, () => report, { "cat ": "container not found" }).fake)).toBeUndefined();
    expect(await planDataNodes(prod(4), { ...fake, statefulSet: async () => undefined })).toBeUndefined();
  });

  it("excludes them on both NameNodes, refreshes, and waits until the NameNode reports them Decommissioned", async () => {
    let reports = 0;
    const { fake, ran } = cluster({ replicas: 4 }, () => {
      reports += 1;
      return [`${host(0)} Normal`, `${host(3)} ${reports < 2 ? "Decommission in progress" : "Decommissioned"}`];
    });
    const change = (await planDataNodes(prod(3), fake))!;
    ran.length = 0;
    await applyDataNodes(prod(3), fake, change, { intervalMs: 1 });
    expect(ran).toEqual([
      `hdfs-namenode-0/namenode: ${SH(excludeScript([host(3)]))}`,
      `hdfs-namenode-1/namenode: ${SH(excludeScript([host(3)]))}`,
      `hdfs-namenode-0/namenode: ${SH(refreshNodesScript())}`,
      // In progress, then Decommissioned.
      ...Array(2).fill(`hdfs-namenode-0/namenode: ${SH(dataNodeStatesScript())}`),
    ]);
  });

  it("puts the exclude list back and refuses when the blocks are not copied in time", async () => {
    const { fake, ran } = cluster({ replicas: 4, mark: "5" }, () => [`${host(3)} Decommission in progress`]);
    const change = { ...(await planDataNodes(prod(3), fake))!, timeoutS: 0 };
    ran.length = 0;
    expect(await refusal(applyDataNodes(prod(3), fake, change, { intervalMs: 1 }))).toBe(
      "hdfs.dataNodes.replicas (stack prod): hdfs-datanode-3 (Decommission in progress) still decommissioning after hdfs.dataNodes.decommissionTimeoutMinutes (0): their blocks were not all copied yet. Raise it, or lower the count in smaller steps; they are back in service. The DataNodes keep their count (4); nothing else was changed.",
    );
    expect(ran.filter((r) => r.includes("excluded-datanodes.new"))).toEqual([
      `hdfs-namenode-0/namenode: ${SH(excludeScript([host(3), host(5)]))}`,
      `hdfs-namenode-1/namenode: ${SH(excludeScript([host(3), host(5)]))}`,
      `hdfs-namenode-0/namenode: ${SH(excludeScript([host(5)]))}`,
      `hdfs-namenode-1/namenode: ${SH(excludeScript([host(5)]))}`,
    ]);
  });

  it("gives up early, saying why, when the NameNode ignores the exclusion (a name it cannot resolve)", async () => {
    const { fake } = cluster({ replicas: 4 }, () => [`${host(3)} Normal`]);
    const change = (await planDataNodes(prod(3), fake))!;
    expect(await refusal(applyDataNodes(prod(3), fake, change, { intervalMs: 1, ignoredAfterS: 0 }))).toBe(
      'hdfs.dataNodes.replicas (stack prod): the NameNode still reports hdfs-datanode-3 Normal 0s after dfsadmin -refreshNodes: it ignores a host name it cannot resolve (its log says "Failed to resolve address"); check the DataNodes\' headless Service; they are back in service. The DataNodes keep their count (4); nothing else was changed.',
    );
  });

  it("gives up when the NameNode does not report a leaving DataNode at all (another name): nothing vouches for its blocks", async () => {
    const { fake } = cluster({ replicas: 4 }, () => [`${host(0)} Normal`]);
    const change = (await planDataNodes(prod(3), fake))!;
    expect(await refusal(applyDataNodes(prod(3), fake, change, { intervalMs: 1, ignoredAfterS: 0 }))).toMatch(
      /^hdfs\.dataNodes\.replicas \(stack prod\): the NameNode does not report hdfs-datanode-3 among its DataNodes, so nothing confirms its blocks are elsewhere \(does it register under another name\?\); they are back in service\./,
    );
  });

  it("tells the pending states while it waits", async () => {
    let now = 0;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      let reports = 0;
      const { fake } = cluster({ replicas: 4 }, () => {
        reports += 1;
        now += 61_000;
        return [`${host(3)} ${reports < 3 ? "Decommission in progress" : "Decommissioned"}`];
      });
      const told: string[] = [];
      await applyDataNodes(prod(3), fake, (await planDataNodes(prod(3), fake))!, { intervalMs: 1, progress: (m) => told.push(m) });
      expect(told).toEqual([
        "hdfs.dataNodes.replicas: waiting for hdfs-datanode-3 (Decommission in progress); 1 of 60 min.",
        "hdfs.dataNodes.replicas: waiting for hdfs-datanode-3 (Decommission in progress); 2 of 60 min.",
      ]);
    } finally {
      Date.now = realNow;
    }
  });

  it("marks the StatefulSet with the exclude list this run leaves", async () => {
    const { fake } = cluster({ replicas: 5, mark: "7" }, () => report);
    const t = dataNodesTransform("data-platform", (await planDataNodes(prod(3), fake))!);
    const out = await t({
      custom: true,
      type: "kubernetes:apps/v1:StatefulSet",
      name: "hdfs-datanode",
      props: { metadata: { name: "hdfs-datanode", namespace: "data-platform" } },
      opts: { protect: true, ignoreChanges: [`metadata.annotations["${DECOMMISSIONED_ANNOTATION}"]`] },
    });
    expect(out!.props.metadata.annotations).toEqual({ [DECOMMISSIONED_ANNOTATION]: "3,4,7" });
    expect(out!.opts).toEqual({ protect: true, ignoreChanges: [] });
  });
});

describe("raising hdfs.dataNodes.replicas over DataNodes decommissioned earlier", () => {
  it("readmits what a scale-down left excluded when its run stopped before the StatefulSet shrank and the count was set back", async () => {
    const { fake } = cluster({ replicas: 4, listed: [3] }, () => report);
    expect(await planDataNodes(prod(4), fake)).toMatchObject({ decommission: [], readmit: [3], excluded: [] });
  });

  it("readmits those the exclude file lists even when the StatefulSet lost its mark (a restored cluster)", async () => {
    const { fake } = cluster({ replicas: 3, listed: [3, 4] }, () => report);
    expect(await planDataNodes(prod(4), fake)).toMatchObject({ decommission: [], readmit: [3], excluded: [4], previous: [3, 4] });
  });

  it("refuses when the mark says some must be readmitted and the NameNode cannot be asked", async () => {
    const { fake } = cluster({ replicas: 3, mark: "3" }, () => report, { "cat ": "Unexpected server response: 403" });
    expect(await refusal(planDataNodes(prod(4), fake))).toMatch(
      /^hdfs\.dataNodes\.replicas \(stack prod\): 4 DataNodes readmit hdfs-datanode-3, decommissioned earlier, before their pods start, and the program cannot reach the NameNode to do it \(hdfs-namenode-0: Unexpected server response: 403\)\. The deployer needs the right to exec into pods/,
    );
  });

  it("readmits them before their pods start, and keeps the rest excluded", async () => {
    const { fake, ran } = cluster({ replicas: 3, mark: "3,4" }, () => report);
    const change = (await planDataNodes(prod(4), fake))!;
    expect(change).toMatchObject({ decommission: [], readmit: [3], excluded: [4] });
    expect(describeDataNodes(change)).toBe("hdfs.dataNodes.replicas: 4 DataNodes readmit hdfs-datanode-3, decommissioned earlier, before their pods start.");
    ran.length = 0;
    await applyDataNodes(prod(4), fake, change, { intervalMs: 1 });
    expect(ran.slice(0, 3)).toEqual([
      `hdfs-namenode-0/namenode: ${SH(excludeScript([host(4)]))}`,
      `hdfs-namenode-1/namenode: ${SH(excludeScript([host(4)]))}`,
      `hdfs-namenode-0/namenode: ${SH(refreshNodesScript())}`,
    ]);
  });
});
