import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

/** Shell builtins: their arguments never reach another process's command line. */
const BUILTINS = new Set(["export", "printf", "echo", "test", "[", "[[", "read", "local", "declare", "readonly", ":", "true", "false", "case", "for"]);
/** Variables that name an identity rather than hold a secret (AWS_SECRET_ACCESS_KEY is a secret all the same). */
const IDENTITY = /(^|_)(USER|USERNAME|LOGIN|ACCESS_KEY|ACCESS_KEY_ID)$/i;
const SECRET_WORD = /SECRET|PASSWORD|PASSWD|TOKEN/i;
const isIdentity = (name: string) => IDENTITY.test(name) && !SECRET_WORD.test(name);
const SHELLS = /(^|\/)(ba|da|z)?sh$/;
/** A credential flag with a literal value, e.g. --password=hunter2 (a $VAR value is judged as a reference; a flag alone, as the Trino CLI's --password, reads it elsewhere). */
const LITERAL_FLAG = /(?:^|\s)--?(?:password|passwd|secret|token|pass)(?:=|\s+)(?!["']?[$-])["']?[^\s"']+/i;

/** The commands of a shell script with the secret variables each passes as an argument. */
export function scriptLeaks(script: string, secrets: Set<string>): { command: string; variable: string }[] {
  const leaks: { command: string; variable: string }[] = [];
  // One simple command per segment: lines, then ;, &&, ||, pipes and $( ) (a heredoc body is not a command).
  const segments = script
    // A heredoc's body (to its terminator line) is data; the rest of the line that opens it is a command.
    .replace(/<<-?\s*['"]?(\w+)['"]?([^\n]*)\n[\s\S]*?\n[\t ]*\1(?=\n|$)/g, "$2")
    .split(/\n|;|&&|\|\||\||\$\(|\)/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const segment of segments) {
    const words = segment.replace(/^(until|while|if|then|do|else|exec|!)\s+/, "").split(/\s+/);
    // Leading assignments (X=... cmd) set the command's environment, not its arguments.
    while (words.length && /^\w+=/.test(words[0])) words.shift();
    const command = words[0];
    if (!command || BUILTINS.has(command)) continue;
    for (const variable of secrets) {
      if (new RegExp(`\\$\\{?${variable}\\b`).test(words.slice(1).join(" "))) leaks.push({ command, variable });
    }
  }
  return leaks;
}

export const credentialsInArguments = podPolicy(
  {
    name: "credentials-in-arguments",
    description:
      "No credential reaches a process's command line (readable in /proc by every process of the pod, and in `ps`): not as a literal flag, not through $(VAR) expansion, not as a script's argument to a command.",
    enforcementLevel: "mandatory",
    remediationSteps: "Pass the secret on the command's standard input, in a file it reads, or in an environment variable it reads itself.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      // A Secret's values but the names of identities (a user, an access key): those are no secret.
      const secrets = new Set<string>(
        (container?.env ?? []).filter((e: any) => e?.valueFrom?.secretKeyRef && !isIdentity(String(e.name))).map((e: any) => String(e.name)),
      );
      const argv: string[] = [...(container?.command ?? []), ...(container?.args ?? [])].filter((a: unknown) => typeof a === "string");
      for (const arg of argv) {
        for (const variable of secrets) if (arg.includes(`$(${variable})`)) report(`${where}: $(${variable}) puts a Secret's value on the command line`);
      }
      // Flags and values may be separate elements: judged on the whole command line.
      const literal = argv.join(" ").match(LITERAL_FLAG);
      if (literal) report(`${where}: a credential flag with a literal value on the command line: ${literal[0].trim().replace(/(=|\s)\S+$/, "$1***")}`);
      // sh -c SCRIPT, also with other flags in the same word (-ec, -euc).
      const shell = argv.findIndex((a) => SHELLS.test(a));
      const flag = shell >= 0 ? argv.findIndex((a, i) => i > shell && /^-[a-z]*c[a-z]*$/.test(a)) : -1;
      const script = flag >= 0 ? argv[flag + 1] : undefined;
      for (const leak of script ? scriptLeaks(script, secrets) : []) {
        report(`${where}: the script passes $${leak.variable} (from a Secret) as an argument to ${leak.command}; give it on stdin or in a file`);
      }
    }
  },
);
