/** The SHA-256 of text or bytes, in hex: how files, inputs and records are named by their content. */
import { createHash } from "node:crypto";

/** SHA-256 (hex) of `data` (text as UTF-8). */
export const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
