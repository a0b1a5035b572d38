// A scenario as C programs, one per hugepage size, for one profile (the kernel it is meant for): the
// runtime (runtime.ts), the test's variables, one function per step (the call and its checks, run in
// the acting process or thread), one function per test that runs its steps in order, and a main that
// runs one test (`-t N`, what the lab does, one test per process as the model does) or all of them in
// the kselftest shape. `when:` is decided here for the size and profile; `when: {holds}` at run time.

import { ERRNO_NAMES } from '../abi/index.js';
import { MAIN, whenSelects } from '../scenario/index.js';
import type { CallStep, HugepageSize, ProfileName, Scenario, Step, TestCase } from '../scenario/index.js';
import { escapeDescription } from '../report/index.js';
import { HUGEPAGE_BYTES, taskComm } from '../runner/index.js';
import { cExpr, cFormat, cInterpLines, CNames, cString } from './c-expr.js';
import { stateExpectLines, stepExpectLines } from './c-expect.js';
import { C_STEPS, type CStep, type Gen } from './c-steps.js';
import { RUNTIME_CHECKS_C } from './runtime-checks.js';
import { RUNTIME_C } from './runtime.js';
import type { ExportedProgram, ExportedTest, ProgramNeeds } from './types.js';

export type ExportResult = readonly ExportedProgram[];

/** A hugepage of the size, in MiB. */
const mib = (s: HugepageSize): number => HUGEPAGE_BYTES[s] / 2 ** 20;
/** Guest memory beyond the pools: the kernel, the initramfs, the programs and their buffers. */
const SLACK_MIB = 1536;
/**
 * QEMU's q35 machine puts the first 2 GiB of a large guest's RAM below 4 GiB, where the kernel and the
 * initramfs sit, so no gigantic page comes from there: a 1 GiB pool needs that much more (observed: 8
 * pages asked of a 9.5 GiB guest gave 7).
 */
const LOW_RAM_MIB = 2048;

const indent = (lines: readonly string[], tabs = 1): string[] => lines.map((l) => (l === '' ? '' : `${'\t'.repeat(tabs)}${l}`));

/** The actor a step acts in: `main`, a process name, or a thread name (`in: C.T` is thread T). */
function actorOf(step: CallStep): string {
  const t = step.in;
  if (t === undefined) return MAIN;
  return t.thread !== undefined && t.thread !== MAIN ? t.thread : t.process;
}

/** One test written as C: its step functions, its test function, or why a kernel cannot run it. */
interface TestC {
  readonly functions: string[];
  readonly body: string[];
  unperformable?: { readonly what: string; readonly line: number };
}

class ProgramWriter {
  private readonly g: Gen;
  private readonly size: HugepageSize;
  private stepCount = 0;

  constructor(private readonly scenario: Scenario, size: HugepageSize, private readonly profile: ProfileName) {
    this.size = size;
    this.g = { names: new CNames(), size };
    for (const n of ['PAGE_SIZE', 'hugepagesz', MAIN]) this.g.names.field(n);
  }

  /** The test as C; its steps in order, loops as C loops. */
  test(test: TestCase): TestC {
    const t: TestC = { functions: [], body: [] };
    t.body.push(...this.steps(test.steps, t, false));
    if (t.unperformable === undefined) return t;
    return { functions: [], body: [], unperformable: t.unperformable };
  }

  private steps(steps: readonly Step[], t: TestC, inLoop: boolean): string[] {
    const out: string[] = [];
    const names = this.g.names;
    for (const step of steps) {
      switch (step.kind) {
        case 'let':
        case 'set':
          for (const b of step.bindings) out.push(`V.${names.field(b.name)} = ${cExpr(b.expr, names)}; /* line ${step.line} */`);
          break;
        case 'for': {
          const v = `V.${names.field(step.var)}`;
          const to = `to_${step.line}`;
          out.push(`/* line ${step.line}: for ${step.var} */`, '{');
          out.push(`\tu64 ${to} = ${cExpr(step.to, names)};`, '');
          out.push(`\tfor (${v} = ${cExpr(step.from, names)}; (s64)${v} <= (s64)${to}; ${v}++) {`);
          for (const b of step.let) out.push(`\t\tV.${names.field(b.name)} = ${cExpr(b.expr, names)};`);
          if (step.while !== undefined) out.push(`\t\tif (!(${cExpr(step.while, names)}))`, '\t\t\tbreak;');
          out.push(...indent(this.steps(step.body, t, true), 2), '\t}', '}');
          break;
        }
        case 'call': {
          if (!whenSelects(step.when, this.size, this.profile)) break;
          const holds = step.when?.holds === undefined ? undefined : cExpr(step.when.holds, names);
          const lines = this.call(step, t, inLoop);
          if (holds === undefined) out.push(...lines);
          else out.push(`if (${holds}) {`, ...indent(lines), '}');
          break;
        }
      }
    }
    return out;
  }

