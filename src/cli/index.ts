// Entry point (bin/hgmsim.js imports this): runs the CLI on the real process and exits with its status.
// A closed stdout (`hgmsim run | head`) ends quietly: nothing more is written to it, and the run still
// ends with the status it computed, so a failing gate is never turned into 0 by a pipe.

import { runCli } from './main.js';
import { TAP_MAX_BYTES } from './read.js';

let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    stdoutClosed = true;
    return;
  }
  process.stderr.write(`hgmsim: cannot write to stdout: ${e.message}\n`);
  process.exit(74); // EX_IOERR
});

// No top-level await: the bundle is CommonJS (scripts/bundle.mjs), so V8's code cache can be used.
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (text) => {
    if (!stdoutClosed) process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > TAP_MAX_BYTES) break; // over diff's limit: it is refused, the rest need not be held
    }
    return Buffer.concat(chunks).toString('utf8');
  },
}).then((code) => {
  process.exitCode = code;
});
