import type { InputError } from "../types.js";

/** Error codes of input problems; each is reported with the file (and line) and makes the run exit 2. */
export type InputErrorCode =
  | "YAML_SYNTAX"
  | "YAML_ALIAS_LIMIT"
  | "YAML_DUPLICATE_KEY"
  | "YAML_MERGE_CONFLICT"
  | "YAML_DOCUMENT_MARKER"
  | "YAML_TOO_DEEP"
  | "LIST_TOO_DEEP"
  | "LIST_TOO_LARGE"
  | "NOT_AN_OBJECT"
  | "MISSING_KIND"
  | "SCHEMA"
  | "AMBIGUOUS_KIND"
  | "INVALID_UNICODE"
  | "TEMPLATED_YAML"
  | "BINARY_FILE"
  | "FILE_TOO_LARGE"
  | "UNREADABLE"
  | "NOT_FOUND"
  | "SYMLINK_LOOP"
  | "RENDER_FAILED"
  | "RENDER_EMPTY"
  | "TOOL_MISSING"
  | "EMPTY_INPUT"
  | "ENTRYPOINT_NOT_FOUND"
  | "DUPLICATE_RESOURCE";

export function inputError(code: InputErrorCode, file: string, message: string, extra: Partial<InputError> = {}): InputError {
  return { code, file, message, ...extra };
}
