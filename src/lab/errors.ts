// The ways the lab fails that are not a kernel's result, as values the `kernel` command maps to exit
// statuses: a host tool or Debian package is missing (69), hgmsim produced something broken such as a
// program gcc rejects (70), or the input cannot be used (a kernel image that is not there: 66).

export type LabFailureKind = 'unavailable' | 'software' | 'noinput';

/** An expected failure of the lab: `message` is one line (or a tool's output after it) for stderr. */
export class LabError extends Error {
  constructor(readonly kind: LabFailureKind, message: string) {
    super(message);
    this.name = 'LabError';
  }
}