  /** A call step: its function, and the line of the test function that runs it in its actor. */
  private call(step: CallStep, t: TestC, inLoop: boolean): string[] {
    if (step.op === 'break') return ['break;'];
    const fn = `step_${step.line}_${++this.stepCount}`;
    const body = this.stepBody(step);
    if ('unperformable' in body) {
      t.unperformable ??= { what: body.unperformable, line: step.line };
      return [];
    }
    t.functions.push([`/* line ${step.line}: ${step.op} */`, `static void ${fn}(void)`, '{', ...indent(body.lines), '}'].join('\n'));
    const actor = actorOf(step);
    const run = actor === MAIN ? `hg_run_in(0, ${fn}, ${step.line})` : `hg_run_named(${cString(actor)}, ${fn}, ${step.line})`;
    return [inLoop ? `HG_LOOP_STEP(${run});` : `HG_STEP(${run});`];
  }

  private stepBody(step: CallStep): { readonly lines: readonly string[] } | { readonly unperformable: string } {
    const names = this.g.names;
    switch (step.op) {
      case 'print': {
        const prefix = step.args.prefix ?? ' ... ';
        return {
          lines: cInterpLines(step.args.text, names).map((l) =>
            `hg_out(${cFormat([`# ${prefix}`, ...l.tokens])}${l.args.map((a) => `, ${a}`).join('')});`),
        };
      }
      case 'dump': {
        const a = step.args;
        const lines: string[] = [];
        if (a.mapping) lines.push(`hg_dump_mapping(${step.line}, ${cExpr(a.mapping, names)}, ${a.length ? 1 : 0}, ${a.length ? cExpr(a.length, names) : '0'});`);
        if (a.raw_hwp_list) lines.push(`hg_not_observable(${step.line}, "dump raw_hwp_list (a folio's refcount, mapcount and raw_hwp_list are the kernel's own)");`);
        if (a.meminfo) lines.push('hg_dump_meminfo();');
        if (a.dmesg) lines.push('hg_dump_dmesg();');
        return { lines: ['hg->flow = HG_GO;', ...lines] };
      }
      case 'expect':
        return { lines: ['hg->flow = HG_GO;', 'hg_mismatches = 0;', 'hg->acting_pid = getpid();', ...stateExpectLines(step.args, step.line, names)] };
      default:
        return this.syscall(step, (C_STEPS[step.op] as (g: Gen, s: CallStep) => CStep)(this.g, step));
    }
  }

  /** hg_begin, the call, the step's own expectations, hg_end: runner/run.ts runCall's judgement. */
  private syscall(step: CallStep, c: CStep): { readonly lines: readonly string[] } | { readonly unperformable: string } {
    if ('unperformable' in c) return c;
    const x = step.expect;
    // A program cannot expect its kernel to die under it: the oops ends the test's task mid-call.
    if (x?.bug !== undefined) return { unperformable: `a call expected to hit a kernel BUG in ${x.bug}()` };
    const expectLines = x === undefined ? [] : stepExpectLines(x, this.g.names, c.readOffset);
    const touches = step.op === 'access' || step.op === 'memset' ? 1 : 0;
    const onError = step.on_error === 'skip' ? 1 : step.on_error === 'break' ? 2 : 0;
    return {
      lines: [
        `struct hg_call c = hg_begin(${cString(c.name)}, ${step.line});`,
        'struct hg_fields f = { "", "", 0 };',
        '',
        ...(c.addrRet === true ? ['c.addr_ret = 1;'] : []),
        ...c.lines,
        ...expectLines,
        `hg_end(&c, &f, ${x?.errno !== undefined || x?.updated_errno !== undefined ? 1 : 0}, ${x?.sigbus !== undefined ? 1 : 0}, ${x?.blocked !== undefined ? 1 : 0}, ${onError}, ${touches});`,
        ...(c.cleanup ?? []),
      ],
    };
  }

  /** `struct hg_vars`: every name the scenario binds, as u64. */
  varsStruct(): string {
    return ['/* The scenario\'s names, shared by every process of a test. */', 'struct hg_vars {', ...this.g.names.all().map((f) => `\tu64 ${f};`), '};'].join('\n');
  }

  fileLets(): string[] {
    const names = this.g.names;
    return [
      `V.PAGE_SIZE = 4096;`,
      `V.hugepagesz = ${HUGEPAGE_BYTES[this.size]}ULL;`,
      `V.${names.field(MAIN)} = (u64)getpid();`,
      ...this.scenario.let.map((b) => `V.${names.field(b.name)} = ${cExpr(b.expr, names)};`),
    ];
  }
}

/** errno values by name, for `errno=EIO` in a step's mismatch line. */
function errnoNames(): string {
  return [
    'static const char *hg_errno_name(int e)',
    '{',
    '\tswitch (e) {',
    ...ERRNO_NAMES.map((n) => `\tcase ${n}: return "${n}";`),
    '\t}',
    '\treturn "?";',
    '}',
  ].join('\n');
}

/** The most hugepages of the program's size a literal `nr_hugepages` step asks for. */
function maxLiteralPool(steps: readonly Step[], size: HugepageSize, start: number): number {
  let max = start;
  for (const s of steps) {
    if (s.kind === 'for') max = Math.max(max, maxLiteralPool(s.body, size, start));
    if (s.kind === 'call' && s.op === 'nr_hugepages' && (s.args.size ?? size) === size && s.args.count.kind === 'lit') max = Math.max(max, Number(s.args.count.value));
  }
  return max;
}

function usesStep(steps: readonly Step[], op: string): boolean {
  return steps.some((s) => (s.kind === 'for' ? usesStep(s.body, op) : s.kind === 'call' && s.op === op));
}

function programFor(scenario: Scenario, size: HugepageSize, profile: ProfileName): ExportedProgram {
  const w = new ProgramWriter(scenario, size, profile);
  const nr = scenario.kernel.nr_hugepages;
  const pools: Partial<Record<HugepageSize, number>> = typeof nr === 'bigint' ? { [size]: Number(nr) } : Object.fromEntries([...nr].map(([s, n]) => [s, Number(n)]));
  const own = pools[size] ?? 0;
  const selected = scenario.tests.filter((t) => whenSelects(t.when, size, profile));
  const written = selected.map((t, i) => ({ test: t, n: i + 1, c: w.test(t) }));
  const base = scenario.file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  const tests: ExportedTest[] = written.map(({ test, n }) => ({ number: n, name: test.name, line: test.line }));

  const testFunctions = written.map(({ test, n, c }) => {
    const head = `/* ${scenario.file}:${test.line}: ${test.name.replace(/\*\//g, '* /')} */`;
    if (c.unperformable !== undefined) {
      const why = `not performable on a kernel: ${c.unperformable.what} (line ${c.unperformable.line})`;
      return [head, `static void test_${n}(void)`, '{', `\thg_stop(HG_SKIP, ${cString(why)});`, '}'].join('\n');
    }
    return [...c.functions, [head, `static void test_${n}(void)`, '{', ...indent(c.body), '}'].join('\n')].join('\n\n');
  });

  const basis = (t: TestCase): string[] => [...scenario.basis, ...t.basis].map((b) => `\t\thg_out("%s", ${cString(`# basis: ${b}`)});`);
  const runTest = [
    '/* Test n alone, in this process: its lines and its result line; returns its outcome (HG_PASS …), -1 for no such test. */',
    'static int hg_run_test(int n)',
    '{',
    '\tconst char *name = NULL;',
    '',
    '\thg_test_begin();',
    ...indent(w.fileLets()),
    '\tswitch (n) {',
    ...written.flatMap(({ test, n }) => [`\tcase ${n}:`, `\t\tname = ${cString(escapeDescription(test.name))};`, `\t\ttest_${n}();`, '\t\thg_test_end();', ...basis(test), '\t\tbreak;']),
    '\tdefault:',
    '\t\tfprintf(stderr, "no test %d\\n", n);',
    '\t\treturn -1;',
    '\t}',
    '\tif (hg->status == HG_PASS)',
    '\t\thg_out("ok %d %s", n, name);',
    '\telse if (hg->status == HG_SKIP)',
    '\t\thg_out("ok %d %s # SKIP %s", n, name, hg->reason);',
    '\telse',
    '\t\thg_out("not ok %d %s", n, name);',
    '\treturn hg->status;',
    '}',
  ].join('\n');

  const main = [
    'int main(int argc, char **argv)',
    '{',
    `\tstatic const char *const names[] = { ${written.map(({ test }) => cString(escapeDescription(test.name))).join(', ')} };`,
    '\tint counts[3] = { 0, 0, 0 };',
    '\tstruct utsname u;',
    '',
    `\thg_hugepagesz = ${HUGEPAGE_BYTES[size]}ULL;`,
    `\tif (hg_pool("nr_hugepages") < ${own})`,
    `\t\tfprintf(stderr, "%s: warning: %" PRId64 " hugepages of ${size}, the scenario's pool is ${own}: pool checks will differ\\n", argv[0], hg_pool("nr_hugepages"));`,
    '\tif (argc == 3 && !strcmp(argv[1], "-t"))',
    '\t\treturn hg_run_test(atoi(argv[2])) < 0 ? 2 : 0; /* the outcome is in the TAP */',
    '\tif (argc != 1) {',
    '\t\tfprintf(stderr, "usage: %s [-t N]\\n", argv[0]);',
    '\t\treturn 2;',
    '\t}',
    '\tuname(&u);',
    '\thg_out("TAP version 13");',
    `\thg_out("# hgmsim %s %s, kernel %s", ${cString(scenario.name)}, ${cString(size)}, u.release);`,
    `\thg_out("1..%d", ${written.length});`,
    `\tfor (int n = 1; n <= ${written.length}; n++) {`,
    '\t\tint status;',
    '\t\tpid_t pid = fork();',
    '',
    '\t\tif (pid == 0)',
    '\t\t\t_exit(hg_run_test(n));',
    '\t\twaitpid(pid, &status, 0);',
    '\t\tif (WIFEXITED(status) && WEXITSTATUS(status) <= HG_SKIP) {',
    '\t\t\tcounts[WEXITSTATUS(status)]++;',
    '\t\t} else {',
    '\t\t\thg_out("not ok %d %s # the test process ended abnormally (status 0x%x)", n, names[n - 1], status);',
    '\t\t\tcounts[HG_FAIL]++;',
    '\t\t}',
    '\t}',
    '\thg_out("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0", counts[HG_PASS], counts[HG_FAIL], counts[HG_SKIP]);',
    '\treturn counts[HG_FAIL] ? 1 : 0;',
    '}',
  ].join('\n');

  const maxPool = Math.max(own, ...selected.map((t) => maxLiteralPool(t.steps, size, own)));
  const others = (Object.entries(pools) as [HugepageSize, number][]).filter(([s]) => s !== size).reduce((acc, [s, n]) => acc + n * mib(s), 0);
  const needs: ProgramNeeds = {
    pools,
    max_hugepages: maxPool,
    modules: selected.some((t) => usesStep(t.steps, 'corrupt_pfn')) ? ['hwpoison_inject'] : [],
    memoryMiB: maxPool * mib(size) + others + SLACK_MIB + (size === '1G' || (pools['1G'] ?? 0) > 0 ? LOW_RAM_MIB : 0),
  };

  const header = [
    '// SPDX-License-Identifier: GPL-2.0',
    `/*`,
    ` * ${scenario.name}: ${scenario.file} at ${size}, as a test of a real kernel (exported by hgmsim for ${profile}).`,
    ...(scenario.mirrors ? [` * Mirrors ${scenario.mirrors}.`] : []),
    ' *',
    ' * Build: gcc -static -O1 -Wall -Wextra -Werror -pthread -o prog prog.c',
    ` * Run as root on a kernel booted with default_hugepagesz=${size} and ${own} hugepages of that size:`,
    ' * ./prog prints every test as TAP (each test in a process of its own); ./prog -t N runs test N alone',
    ' * and exits 0 once it printed its result line (the outcome is in the TAP).',
    ' * What no process can observe (raw_hwp_list, refcounts) is reported as "not observable on a kernel".',
    ' */',
  ].join('\n');

  const source = [
    header,
    '',
    `#define HG_COMM ${cString(taskComm(scenario.name))}`,
    RUNTIME_C.replace('/*@VARS@*/', `${w.varsStruct()}\n`).trimEnd(),
    RUNTIME_CHECKS_C.trimEnd(),
    '',
    errnoNames(),
    '',
    ...testFunctions.map((f) => `${f}\n`),
    runTest,
    '',
    main,
    '',
  ].join('\n');

  return { scenario: scenario.name, file: scenario.file, hugepagesz: size, profile, stem: `${base}.${size}`, source, tests, needs };
}

/** One program per hugepage size of the scenario (or of those asked for), for `profile` (default: the scenario's). */
export function exportScenario(scenario: Scenario, opts: { readonly profile?: ProfileName; readonly hugepagesz?: readonly HugepageSize[] }): ExportResult {
  const profile = opts.profile ?? scenario.kernel.profile;
  return scenario.kernel.hugepagesz.filter((s) => opts.hugepagesz === undefined || opts.hugepagesz.includes(s)).map((s) => programFor(scenario, s, profile));
}
