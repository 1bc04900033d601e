/** The explicit map of third-party scanners (`--engine trivy`). */
import type { ThirdPartyScanner } from "./types.js";
import { TrivyScanner } from "./trivy.js";

export const SCANNER_FACTORIES: Readonly<Record<ThirdPartyScanner["name"], () => ThirdPartyScanner>> = {
  trivy: () => new TrivyScanner(),
};
