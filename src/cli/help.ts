// Help texts generated from the command definitions.
import type { Command } from './command.js';
import { COMMANDS } from './registry.js';

export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = [
    'recordflow: streaming ML data pipelines (NPZ and TFRecord I/O, tf.data-style operators, tfjs training)',
    '',
    'Usage: recordflow [--verbose] <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --verbose, -v  print stack traces and more detail on errors',
    '  --help, -h     help for recordflow or for a command (recordflow <command> --help)',
    '  --version      print the version',
    '',
    'Exit codes: 0 success, 1 failure or difference found, 2 bad input or usage.',
    '',
  ];
  return lines.join('\n');
}

export function helpFor(command: Command): string {
  const entries = Object.entries(command.options).map(([key, spec]) => {
    const flag = `--${key}${spec.value ? ` ${spec.value}` : ''}${spec.short ? `, -${spec.short}` : ''}`;
    const desc = spec.description + (spec.defaultText ? ` (default: ${spec.defaultText})` : '');
    return [flag, desc] as const;
  });
  entries.push(['--verbose, -v', 'stack traces and more detail on errors'], ['--help, -h', 'this help']);
  const width = Math.max(...entries.map(([f]) => f.length));
  const lines = [
    `recordflow ${command.name}: ${command.summary}`,
    '',
    `Usage: recordflow ${command.name} ${command.usage}`,
    '',
  ];
  if (command.details) lines.push(command.details.trim(), '');
  lines.push('Options:', ...entries.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`), '');
  return lines.join('\n');
}
