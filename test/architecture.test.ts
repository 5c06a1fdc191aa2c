/**
 * The layer rule of `docs/architecture.md`, checked on the source tree (issue 20): SQL is built only
 * in `src/store/`; the queue sees no product tables; every import between top-level folders follows
 * an allowed edge; no import cycle between files; no file over 500 lines and no function over 120
 * lines (translation tables, seed data and migrations aside).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Production sources, as paths relative to `src/` with forward slashes. */
const files = walk(SRC)
  .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
  .map((f) => path.relative(SRC, f).split(path.sep).join('/'))
  .sort();
const text = new Map(files.map((f) => [f, fs.readFileSync(path.join(SRC, f), 'utf8')]));

const isMigration = (f: string): boolean => f.startsWith('store/migrations/');
/** Translation tables and seed data: long by nature, no logic (the size rule exempts them). */
const isTableOrSeed = (f: string): boolean => /^server\/admin\/i18n-(messages|texts|tables)/.test(f) || /(^|\/)i18n-[a-z-]+\.(ru|en)\.tsx?$/.test(f) || f.startsWith('emulator/seed/') || /^domain\/log-messages(\.|-)/.test(f);

/** The folders each top-level folder of `src/` may import from (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  metrics: [],
  domain: ['core'],
  moysklad: ['core', 'domain'],
  emulator: ['core'],
  config: ['core'],
  store: ['core', 'domain'],
  log: ['core', 'store', 'domain'],
  queue: ['core', 'domain', 'store', 'metrics'],
  sync: ['core', 'domain', 'moysklad', 'store', 'log', 'queue', 'metrics'],
  setup: ['core', 'domain', 'moysklad', 'store', 'sync'],
  app: ['core', 'domain', 'store', 'sync', 'queue', 'setup', 'moysklad', 'log'],
  server: ['core', 'domain', 'store', 'app', 'sync', 'queue', 'setup', 'log', 'metrics', 'moysklad', 'config'],
  service: ['core', 'domain', 'store', 'app', 'sync', 'queue', 'setup', 'log', 'metrics', 'moysklad', 'config', 'server', 'emulator'],
  main: ['core', 'domain', 'store', 'app', 'sync', 'queue', 'setup', 'log', 'metrics', 'moysklad', 'config', 'server', 'emulator', 'service'],
  cli: ['core', 'domain', 'store', 'app', 'sync', 'queue', 'setup', 'log', 'metrics', 'moysklad', 'config', 'server', 'emulator', 'service', 'main'],
};

const topOf = (f: string): string => f.split('/')[0]!.replace(/\.tsx?$/, '');

/**
 * The job kinds each sync declares (`sync/<family>/kinds.ts`): constants that import nothing, so the
 * queue (its schedules) and the domain (the job families of a permission problem) may name them.
 */
const isKindModule = (f: string): boolean => /^sync\/[a-z-]+\/kinds\.ts$/.test(f);

/** Relative imports of a file, resolved to source paths under `src/`. */
function importsOf(f: string): { target: string; typeOnly: boolean }[] {
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.get(f)!.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm)) {
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[2]!));
    const base = resolved.replace(/\.js$/, '');
    const target = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => text.has(c));
    if (target) out.push({ target, typeOnly: Boolean(m[1]) });
  }
  return out;
}

describe('issue 20 the layer rule', () => {
  it('SQL is built only in src/store (selectFrom, insertInto, updateTable, deleteFrom, sql`, raw queries)', () => {
    const offenders = files.filter((f) => !f.startsWith('store/') && /\b(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`|CompiledQuery\.raw|\.query\(\s*['"`]\s*(SELECT|INSERT|UPDATE|DELETE|BEGIN)/i.test(text.get(f)!));
    expect(offenders).toEqual([]);
  });

  it('the queue sees no product tables: no Kysely<any> in src/queue', () => {
    expect(files.filter((f) => f.startsWith('queue/') && /Kysely<any>/.test(text.get(f)!))).toEqual([]);
  });

  it('imports between top-level folders follow the allowed edges; queue and domain take only the kind constants from sync, sync only types from queue', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = topOf(f);
      for (const { target, typeOnly } of importsOf(f)) {
        const to = topOf(target);
        if (to === from) continue;
        const allowed = ALLOWED[from];
        if (!allowed) bad.push(`${f}: folder ${from} has no rule`);
        else if (isKindModule(target) || (from === 'queue' && target === 'sync/job-kinds.ts')) continue;
        else if (!allowed.includes(to)) bad.push(`${f} → ${target}`);
        else if (from === 'sync' && to === 'queue' && !typeOnly) bad.push(`${f} → ${target} (sync may import only types from queue)`);
      }
    }
    expect(bad).toEqual([]);
    // the kind modules stay leaves: importing one never pulls a sync in
    expect(files.filter((f) => isKindModule(f) && importsOf(f).length > 0)).toEqual([]);
    expect(files.filter(isKindModule).length).toBeGreaterThanOrEqual(8);
  });

  it('no import cycle between files', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).map((i) => i.target)]));
    // Tarjan's strongly connected components; any component of two or more files is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1) cycles.push(comp.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('no file over 500 lines in src (translation tables, seed data and migrations aside)', () => {
    const long = files
      .filter((f) => !isMigration(f) && !isTableOrSeed(f))
      .map((f) => [f, text.get(f)!.split('\n').length - (text.get(f)!.endsWith('\n') ? 1 : 0)] as const)
      .filter(([, n]) => n > 500)
      .map(([f, n]) => `${f}: ${n}`);
    expect(long).toEqual([]);
  });

  it('no function over 120 lines in src (migrations aside)', () => {
    const long: string[] = [];
    for (const f of files.filter((x) => !isMigration(x) && !isTableOrSeed(x))) {
      const sf = ts.createSourceFile(f, text.get(f)!, ts.ScriptTarget.Latest, true, f.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
      const visit = (n: ts.Node): void => {
        if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n)) {
          const a = sf.getLineAndCharacterOfPosition(n.getStart()).line;
          const b = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
          if (b - a + 1 > 120) long.push(`${f}:${a + 1} ${b - a + 1} lines`);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(long).toEqual([]);
  });
});
