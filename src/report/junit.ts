// JUnit XML (reference/ecosystem.md §6.2, the de-facto shape Jenkins, GitLab and Azure read): one
// <testsuite> per stream (file × size × profile), one <testcase> per test. A result that departs from
// its verdict by failing, XPASSing or passing where a skip was expected is a <failure> carrying expected
// and actual; a skip is <skipped>; an XFAIL is a plain testcase with a note. `time="0"` everywhere and
// no timestamp, so reruns are byte-identical. GitLab shows `classname` as the suite, and drops repeated
// classname+name pairs, so classname is the whole stream name. Under --check each stream has a `golden`
// testcase (a <failure> when its golden differs or is missing) and each stale golden a failing testcase
// of its own; an author error that stopped a stream is an <error> testcase naming file, line and code.

import type { StreamResult, TestResult } from '../runner/index.js';
import { xmlAttr, xmlText } from './escape.js';
import { reasonOf, streamName, testLines } from './tap.js';
import type { ReportOptions } from './tap.js';

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** A departure that makes the stream exit 1 (verdict.ts streamExitStatus), as JUnit's failure type. */
const FAILURE_TYPE: { readonly [D in TestResult['departure']]: string | null } = {
  none: null,
  fail: 'fail',
  xpass: 'xpass',
  'unexpected-pass': 'unexpected-pass',
  skip: null,
};

/** A stream's counts: its tests, plus its golden testcase under --check and its error testcase. */
function tally(s: StreamResult, check: boolean): Tally {
  const golden = check && s.golden !== undefined;
  return {
    tests: s.tests.length + (golden ? 1 : 0) + (s.error ? 1 : 0),
    failures: s.tests.filter((t) => FAILURE_TYPE[t.departure] !== null).length + (golden && s.golden?.kind !== 'same' ? 1 : 0),
    errors: s.error ? 1 : 0,
    skipped: s.tests.filter((t) => t.outcome === 'skip').length,
  };
}

const sum = (a: Tally, b: Tally): Tally => ({ tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped });

const counts = (c: Tally): string => `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="0"`;

/** `expected pass, got fail: line 12: …` */
export function expectedVsActual(t: TestResult): string {
  const reason = reasonOf(t);
  return `expected ${t.expected}, got ${t.status}${reason ? `: ${reason}` : ''}`;
}

function testcase(s: StreamResult, t: TestResult, opts: ReportOptions): string[] {
  const line = t.failedAt ? ` line="${t.failedAt.line}"` : '';
  const reason = reasonOf(t);
  const out = [`    <testcase classname="${xmlAttr(streamName(s))}" name="${xmlAttr(t.name)}" file="${xmlAttr(s.file)}"${line} time="0">`];
  const type = FAILURE_TYPE[t.departure];
  if (type !== null) {
    const body = [`expected: ${t.expected}`, `actual:   ${t.status}`];
    if (reason) body.push(`reason:   ${reason}`);
    if (t.failedAt) body.push(`at:       ${s.file}:${t.failedAt.line}`);
    out.push(`      <failure message="${xmlAttr(expectedVsActual(t))}" type="${type}">${xmlText(body.join('\n'))}</failure>`);
  } else if (t.outcome === 'skip') {
    const why = t.departure === 'skip' ? `unexpected skip (expected ${t.expected})${reason ? `: ${reason}` : ''}` : (reason ?? '');
    out.push(`      <skipped message="${xmlAttr(why)}"/>`);
  }
  const lines = testLines(t, opts);
  if (t.outcome === 'xfail') lines.push(`# XFAIL ${t.why ?? reason ?? 'unknown'}`);
  if (lines.length > 0) out.push(`      <system-out>${xmlText(`${lines.join('\n')}\n`)}</system-out>`);
  out.push('    </testcase>');
  return out;
}

/** The `golden` testcase of a stream under --check. */
function goldenCase(s: StreamResult): string[] {
  const g = s.golden;
  if (g === undefined) return [];
  const head = `    <testcase classname="${xmlAttr(streamName(s))}" name="golden" file="${xmlAttr(g.path)}"${g.kind === 'different' ? ` line="${g.line}"` : ''} time="0">`;
  if (g.kind === 'same') return [head.replace(/>$/, '/>')];
  const [message, body] = g.kind === 'missing'
    ? [`golden missing: ${g.path}`, `${g.path} does not exist; write it with --update-golden`]
    : [`golden differs: ${g.path}, ${g.test}, line ${g.line}`, `expected: ${g.expected}\nactual:   ${g.actual}`];
  return [head, `      <failure message="${xmlAttr(message)}" type="golden">${xmlText(body)}</failure>`, '    </testcase>'];
}

/** The testcase standing for an author error that stopped a stream. */
function errorCase(s: StreamResult): string[] {
  const e = s.error;
  if (e === undefined) return [];
  const where = `${e.file}:${e.line}:${e.col}`;
  return [
    `    <testcase classname="${xmlAttr(streamName(s))}" name="(scenario error)" file="${xmlAttr(e.file)}" line="${e.line}" time="0">`,
    `      <error message="${xmlAttr(`${where}: ${e.code} ${e.message}`)}" type="${e.code}">${xmlText(`${where}: ${e.code} ${e.message}\nthe stream stopped here; ${s.tests.length} test(s) finished before it`)}</error>`,
    '    </testcase>',
  ];
}

function testsuite(s: StreamResult, opts: ReportOptions): string[] {
  const props: [string, string][] = [['file', s.file], ['scenario', s.scenario], ['hugepagesz', s.size], ['profile', s.profile]];
  for (const w of s.switches) props.push([`switch.${w.name}`, String(w.value)]);
  return [
    `  <testsuite name="${xmlAttr(streamName(s))}" ${counts(tally(s, opts.check === true))}>`,
    '    <properties>',
    ...props.map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`),
    '    </properties>',
    ...s.tests.flatMap((t) => testcase(s, t, opts)),
    ...errorCase(s),
    ...(opts.check === true ? goldenCase(s) : []),
    '  </testsuite>',
  ];
}

/** Stale goldens under --check: one suite, a failing testcase per file. */
function staleSuite(stale: readonly string[]): string[] {
  if (stale.length === 0) return [];
  return [
    `  <testsuite name="hgmsim: stale goldens" ${counts({ tests: stale.length, failures: stale.length, errors: 0, skipped: 0 })}>`,
    ...stale.flatMap((path) => [
      `    <testcase classname="hgmsim: stale goldens" name="${xmlAttr(path)}" file="${xmlAttr(path)}" time="0">`,
      `      <failure message="${xmlAttr(`stale golden: ${path}`)}" type="stale">${xmlText('no stream of this run writes it (its scenario, size or profile is gone); --update-golden removes it')}</failure>`,
      '    </testcase>',
    ]),
    '  </testsuite>',
  ];
}

export function renderJunit(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  const stale = opts.stale ?? [];
  const all = streams.map((s) => tally(s, opts.check === true)).reduce(sum, { tests: stale.length, failures: stale.length, errors: 0, skipped: 0 });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hgmsim" ${counts(all)}>`,
    ...streams.flatMap((s) => testsuite(s, opts)),
    ...staleSuite(stale),
    '</testsuites>',
    '',
  ].join('\n');
}
