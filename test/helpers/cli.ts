import { buildProgram } from "../../src/cli/main.js";

/** Runs the CLI in-process; returns its exit code and what it wrote. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  let code = 0;
  const io = {
    stdout: (s: string) => void (stdout += s),
    stderr: (s: string) => void (stderr += s),
    setExit: (c: number) => void (code = c),
  };
  try {
    await buildProgram(args, io).parseAsync(args, { from: "user" });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (!e.code?.startsWith("commander.")) stderr += `erlmcp-audit: ${e.message}\n`;
    code = e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
  }
  return { code, stdout, stderr };
}
