// Every @example in the pipeline, detect and storage rooms' doc comments compiles under strict: each becomes a
// module in which every export of the package root is in scope (as the house rule writes them),
// and the TypeScript checker must find no error in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROOMS = ['src/pipeline', 'src/detect', 'src/storage'];

interface Example {
  where: string;
  code: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []);
}

/** The @example blocks of a file: the comment lines after the tag, up to the next tag or the end. */
function examplesIn(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = (m[1] as string).split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    const startLine = text.slice(0, m.index).split('\n').length;
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i] as string)) continue;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^@\w/.test(lines[j] as string); j++) body.push(lines[j] as string);
      out.push({ where: `${relative(ROOT, file)}:${startLine + i}`, code: body.join('\n') });
      i = j - 1;
    }
  }
  return out;
}

test('every @example of the pipeline room type-checks against the package root', () => {
  const examples = ROOMS.flatMap((room) => filesUnder(join(ROOT, room))).flatMap(examplesIn);
  assert.ok(examples.length > 30, `only ${examples.length} examples found`);
  const options: ts.CompilerOptions = {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], types: ['node'], skipLibCheck: true, noEmit: true, esModuleInterop: true,
  };
  const entry = join(ROOT, 'src/index.ts');
  // The names the root exports, values and types alike.
  const probe = ts.createProgram([entry], options);
  const names = probe.getTypeChecker().getExportsOfModule(probe.getTypeChecker().getSymbolAtLocation(probe.getSourceFile(entry) as ts.SourceFile) as ts.Symbol).map((s) => s.getName());
  const virtual = new Map<string, string>();
  const origin = new Map<string, string>();
  const dir = join(ROOT, 'test/pipeline');
  examples.forEach((e, i) => {
    const path = join(dir, `__example_${i}.ts`);
    virtual.set(path, `import { ${names.join(', ')} } from '../../src/index.js';\nexport {};\n${e.code}\n`);
    origin.set(path, e.where);
  });
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) =>
    virtual.has(name) ? ts.createSourceFile(name, virtual.get(name) as string, lang) : getSourceFile(name, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const program = ts.createProgram([...virtual.keys()], options, host, probe);
  const problems: string[] = [];
  for (const path of virtual.keys()) {
    const sf = program.getSourceFile(path) as ts.SourceFile;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line - 2;
      problems.push(`${origin.get(path)} (example line ${line + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});
