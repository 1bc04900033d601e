export { buildEvidence, criterionStatus, EVIDENCE_SCHEMA_VERSION, CRITERION_STATUSES } from "./model.js";
export type {
  Evidence,
  EvidenceControl,
  EvidenceCriterion,
  EvidenceFinding,
  EvidenceFramework,
  EvidenceResource,
  CriterionStatus,
  AutomatedStatus,
  ControlStatus,
} from "./model.js";
export { loadFramework, FRAMEWORK_IDS, type FrameworkCatalog, type FrameworkCriterion } from "./frameworks.js";
export { renderOscal } from "./oscal.js";
export { renderControlsCsv, renderFindingsCsv, csvCell } from "./csv.js";
export { renderHtml, esc } from "./html.js";
export { uuidv5, EVIDENCE_NAMESPACE } from "./uuid.js";
export {
  createEvidencePackage,
  renderEvidencePackage,
  writeEvidencePackage,
  verifyEvidencePackage,
  gitState,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  PACKAGE_FILES,
  type EvidencePackage,
  type EvidencePackageOptions,
  type VerifyResult,
} from "./package.js";
