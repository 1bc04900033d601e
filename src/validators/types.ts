import type { K8sObject, Params, Resource, Violation } from "../types.js";

export type { Params };

/** A TypeScript validator of one object-scope control: judges one object. */
export interface ObjectValidator {
  id: string;
  scope: "object";
  validate(object: K8sObject, params: Params): Violation[];
}

/** A TypeScript validator of one set-scope control: judges the whole manifest set of an audit unit. */
export interface SetValidator {
  id: string;
  scope: "set";
  validate(resources: readonly Resource[], params: Params): Violation[];
}

export type Validator = ObjectValidator | SetValidator;
