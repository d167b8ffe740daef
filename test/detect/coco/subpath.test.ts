// recordflow/coco is usable without tfjs: its files import only each other and src/core, and
// the built subpath loads with every @tensorflow package refused. (`npm test` builds dist/ first.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ROOM = fileURLToPath(new URL('../../../src/detect/coco/', import.meta.url));

test('the coco room imports only itself and src/core', () => {
  for (const file of readdirSync(ROOM).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(ROOM + file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]/g)) {
      assert.match(m[1]!, /^\.\/[\w-]+\.js$|^\.\.\/\.\.\/core\/[\w-]+\.js$/, `${file} imports ${m[1]}`);
    }
  }
});

test('recordflow/coco loads with @tensorflow refused and gives the same names as the source', async () => {
  const hook = `export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('loaded ' + s); return next(s, c); }`;
  const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`;
  const out = execFileSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', "const m = await import('recordflow/coco'); console.log(JSON.stringify(Object.keys(m).sort()));"],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const source = (await import('../../../src/detect/coco/index.js')) as object;
  assert.deepEqual(JSON.parse(out), Object.keys(source).sort());
});
