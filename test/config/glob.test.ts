/**
 * Glob patterns (the config's `exclude`, `--controls`) match in time linear in the text: no pattern can
 * make a run hang the way `a*a*a*…b` hangs a backtracking regular expression.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { selectControls } from "../../src/catalog/select.js";
import { compileGlob } from "../../src/config/glob.js";
import { skipRules } from "../../src/loaders/exclude.js";

const path = (pattern: string, text: string) => compileGlob(pattern, { paths: true })(text);
const plain = (pattern: string, text: string) => compileGlob(pattern)(text);

/** Milliseconds `fn` takes. */
function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

describe("compileGlob", () => {
  it.each([
    ["*.yaml", "a.yaml", true],
    ["*.yaml", "dir/a.yaml", false],
    ["**/*.yaml", "a.yaml", true],
    ["**/*.yaml", "dir/sub/a.yaml", true],
    ["dist/**", "dist/a/b.yaml", true],
    ["dist/**", "dist", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/xb", false],
    ["?.yaml", "a.yaml", true],
    ["?.yaml", "/.yaml", false],
    ["[ab].yaml", "[ab].yaml", true],
    ["[ab].yaml", "a.yaml", false],
    ["{a,b}.yaml", "a.yaml", false],
  ])("path mode: %s against %s is %s", (pattern, text, expected) => {
    expect(path(pattern, text)).toBe(expected);
  });

  it("without path mode, * crosses any character (control IDs)", () => {
    expect(plain("pod-*", "pod-no-host-access")).toBe(true);
    expect(plain("*-host-*", "pod-no-host-access")).toBe(true);
    expect(plain("pod-?o-*", "pod-no-host-access")).toBe(true);
    expect(plain("net-*", "pod-no-host-access")).toBe(false);
    expect(plain("pod.no", "pod-no")).toBe(false);
  });

  it("matches a*a*…a*b against 100,000 a's in linear time", () => {
    const pattern = `${"a*".repeat(40)}b`;
    const text = "a".repeat(100_000);
    expect(timed(() => expect(plain(pattern, text)).toBe(false))).toBeLessThan(2_000);
    expect(timed(() => expect(path(pattern, `${text}b`)).toBe(true))).toBeLessThan(2_000);
    // The regular expression the matcher replaced takes exponential time here: 30 a's already hang it.
    const doubling = [16, 32].map((n) => timed(() => plain(pattern, "a".repeat(n * 1000))));
    expect(doubling[1]!).toBeLessThan(doubling[0]! * 4 + 50);
  });

  it("matches **/ chains against deep paths in linear time", () => {
    const pattern = `${"**/".repeat(30)}x`;
    const text = `${"d/".repeat(20_000)}y`;
    expect(timed(() => expect(path(pattern, text)).toBe(false))).toBeLessThan(2_000);
  });
});

describe("--controls globs", () => {
  it("rejects a pathological pattern that matches nothing without hanging", () => {
    const catalog = loadCatalog();
    const pattern = `${"*-".repeat(40)}zzz`;
    expect(timed(() => expect(() => selectControls(catalog, [pattern])).toThrow(/Unknown control/))).toBeLessThan(2_000);
    expect(selectControls(catalog, ["pod-no-*"]).map((c) => c.id)).toContain("pod-no-host-access");
  });
});

describe("exclude patterns", () => {
  const rules = skipRules({ exclude: { base: "/repo", patterns: ["dist/", "/ci/*.yaml", "**/*.draft.yaml", "docs"] } });

  it.each([
    ["a folder pattern matches a folder of that name at any depth", "folder", "/repo/app/dist", "dist/"],
    ["a folder pattern does not match a file", "file", "/repo/app/dist", undefined],
    ["a pattern with a / is anchored at the config folder", "file", "/repo/ci/x.yaml", "/ci/*.yaml"],
    ["an anchored pattern does not match deeper", "file", "/repo/app/ci/x.yaml", undefined],
    ["**/ matches at any depth", "file", "/repo/a/b/x.draft.yaml", "**/*.draft.yaml"],
    ["a bare name matches files and folders", "file", "/repo/app/docs", "docs"],
    ["nothing outside the config folder matches", "folder", "/elsewhere/dist", undefined],
  ])("%s", (_, kind, p, pattern) => {
    const verdict = kind === "folder" ? rules.folder(p) : rules.file(p);
    if (pattern) expect(verdict).toEqual({ reason: "excluded", detail: pattern });
    else expect(verdict?.reason).not.toBe("excluded");
  });

  it("skips only version control and node_modules by default, and lists non-manifests", () => {
    const none = skipRules();
    expect([".git", ".hg", ".svn", "node_modules", ".hidden", "dist", "coverage"].map((d) => none.folder(`/r/${d}`)?.reason)).toEqual([
      "defaultSkip",
      "defaultSkip",
      "defaultSkip",
      "defaultSkip",
      undefined,
      undefined,
      undefined,
    ]);
    expect(["a.yaml", "a.yml", "a.json", "a.txt", "a.YAML", "erlmcp-audit.extra.yaml"].map((f) => none.file(`/r/${f}`)?.reason)).toEqual([
      undefined,
      undefined,
      undefined,
      "notManifest",
      "notManifest",
      undefined,
    ]);
  });
});
