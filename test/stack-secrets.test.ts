import { runProgram } from "../infra/program";
import { readStackFile, recordResources, SECRET_PLACEHOLDER } from "../tools/plan";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{ name: admin, user: { token: not-for-the-state } }]\n";

/** The k8s Provider's inputs when dev's stack config has a kubeconfig, set with or without --secret. */
async function providerInputs(secretKeys: string[]): Promise<Record<string, unknown>> {
  const config = { ...readStackFile("dev"), "dataplatform:kubeconfig": KUBECONFIG };
  const resources = await recordResources("dev", config, () => runProgram(), secretKeys);
  return resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs;
}

describe("stack config secrets", () => {
  it("hands a kubeconfig set with --secret to the Provider as a secret", async () => {
    expect((await providerInputs(["dataplatform:kubeconfig"])).kubeconfig).toBe(SECRET_PLACEHOLDER);
  });

  it("hands a plain kubeconfig to the Provider as it is", async () => {
    expect((await providerInputs([])).kubeconfig).toBe(KUBECONFIG);
  });
});
