import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // Generated from schemas (ajv's standalone validators, types): checked for drift, not written here.
      exclude: ["src/**/*.generated.ts"],
      reporter: ["text-summary", "json-summary"],
      thresholds: { lines: 85 },
    },
  },
});
