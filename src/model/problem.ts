export type ProblemCode =
  | 'syntax'
  | 'too-large'
  | 'alias-bomb'
  | 'too-deep'
  | 'not-an-object'
  | 'missing-kind'
  | 'missing-name'
  | 'binary'
  | 'unreadable'
  | 'symlink-loop'
  | 'not-found'
  | 'kustomize'
  | 'too-large-file'
  | 'unknown-policy'
  | 'invalid-utf8'
  | 'invalid-name'
  /** Something inside an image that could not be read (`kubeward image check`). */
  | 'image';

/** Something in the input that could not be scanned, as data: file, position and a stable code. */
export interface InputProblem {
  readonly code: ProblemCode;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** Errors make a scan exit 2 (after everything else was reported); warnings are reported only. */
  readonly level: 'error' | 'warning';
}
