// The @example check: every example in a doc comment becomes a module of its own in which every
// export of the package root is in scope (the house convention for writing them), and all of them
// are type-checked together in one strict TypeScript program.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One @example block and where it stands (file:line of its tag). */
export interface Example {
  where: string;
  code: string;
}

/** Every .ts file below `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []);
}

/** The @example blocks of a file: the comment lines after the tag, up to the next tag or the comment's end. */
export function examplesIn(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    const startLine = text.slice(0, m.index).split('\n').length;
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i]!)) continue;
      const body: string[] = [lines[i]!.replace(/^@example\s*/, '')];
      let j = i + 1;
      for (; j < lines.length && !/^@\w/.test(lines[j]!); j++) body.push(lines[j]!);
      out.push({ where: `${relative(ROOT, file)}:${startLine + i}`, code: body.join('\n').trim() });
      i = j - 1;
    }
  }
  return out;
}

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
  esModuleInterop: true,
};

/**
 * Type-checks every example as a module body with the root package's exports imported, all in
 * one program; returns one line per problem ("file:line (example line k): message"), none when
 * every example compiles.
 */
export function checkExamples(examples: readonly Example[]): string[] {
  const entry = join(ROOT, 'src/index.ts');
  const probe = ts.createProgram([entry], OPTIONS);
  const checker = probe.getTypeChecker();
  const names = checker.getExportsOfModule(checker.getSymbolAtLocation(probe.getSourceFile(entry)!)!).map((s) => s.getName());
  const header = `import { ${names.join(', ')} } from '../../src/index.js';\nexport {};\n`;
  const virtual = new Map<string, string>();
  const origin = new Map<string, string>();
  examples.forEach((e, i) => {
    const path = join(ROOT, 'test/docs', `__example_${i}.ts`);
    virtual.set(path, header + e.code + '\n');
    origin.set(path, e.where);
  });
  const host = ts.createCompilerHost(OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) =>
    virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, lang) : getSourceFile(name, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const program = ts.createProgram([...virtual.keys()], OPTIONS, host, probe);
  const problems: string[] = [];
  for (const path of virtual.keys()) {
    const sf = program.getSourceFile(path)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line - 2;
      problems.push(`${origin.get(path)} (example line ${line + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return problems;
}
