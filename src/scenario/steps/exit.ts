// `exit`: _exit(2) — exit_group() of the acting process, as a forked selftest child ends. The
// process's mappings and fds go away; a step `in:` it later fails as a step in a dead process.

import * as z from 'zod';
import { expr, syscallCommon } from '../fields.js';
import { defineStep } from './define.js';

export const exit = defineStep({
  name: 'exit',
  schema: z
    .strictObject({ status: expr('The exit status (default 0)').optional(), ...syscallCommon })
    .describe('_exit(2): the acting process exits (exit_group)'),
  describe: '_exit(status): the acting process exits, all its threads with it (exit_group); its mm and fds are released',
  example: '- exit: {status: 0, in: Q}',
  traits: { syscall: true },
});
