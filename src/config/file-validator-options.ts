/** The ajv options of the config and waiver file validators (scripts/generate-file-validators.ts). */
export const FILE_VALIDATOR_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;
