// Every subcommand, in the order `recordflow --help` lists them. Command modules import the
// other rooms only inside run(), so loading this list never depends on them.
import type { Command } from './command.js';
import { cat } from './commands/cat.js';
import { diff } from './commands/diff.js';
import { index } from './commands/index-cmd.js';
import { pack } from './commands/pack.js';
import { verify } from './commands/verify.js';

export const COMMANDS: Command[] = [cat, pack, verify, index, diff];
