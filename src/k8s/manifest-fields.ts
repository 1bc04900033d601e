/** Readers of loosely typed manifest fields: manifests are untrusted input, so any field may hold anything. */
import type { K8sObject } from "../types.js";

/** A loosely typed object of a manifest. */
export type Rec = Record<string, any>;

/** `value` when it is a plain object, else an empty one. */
export const rec = (value: unknown): Rec => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Rec) : {});

/** `value` when it is an array, else an empty one. */
export const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/** `metadata.namespace` when it is a string, else "". */
export const nsOf = (obj: K8sObject): string => (typeof obj.metadata?.namespace === "string" ? obj.metadata.namespace : "");

/** `metadata.name` when it is a string, else "". */
export const nameOf = (obj: K8sObject): string => (typeof obj.metadata?.name === "string" ? obj.metadata.name : "");
