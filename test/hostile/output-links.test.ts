/**
 * A repository under audit can hold a symbolic link where CI will write the report (`results.sarif ->
 * ~/.bashrc`): `--output`, `--write-baseline` and `cluster --output` replace such a link with the file and
 * never write through it (src/tools/replace-file.ts, shared with the evidence package).
 */
import { chmodSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replaceFile } from "../../src/tools/replace-file.js";
import { runCli } from "../helpers/cli.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

describe("report files are never written through a planted link", () => {
  // --write-baseline takes the findings in as accepted: that run exits 0.
  it.each([
    ["--output", 1],
    ["--write-baseline", 0],
  ])("%s replaces a link at its path and leaves the link's target alone", async (option, code) => {
    const root = tempTree({ "in/app.yaml": SURVIVOR_DEPLOYMENT, "victim.txt": "precious\n" });
    const out = join(root, "results.json");
    symlinkSync(join(root, "victim.txt"), out);
    const run = await runCli([join(root, "in"), "--controls", "chg-image-digest", "--no-config", "--format", "json", option, out]);
    expect(run.stderr).toBe("");
    expect(run.code, "the run itself: its finding on the image tag, no error").toBe(code);
    expect(readFileSync(join(root, "victim.txt"), "utf8")).toBe("precious\n");
    expect(lstatSync(out).isSymbolicLink()).toBe(false);
    expect(readFileSync(out, "utf8").length).toBeGreaterThan(10);
  });

  it("keeps the permission bits of a file it replaces, and gives a new one 0644", () => {
    const root = tempTree({ "private.json": "old" });
    chmodSync(join(root, "private.json"), 0o600);
    replaceFile(join(root, "private.json"), "new");
    expect(statSync(join(root, "private.json")).mode & 0o777).toBe(0o600);
    replaceFile(join(root, "new.json"), "new");
    expect(statSync(join(root, "new.json")).mode & 0o777).toBe(0o644);
    writeFileSync(join(root, "target"), "t");
    symlinkSync(join(root, "target"), join(root, "link"));
    replaceFile(join(root, "link"), "written");
    expect(readFileSync(join(root, "target"), "utf8")).toBe("t");
    expect(readFileSync(join(root, "link"), "utf8")).toBe("written");
  });
});
