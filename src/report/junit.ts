// JUnit XML (reference/ecosystem.md §6.2, the de-facto shape Jenkins, GitLab and Azure read): one
// <testsuite> per stream (file × size × profile), one <testcase> per test. A result that departs from
// its verdict by failing, XPASSing or passing where a skip was expected is a <failure> carrying expected
// and actual; a skip is <skipped>; an XFAIL is a plain testcase with a note. `time="0"` everywhere and
// no timestamp, so reruns are byte-identical. GitLab shows `classname` as the suite, and drops repeated
// classname+name pairs, so classname is the whole stream name.

import type { StreamResult, TestResult } from '../runner/results.js';
import { xmlAttr, xmlText } from './escape.js';
import { streamName, testLines } from './tap.js';
import type { ReportOptions } from './tap.js';

interface Tally {
  tests: number;
  failures: number;
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

function tally(tests: readonly TestResult[]): Tally {
  return {
    tests: tests.length,
    failures: tests.filter((t) => FAILURE_TYPE[t.departure] !== null).length,
    skipped: tests.filter((t) => t.outcome === 'skip').length,
  };
}

const counts = (c: Tally): string => `tests="${c.tests}" failures="${c.failures}" errors="0" skipped="${c.skipped}" time="0"`;

/** `expected pass, got fail: line 12: …` */
export function expectedVsActual(t: TestResult): string {
  return `expected ${t.expected}, got ${t.status}${t.reason ? `: ${t.reason}` : ''}`;
}

function testcase(s: StreamResult, t: TestResult, opts: ReportOptions): string[] {
  const line = t.failedAt ? ` line="${t.failedAt.line}"` : '';
  const out = [`    <testcase classname="${xmlAttr(streamName(s))}" name="${xmlAttr(t.name)}" file="${xmlAttr(s.file)}"${line} time="0">`];
  const type = FAILURE_TYPE[t.departure];
  if (type !== null) {
    const body = [`expected: ${t.expected}`, `actual:   ${t.status}`];
    if (t.reason) body.push(`reason:   ${t.reason}`);
    if (t.failedAt) body.push(`at:       ${s.file}:${t.failedAt.line}`);
    out.push(`      <failure message="${xmlAttr(expectedVsActual(t))}" type="${type}">${xmlText(body.join('\n'))}</failure>`);
  } else if (t.outcome === 'skip') {
    const why = t.departure === 'skip' ? `unexpected skip (expected ${t.expected})${t.reason ? `: ${t.reason}` : ''}` : (t.reason ?? '');
    out.push(`      <skipped message="${xmlAttr(why)}"/>`);
  }
  const lines = testLines(t, opts);
  if (t.outcome === 'xfail') lines.push(`# XFAIL ${t.why ?? t.reason ?? 'unknown'}`);
  if (lines.length > 0) out.push(`      <system-out>${xmlText(`${lines.join('\n')}\n`)}</system-out>`);
  out.push('    </testcase>');
  return out;
}

function testsuite(s: StreamResult, opts: ReportOptions): string[] {
  const props: [string, string][] = [['file', s.file], ['scenario', s.scenario], ['hugepagesz', s.size], ['profile', s.profile]];
  for (const w of s.switches) props.push([`switch.${w.name}`, String(w.value)]);
  return [
    `  <testsuite name="${xmlAttr(streamName(s))}" ${counts(tally(s.tests))}>`,
    '    <properties>',
    ...props.map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`),
    '    </properties>',
    ...s.tests.flatMap((t) => testcase(s, t, opts)),
    '  </testsuite>',
  ];
}

export function renderJunit(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  const all = tally(streams.flatMap((s) => s.tests));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hgmsim" ${counts(all)}>`,
    ...streams.flatMap((s) => testsuite(s, opts)),
    '</testsuites>',
    '',
  ].join('\n');
}
