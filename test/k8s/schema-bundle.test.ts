/**
 * The schema bundles of `npm run build` (scripts/bundle-schemas.ts, dist/schemas) stand in for the
 * packages only when they are the same code: every kind they hold finds the same schema and gives the
 * same validation errors as the package's own module, on every fixture and reference manifest and on a
 * broken object of every bundled kind; bundles of other package versions are not used.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE_INDEX, createSchemaRegistry, type SchemaBundleIndex, type SchemaRegistry } from "../../src/k8s/schema/registry.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { FIXTURES_DIR } from "../fixture-files.js";
import { objectsIn } from "../helpers/manifest-objects.js";

const BUNDLES = join(PACKAGE_ROOT, "dist", "schemas");
const bundled = createSchemaRegistry(BUNDLES);
const packages = createSchemaRegistry(undefined);

/** What the schema of `object`'s kind says of it: its package, and the errors its validator throws. */
async function verdict(registry: SchemaRegistry, object: Record<string, unknown>): Promise<unknown> {
  const schema = await registry.schemaFor(String(object.apiVersion), String(object.kind));
  if (!schema) return "unknown kind";
  try {
    schema.model.prototype.validate.call(object);
    return { source: schema.source, errors: [] };
  } catch (error) {
    return { source: schema.source, errors: (error as { errors?: unknown }).errors ?? String(error) };
  }
}

describe("schema bundles", () => {
  it("npm run build bundled the schemas of the installed packages", () => {
    expect(existsSync(join(BUNDLES, BUNDLE_INDEX))).toBe(true);
    expect(bundled.bundled).toBe(true);
    expect(packages.bundled).toBe(false);
  });

  it("give every fixture and reference manifest the schema and errors the packages give", async () => {
    const objects = [...objectsIn(FIXTURES_DIR), ...objectsIn(join(PACKAGE_ROOT, "manifests"))];
    expect(objects.length).toBeGreaterThan(500);
    let failing = 0;
    for (const object of objects as Record<string, unknown>[]) {
      const expected = await verdict(packages, object);
      if (typeof expected === "object" && (expected as { errors: unknown[] }).errors.length) failing++;
      expect(await verdict(bundled, object), `${String(object.kind)} ${JSON.stringify(object.metadata)}`).toEqual(expected);
    }
    // The comparison covers objects the validators reject, not only valid ones.
    expect(failing).toBeGreaterThan(0);
  });

  it("give a broken object of every bundled kind the packages' errors, and the PodSpec schema", async () => {
    const index = JSON.parse(readFileSync(join(BUNDLES, BUNDLE_INDEX), "utf8")) as SchemaBundleIndex;
    const names = Object.keys(index.versions);
    let kinds = 0;
    for (const module of index.modules) {
      const name = names.find((n) => module.startsWith(`${n}/`))!;
      const path = module.slice(name.length + 1, -".js".length).split("/");
      const kind = path.pop()!;
      const apiVersion = path[0] === "v1" && path.length === 1 ? "v1" : path.join("/");
      const broken = { apiVersion, kind, metadata: { name: 5, labels: "x" }, spec: 7, status: [] };
      const expected = await verdict(packages, broken);
      if (expected !== "unknown kind") kinds++;
      expect(await verdict(bundled, broken), module).toEqual(expected);
    }
    expect(kinds).toBeGreaterThan(400);
    const pod = { containers: [{ name: 1, image: ["x"] }], restartPolicy: 3 };
    const errorsOf = async (registry: SchemaRegistry) => {
      try {
        (await registry.podSpecSchema()).model.prototype.validate.call(pod);
        return [];
      } catch (error) {
        return (error as { errors?: unknown }).errors;
      }
    };
    expect(await errorsOf(bundled)).toEqual(await errorsOf(packages));
    expect(await errorsOf(bundled)).not.toEqual([]);
  });

  it("are not used when they were built from other package versions", () => {
    const dir = mkdtempSync(join(tmpdir(), "schema-bundle-"));
    const index = JSON.parse(readFileSync(join(BUNDLES, BUNDLE_INDEX), "utf8")) as SchemaBundleIndex;
    writeFileSync(join(dir, BUNDLE_INDEX), JSON.stringify({ ...index, versions: { ...index.versions, "kubernetes-models": "0.0.1" } }));
    expect(createSchemaRegistry(dir).bundled).toBe(false);
  });
});
