// Meta-tests: the conventions that keep the architecture honest (STYLE.md §1, §5, §15).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Errno } from '../src/kernel/index.js';
import type { ErrnoName } from '../src/scenario/types.js';
import { FAULT_POINTS, PROFILES, PROFILE_NAMES as KERNEL_PROFILES } from '../src/kernel/index.js';
import { BOOLEAN_SWITCH_NAMES, FAULT_POINT_NAMES } from '../src/scenario/names.js';
import { PROFILE_NAMES as SCENARIO_PROFILES } from '../src/scenario/types.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []);

const importsOf = (file: string): { spec: string; typeOnly: boolean }[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)].map((m) => ({
    spec: m[3]!,
    typeOnly: m[2] !== undefined,
  }));

t.test('the pipeline runs one way (STYLE.md "What hgmsim takes", 1)', async (t) => {
  for (const f of files('src/kernel')) {
    for (const { spec } of importsOf(f)) {
      t.ok(spec.startsWith('./') || spec.startsWith('node:'), `${f} imports ${spec}: the kernel imports nothing outside kernel`);
    }
  }
  for (const f of files('src/scenario')) {
    for (const { spec } of importsOf(f)) {
      // A relative import stays inside src/scenario (its step definitions live in src/scenario/steps/).
      const inside = spec.startsWith('.') && resolve(dirname(f), spec).startsWith(resolve('src/scenario') + sep);
      t.ok(inside || spec.startsWith('node:') || spec === 'yaml' || spec === 'zod',
        `${f} imports ${spec}: scenario uses yaml and zod only`);
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
  ['test/kernel.test.ts', ['src/kernel/contents.ts']], // ByteMap, the sparse folio contents
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
  t.same([...FOLDERS].sort(), ['cli', 'kernel', 'report', 'runner', 'scenario'], 'the folders checked');
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

t.test('the scenario language and the kernel agree on profiles and errno names', async (t) => {
  t.same([...SCENARIO_PROFILES].sort(), [...KERNEL_PROFILES].sort());
  // Compile-time: each errno union covers the other.
  const same: [ErrnoName] extends [Errno] ? ([Errno] extends [ErrnoName] ? true : false) : false = true;
  t.equal(same, true);
});

t.test('the scenario language and the kernel agree on switch and fault-point names', async (t) => {
  const switches = PROFILES['v6.1'].switches;
  const booleanKeys = (Object.keys(switches) as (keyof typeof switches)[]).filter((k) => typeof switches[k] === 'boolean');
  t.same([...BOOLEAN_SWITCH_NAMES].sort(), booleanKeys.sort(), 'kernel.switches names = the kernel\'s boolean switches');
  t.same([...FAULT_POINT_NAMES].sort(), [...FAULT_POINTS].sort(), 'kernel.faults names = the kernel\'s FAULT_POINTS');
});
