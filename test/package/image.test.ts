/**
 * The webhook image built by scripts/build-image.sh (buildah, vfs, OCI archive): it is the image
 * manifests/admission deploys (same digest: the build is reproducible and pinned), its config runs the
 * webhook as a non-root user with no shell, and `serve --help` runs from its extracted root
 * filesystem as that user, with nothing in the image writable by it.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = join(__dirname, "../..");
const DEPLOYMENT = "manifests/admission/deployment.yaml";
const REPIN = "npm run build && bash scripts/build-image.sh --pin";
const HAS_BUILDAH = spawnSync("buildah", ["--version"]).status === 0;
const IS_ROOT = process.getuid?.() === 0;

interface OciConfig {
  config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Volumes?: Record<string, unknown>; WorkingDir?: string };
  rootfs: { diff_ids: string[] };
}

let work: string;
let rootfs: string;
let config: OciConfig;
let digest: string;
let layers: string[];

const blob = (dir: string, d: string) => join(dir, "blobs", ...d.split(":"));

describe.skipIf(!HAS_BUILDAH)("the webhook image", () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "erlmcp-audit-image-"));
    const archive = join(work, "image.oci.tar");
    // Packs the dist/ built before the tests: a rebuild would rewrite it while other tests run the CLI from it.
    const build = spawnSync("bash", [join(REPO, "scripts/build-image.sh"), archive], {
      encoding: "utf8",
      env: { ...process.env, ERLMCP_AUDIT_PACK_NO_BUILD: "1" },
    });
    expect(build.status, build.stderr).toBe(0);
    digest = build.stdout.trim().split("\n").pop()!;
    const oci = join(work, "oci");
    mkdirSync(oci);
    expect(spawnSync("tar", ["-xf", archive, "-C", oci]).status).toBe(0);
    const index = JSON.parse(readFileSync(join(oci, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(readFileSync(blob(oci, index.manifests[0]!.digest), "utf8")) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    config = JSON.parse(readFileSync(blob(oci, manifest.config.digest), "utf8")) as OciConfig;
    rootfs = join(work, "rootfs");
    mkdirSync(rootfs);
    layers = manifest.layers.map((l) => blob(oci, l.digest));
    for (const layer of manifest.layers) expect(spawnSync("tar", ["-xf", blob(oci, layer.digest), "-C", rootfs]).status).toBe(0);
  }, 420_000);
  afterAll(() => work && rmSync(work, { recursive: true, force: true }));

  it("prints its digest, by which manifests/admission can deploy it", () => {
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("is the image manifests/admission deploys, by digest", () => {
    const deployed = /image: (ghcr\.io\/erlmcp\/erlmcp-audit:[^@\s]+)@(sha256:[0-9a-f]{64})/.exec(
      readFileSync(join(REPO, DEPLOYMENT), "utf8"),
    );
    expect(deployed, `${DEPLOYMENT} deploys no ghcr.io/erlmcp/erlmcp-audit image by digest`).not.toBeNull();
    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    expect(deployed![1]).toBe(`ghcr.io/erlmcp/erlmcp-audit:${version}`);
    expect(
      deployed![2],
      `${DEPLOYMENT} deploys ${deployed![2]}, but the image built from this tree is ${digest}. The image holds dist/ ` +
        `(built from src/), policies/ (with policies/dist), package.json and the locked runtime and dependencies, so a change ` +
        `to any of them changes the digest: re-pin with \`${REPIN}\` and commit the files it names.`,
    ).toBe(digest);
  });

  it("holds the pinned Node runtime and the dependency versions of package-lock.json", () => {
    const runtime = JSON.parse(readFileSync(join(REPO, "scripts/image/runtime.lock.json"), "utf8")) as { nodeBinary: { sha256: string } };
    expect(
      createHash("sha256")
        .update(readFileSync(join(rootfs, "usr/local/bin/node")))
        .digest("hex"),
    ).toBe(runtime.nodeBinary.sha256);
    const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; dev?: boolean }>;
    };
    const prod = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && !entry.dev);
    expect(prod.length).toBeGreaterThan(10);
    for (const [path, entry] of prod) {
      const installed = join(rootfs, "app", path, "package.json");
      expect(existsSync(installed), path).toBe(true);
      expect((JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version, path).toBe(entry.version);
    }
  });

  it("stores every file owned by root with the epoch as its time (nothing of the build host leaks in)", () => {
    for (const layer of layers) {
      const listing = spawnSync("tar", ["--numeric-owner", "--full-time", "-tvzf", layer], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(listing.status).toBe(0);
      const odd = listing.stdout
        .split("\n")
        .filter((line) => line && !/^\S+ 0\/0 +\d+ 1970-01-01 00:00:00 /.test(line))
        .slice(0, 5);
      expect(odd).toEqual([]);
    }
  });

  it("runs the webhook as a non-root numeric user, with no volume to write to", () => {
    expect(config.config.User).toBe("10001:10001");
    expect(config.config.Entrypoint).toEqual(["/usr/local/bin/node", "/app/node_modules/erlmcp-audit/bin/erlmcp-audit.js"]);
    expect(config.config.Volumes ?? {}).toEqual({});
  });

  it("holds no shell and no package manager", () => {
    for (const path of ["bin/sh", "bin/bash", "usr/bin/sh", "usr/bin/apt-get", "usr/local/bin/npm"])
      expect(existsSync(join(rootfs, path)), path).toBe(false);
    expect(existsSync(join(rootfs, "usr/local/bin/node"))).toBe(true);
    expect(existsSync(join(rootfs, "app/node_modules/erlmcp-audit/policies/dist/policy.wasm"))).toBe(true);
    expect(existsSync(join(rootfs, "app/node_modules/vitest"))).toBe(false);
  });

  it.skipIf(!IS_ROOT)("runs `serve --help` from the extracted root filesystem as its user, writing nothing", () => {
    const r = spawnSync("/usr/sbin/chroot", ["--userspec=10001:10001", rootfs, ...config.config.Entrypoint!, "serve", "--help"], {
      encoding: "utf8",
      env: { PATH: "/usr/local/bin", HOME: "/nonexistent" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--tls-cert");
    const writable = spawnSync("find", [rootfs, "-perm", "-o+w", "-not", "-type", "l"], { encoding: "utf8" });
    expect(writable.stdout.trim()).toBe("");
  });
});
