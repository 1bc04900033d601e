/**
 * A YAML parse error as one line that holds no text of the file: yaml's first line, without its position
 * (reported beside it) and without what follows its first ": " (the source token, alias or tag it quotes:
 * `Unexpected scalar token in YAML stream: "wJalrXUtnFEMI…"`). A file read through a link a repository
 * planted (`erlmcp-audit.config.yaml -> ~/.aws/credentials`) must not have its secrets quoted in CI logs.
 */
export function yamlErrorSummary(message: string): string {
  const first = (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  const cut = first.indexOf(": ");
  return (cut < 0 ? first : first.slice(0, cut)).trim() || "invalid YAML";
}
