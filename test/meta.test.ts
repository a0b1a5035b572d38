// Meta-tests: the conventions that keep the architecture honest (STYLE.md §1, §5, §15).
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ERRNO_NAMES, FAULT_POINTS, FINDING_IDS, PROFILE_NAMES, SWITCH_NAMES, UFFD_FEATURES, UFFD_MODES, UFFD_RANGE_IOCTLS } from '../src/abi/index.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []);

const importsOf = (file: string): { spec: string; typeOnly: boolean }[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)].map((m) => ({
    spec: m[3]!,
    typeOnly: m[2] !== undefined,
  }));

/** The vocabulary module every layer may import (src/abi/index.ts). */
const isAbi = (from: string, spec: string): boolean => resolve(dirname(from), spec) === resolve('src/abi/index.js');

t.test('the pipeline runs one way (STYLE.md "What hgmsim takes", 1)', async (t) => {
  for (const f of files('src/abi')) {
    t.same(importsOf(f), [], `${f}: the vocabulary is a leaf, it imports nothing`);
  }
  for (const f of files('src/kernel')) {
    for (const { spec } of importsOf(f)) {
      t.ok(spec.startsWith('./') || spec.startsWith('node:') || isAbi(f, spec), `${f} imports ${spec}: the kernel imports nothing outside kernel but the vocabulary`);
    }
  }
  for (const f of files('src/scenario')) {
    for (const { spec } of importsOf(f)) {
      // A relative import stays inside src/scenario (its step definitions live in src/scenario/steps/).
      const inside = spec.startsWith('.') && resolve(dirname(f), spec).startsWith(resolve('src/scenario') + sep);
      t.ok(inside || isAbi(f, spec) || spec.startsWith('node:') || spec === 'yaml' || spec === 'zod',
        `${f} imports ${spec}: scenario uses yaml, zod and the vocabulary only`);
    }
  }
  for (const f of files('src/report')) {
    for (const { spec, typeOnly } of importsOf(f)) {
      // Report words the runner's records: it takes the runner's types only. Of the kernel (sizeName)
      // and the scenario language (the schemas docs/scenarios.md is written from) it may take values,
      // through their index.ts (checked below).
      if (spec.includes('/runner/')) t.ok(typeOnly, `${f} imports ${spec}: report takes result types only`);
    }
  }
});

/**
 * Where a module imported by `from` resolves, relative to the repository root (bare specifiers as given).
 * Sources import with .js; the file they mean is the .ts beside it.
 */
const target = (from: string, spec: string): string =>
  (spec.startsWith('.') ? relative('.', resolve(dirname(from), spec)).replace(/\.js$/, '.ts') : spec);

/**
 * Kernel internals a test may import directly: tests of a kernel module's own behaviour, named here one
 * by one. Everything else outside src/kernel goes through src/kernel/index.ts.
 */
const KERNEL_DEEP_IMPORTS_ALLOWED: ReadonlyMap<string, readonly string[]> = new Map([
  // ByteMap and PageTable, the sparse folio contents and page tables, tested on their own.
  ['test/kernel.test.ts', ['src/kernel/contents.ts', 'src/kernel/pgtable.ts']],
]);

t.test('src/kernel/index.ts is the only way into the kernel', async (t) => {
  const outside = [...files('src'), ...files('test')].filter((f) => !f.startsWith(join('src', 'kernel')));
  t.ok(outside.length > 0, 'there are files outside src/kernel to check');
  for (const f of outside) {
    for (const { spec } of importsOf(f)) {
      const to = target(f, spec);
      if (!to.startsWith('src/kernel/') || to === 'src/kernel/index.ts') continue;
      t.ok(KERNEL_DEEP_IMPORTS_ALLOWED.get(f)?.includes(to), `${f} imports ${spec}: import the kernel through src/kernel/index.js`);
    }
  }
});

/** The top-level folders of src/, each entered from the others through its index.ts. */
const FOLDERS = readdirSync('src', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

t.test("each folder's index.ts is the only way into it from another folder of src/ (type-only imports too)", async (t) => {
  t.same([...FOLDERS].sort(), ['abi', 'cli', 'export', 'kernel', 'lab', 'report', 'runner', 'scenario'], 'the folders checked');
  for (const folder of FOLDERS) t.ok(files(join('src', folder)).includes(join('src', folder, 'index.ts')), `src/${folder} has an index.ts`);
  for (const f of files('src')) {
    const own = f.split(sep)[1];
    for (const { spec } of importsOf(f)) {
      const to = target(f, spec);
      const into = to.startsWith('src/') ? to.split('/')[1] : undefined;
      if (into === undefined || into === own) continue;
      t.equal(to, `src/${into}/index.ts`, `${f} imports ${spec}: import src/${into} through its index.js`);
    }
  }
});

t.test('every kernel model file opens with a header citing its Linux source', async (t) => {
  for (const f of files('src/kernel')) {
    const head = readFileSync(f, 'utf8').split('\n').slice(0, 8).join('\n');
    t.match(head, /^\/\/ /, `${f} starts with a comment header`);
    t.match(head, /Linux|linux|kernel-semantics|DESIGN\.md/, `${f} names what it follows`);
  }
});

/**
 * The vocabulary lists of src/abi. A file that quotes every member of one of them inside one bracketed
 * list keeps a copy; the rule is that nobody does (the old meta-test kept copies equal instead).
 */
const VOCABULARY: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['PROFILE_NAMES', PROFILE_NAMES], ['SWITCH_NAMES', SWITCH_NAMES], ['FAULT_POINTS', FAULT_POINTS],
  ['UFFD_FEATURES', UFFD_FEATURES], ['UFFD_MODES', UFFD_MODES], ['ERRNO_NAMES', ERRNO_NAMES],
  ['UFFD_RANGE_IOCTLS', UFFD_RANGE_IOCTLS],
]);

t.test('no vocabulary list is copied outside src/abi', async (t) => {
  // Sources only: a test may spell the values it expects.
  const outside = files('src').filter((f) => !f.startsWith(join('src', 'abi')));
  for (const f of outside) {
    const text = readFileSync(f, 'utf8');
    // Bracketed lists and union types: `[...]` without nested brackets, and `= 'a' | 'b' ...;` unions.
    const lists = [...text.matchAll(/\[[^[\]]*\]|=\s*(?:\|\s*)?'[^']*'(?:\s*\|\s*'[^']*')+/g)].map((m) => m[0]);
    for (const [name, members] of VOCABULARY) {
      const copy = lists.find((l) => members.every((m) => l.includes(`'${m}'`)));
      t.equal(copy, undefined, `${f} does not copy ${name} (import it from src/abi)`);
    }
  }
});

t.test('docs/findings.md documents every finding id, and the scenarios and switches it names exist', async (t) => {
  const doc = readFileSync('docs/findings.md', 'utf8');
  for (const id of FINDING_IDS) {
    t.match(doc, new RegExp(`^## ${id}$`, 'm'), `${id} has a section`);
    t.match(doc, new RegExp(`^\\| \\[${id}\\]\\(#${id.toLowerCase()}\\) \\|`, 'm'), `${id} is in the table`);
  }
  for (const [, path] of doc.matchAll(/`(scenarios\/[^`]+\.yaml)`/g)) t.ok(existsSync(path!), `${path} exists`);
  for (const [, name] of doc.matchAll(/`(rfc_posted_[a-z_]+)/g)) t.ok((SWITCH_NAMES as readonly string[]).includes(name!), `${name} is a switch`);
});
