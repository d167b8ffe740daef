// Every subcommand, in the order `recordflow --help` lists them. Command modules import the
// other rooms only inside run(), so loading this list never depends on them.
import type { Command } from './command.js';
import { cat } from './commands/cat.js';
import { count } from './commands/count.js';
import { cocoEval } from './commands/coco-eval.js';
import { detect } from './commands/detect.js';
import { curves } from './commands/curves.js';
import { diff } from './commands/diff.js';
import { evalCommand } from './commands/eval.js';
import { head } from './commands/head.js';
import { index } from './commands/index-cmd.js';
import { pack } from './commands/pack.js';
import { prepare } from './commands/prepare.js';
import { report } from './commands/report.js';
import { schema } from './commands/schema.js';
import { show } from './commands/show.js';
import { start } from './commands/start.js';
import { synth } from './commands/synth.js';
import { trainCommand } from './commands/train.js';
import { verify } from './commands/verify.js';

export const COMMANDS: Command[] = [start, synth, prepare, trainCommand, detect, evalCommand, cocoEval, show, diff, cat, pack, verify, index, head, count, schema, report, curves];
