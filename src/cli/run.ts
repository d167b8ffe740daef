// The `recordflow` command as a function: global options, subcommand dispatch, help, and the
// one place where errors become a one-line message and an exit code. main.ts is the process
// entry; tests call runCli in-process with their own streams.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Command, type CommandContext } from './command.js';
import { describeError } from './errors.js';
import { helpFor, overview } from './help.js';
import { Output } from './output.js';
import { createProgress } from './progress.js';
import { COMMANDS } from './registry.js';

const GLOBAL_FLAGS = new Set(['--verbose', '-v']);

export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function runCli(argv: string[], streams: CliStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const stdout = new Output(streams.stdout);
  const stderr = streams.stderr;
  let verbose = false;
  const rest: string[] = [];
  // Global flags may come before the subcommand name.
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const a = argv[i]!;
    if (GLOBAL_FLAGS.has(a)) verbose = true;
    else if (a === '--help' || a === '-h') {
      await stdout.write(overview());
      return 0;
    } else if (a === '--version') {
      await stdout.line(await version());
      return 0;
    } else {
      stderr.write(`recordflow: unknown option ${a} (see recordflow --help)\n`);
      return 2;
    }
  }
  const name = argv[i];
  rest.push(...argv.slice(i + 1));
  if (name === undefined) {
    await stdout.write(overview());
    return 2;
  }
  if (name === 'help') {
    const target = rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    await stdout.write(target ? helpFor(target) : overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    stderr.write(`recordflow: unknown command "${name}" (see recordflow --help)\n`);
    return 2;
  }
  if (rest.includes('--verbose') || rest.includes('-v')) verbose = true;

  try {
    const ctx = parse(command, rest, stdout, stderr, verbose);
    if (ctx === 'help') {
      await stdout.write(helpFor(command));
      return 0;
    }
    const code = await command.run(ctx);
    await stdout.end();
    return code;
  } catch (err) {
    await stdout.end().catch(() => {});
    const { message, exitCode } = describeError(err);
    stderr.write(`recordflow ${command.name}: ${message}\n`);
    if (verbose && err instanceof Error && err.stack) stderr.write(err.stack + '\n');
    return exitCode;
  }
}

/**
 * `--limit -1` as `--limit=-1`: parseArgs takes a value that starts with `-` for an option
 * ("argument is ambiguous"), so a negative number would never reach the option's own check,
 * which says what range it accepts.
 */
function negativeValuesInline(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const long = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((k) => arg === `-${options[k]!.short}`);
    if (long !== undefined && options[long]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`--${long}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function parse(command: Command, args: string[], stdout: Output, stderr: CliStreams['stderr'], verbose: boolean): CommandContext | 'help' {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    verbose: { type: 'boolean', short: 'v' },
  };
  for (const [key, spec] of Object.entries(command.options)) {
    options[key] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: negativeValuesInline(args, options), allowPositionals: true, strict: true, options });
  } catch (err) {
    // parseArgs explains at length; the first sentence is what the user needs.
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw new UsageError(message.replace(/\. To specify a positional.*$/, '').replace(/^Unknown option/, 'unknown option'));
  }
  if (parsed.values.help) return 'help';
  const { min, max, names } = command.positionals;
  const n = parsed.positionals.length;
  if (n < min) {
    // Fixed positionals ("A and B"): name only the ones not given.
    const each = names.split(' and ');
    throw new UsageError(`missing ${each.length === max && n > 0 ? each.slice(n).join(' and ') : names}`);
  }
  if (n > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
  return {
    command: command.name,
    positionals: parsed.positionals,
    values: parsed.values as CommandContext['values'],
    verbose,
    stdout,
    log: (line: string) => {
      stderr.write(line + '\n');
    },
    // Progress always goes to stderr, so stdout stays clean for data and --json.
    progress: (label: string, total?: number) => createProgress(label, total, stderr),
  };
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `recordflow ${pkg.version}`;
}

