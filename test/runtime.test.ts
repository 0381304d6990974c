import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./helpers";

describe("toolchain", () => {
  it("runs on the Node version the project declares (from the node devDependency, not the system's)", () => {
    const declared = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node as string;
    const minimum = Number(/>=\s*(\d+)/.exec(declared)![1]);
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(minimum);
  });
});
