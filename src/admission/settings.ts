/** The config and waiver files of the webhook: the same files as the CLI, reloaded when they change. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { DEFAULT_PROFILE } from "../config/profiles.js";
import type { PolicySettings } from "./evaluator.js";

export interface SettingsSource {
  /** erlmcp-audit.config.yaml; none means defaults and no waivers. */
  config?: string;
  waivers?: string[];
  /** Overrides the config's profile. */
  profile?: string;
  cwd: string;
}

export interface LoadedSettings {
  settings: PolicySettings;
  /** Every file the settings came from, to watch for changes. */
  files: string[];
}

export function loadSettings(source: SettingsSource): LoadedSettings {
  const loaded = loadConfig(source.config, source.cwd, source.waivers);
  const base = source.config ? dirname(resolve(source.cwd, source.config)) : source.cwd;
  const files = [
    ...(source.config ? [resolve(source.cwd, source.config)] : []),
    ...(loaded.config.waivers ?? []).map((w) => resolve(base, w)),
    ...(source.waivers ?? []).map((w) => resolve(source.cwd, w)),
  ];
  return {
    settings: { config: loaded.config, waivers: loaded.waivers, profile: source.profile ?? loaded.config.profile ?? DEFAULT_PROFILE },
    files,
  };
}

/** A content hash of the files (a missing file hashes as missing), so ConfigMap symlink swaps are seen too. */
export function fingerprint(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file).update("\u0000");
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update("\u0000missing");
    }
  }
  return hash.digest("hex");
}
