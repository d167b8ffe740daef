// The drawing libraries load on the first drawing only: importing recordflow (or its render room)
// in plain node, as users run the package, never resolves vega, vega-lite or resvg.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function importRefusingCharts(specifier: string, then = ''): string {
  const hook = `export async function resolve(s, c, next) { if (/^(vega|vega-lite|@resvg\\/resvg-js)$/.test(s)) throw new Error('loaded ' + s); return next(s, c); }`;
  const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`;
  return execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', `const m = await import('${specifier}'); ${then} console.log(typeof m.renderCurves);`], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

test('importing recordflow and recordflow/render loads no drawing library; drawing does', () => {
  assert.equal(importRefusingCharts('recordflow').trim(), 'function');
  assert.equal(importRefusingCharts('recordflow/render').trim(), 'function');
  assert.throws(() => importRefusingCharts('recordflow/render', "await m.renderSpec({ mark: 'point' });"), /loaded vega/);
});
