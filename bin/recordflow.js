#!/usr/bin/env node
// The compiled CLI: npm builds dist/ on install (the `prepare` script). A checkout that has not
// been built yet runs the TypeScript source through tsx, a development dependency. In a checkout
// this runs what the last build made (`npm install`, `npm run build` and `npm test` rebuild it);
// `npm start` and the tests run the source itself.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
