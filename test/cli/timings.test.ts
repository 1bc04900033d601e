/** `--timings`: phase times on stderr, never in the report (which stays byte-identical). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTimings } from "../../src/cli/timings.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

describe("--timings", () => {
  it("prints the phases on stderr and leaves the JSON report unchanged", async () => {
    const dir = tempTree({ "in/cm.yaml": CONFIGMAP("erlmcp-config") });
    const args = [join(dir, "in"), "--no-config", "--quiet", "--format", "json", "--output"];
    const timed = await runCli([...args, join(dir, "a.json"), "--timings"]);
    const plain = await runCli([...args, join(dir, "b.json")]);
    expect(timed.code).toBe(plain.code);
    expect(timed.stderr).toMatch(/^timings: total \d+ ms = prepare \d+ ms \+ render \d+ ms \(helm\/kustomize\) \+ load \d+ ms/m);
    expect(plain.stderr).not.toMatch(/timings:/);
    const strip = (f: string) => ({ ...JSON.parse(readFileSync(join(dir, f), "utf8")), generatedAt: "" });
    expect(strip("a.json")).toEqual(strip("b.json"));
  });

  it("reports the time excluding renders", () => {
    const line = formatTimings({ prepareMs: 10, renderMs: 500, loadMs: 20.4, evaluateMs: 30, locateMs: 7, reportMs: 5, totalMs: 572 });
    expect(line).toBe(
      "timings: total 572 ms = prepare 10 ms + render 500 ms (helm/kustomize) + load 20 ms + evaluate 30 ms + locate 7 ms (findings' lines) + report 5 ms; excluding render: 72 ms\n",
    );
  });
});
