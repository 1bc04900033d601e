/** The bundled schema validators' RE2 (src/k8s/schema/lazy-re2.ts): re2-wasm's, compiled on first use. */
import { RE2 } from "re2-wasm";
import { describe, expect, it } from "vitest";
import LazyRE2, { lazyPatternsCompiled } from "../../src/k8s/schema/lazy-re2.js";

describe("LazyRE2", () => {
  it("compiles its pattern when a value is first tested, once", () => {
    const before = lazyPatternsCompiled();
    const pattern = new LazyRE2("^(?i)(abort|warn)?$", "u");
    expect(lazyPatternsCompiled()).toBe(before);
    expect(pattern.test("WARN")).toBe(true);
    expect(pattern.test("warning")).toBe(false);
    expect(lazyPatternsCompiled()).toBe(before + 1);
    expect(String(pattern)).toBe("/^(?i)(abort|warn)?$/u");
  });

  it.each([
    ["^(?i)(abort|warn)?$", ["", "Abort", "warn", "aborted", "x"]],
    ["^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ["a", "a-b", "-a", "A", "a\n"]],
    ["^\\d+(\\.\\d+)?$", ["1", "1.5", "١", "1."]],
  ])("answers as re2-wasm's RE2 does: %s", (source, texts) => {
    const lazy = new LazyRE2(source, "u");
    const eager = new RE2(source, "u");
    for (const text of texts) {
      expect(lazy.test(text), text).toBe(eager.test(text));
      expect(lazy.exec(text), text).toEqual(eager.exec(text));
    }
  });

  it("reports a pattern RE2 cannot compile when it is used", () => {
    const pattern = new LazyRE2("(?<=a)b", "u");
    expect(() => pattern.test("ab")).toThrow();
  });
});
