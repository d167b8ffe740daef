// Entry point of the `recordflow` command (`npm start` runs `tsx src/cli/main.ts start`).
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2));
// Exit explicitly once stdout is flushed: tfjs may leave timers or workers alive.
process.exitCode = code;
if (process.stdout.writableLength > 0) process.stdout.once('drain', () => process.exit(code));
else process.exit(code);
