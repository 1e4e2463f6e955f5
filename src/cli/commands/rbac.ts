import { accessRequest, explainSubject, reviewRbac, whoCanInCluster, type RbacProblem } from '../../app/index.js';
import type { ClusterSnapshot, Subject } from '../../model/index.js';
import { RBAC_FORMATS, RBAC_RENDERERS, type RbacFormat, type RbacReport } from '../../report/rbac/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { renderContext, writeRendered } from '../write-report.js';
import { loadSnapshot } from './manifests.js';

export interface RbacOptions {
  readonly paths: readonly string[];
  readonly namespace?: string;
  readonly name?: string;
  readonly format: string;
}

const load = async (options: RbacOptions, io: Io): Promise<{ snapshot: ClusterSnapshot; error: boolean }> => {
  if (options.paths.length === 0)
    throw new UsageError('give the manifests with RBAC objects: --file <path> (repeatable)', 'kubeward rbac who-can get secrets -n shop --file examples/');
  if (!(RBAC_FORMATS as readonly string[]).includes(options.format))
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use ${RBAC_FORMATS.join(' or ')}`);
  return loadSnapshot(options.paths, {}, io);
};

/** Prints the answer and what could not be read of the RBAC objects; exit 2 when input was unreadable. */
const answer = async (
  result: { readonly report: RbacReport; readonly problems: readonly RbacProblem[] },
  error: boolean,
  options: RbacOptions,
  io: Io,
): Promise<number> => {
  for (const problem of result.problems) io.stderr(`kubeward: warning: ${problem.object}: ${problem.message}\n`);
  await writeRendered(RBAC_RENDERERS[options.format as RbacFormat].render(result.report, renderContext(io, {}, false)), undefined, io);
  return error ? EXIT.error : EXIT.clean;
};

/** `sa:ns/name`, `serviceaccount:ns/name`, `user:alice`, `group:devs`. */
const parseSubject = (text: string): Subject => {
  const match = /^(sa|serviceaccount|user|group):(.+)$/i.exec(text);
  if (!match) throw new UsageError(`cannot read subject ${JSON.stringify(text)}`, 'write sa:<namespace>/<name>, user:<name> or group:<name>');
  const kind = (match[1] as string).toLowerCase();
  const name = match[2] as string;
  if (kind === 'sa' || kind === 'serviceaccount') {
    const [namespace, account] = name.includes('/') ? (name.split('/', 2) as [string, string]) : ['default', name];
    return { kind: 'ServiceAccount', namespace, name: account };
  }
  return { kind: kind === 'user' ? 'User' : 'Group', name };
};

/** `kubeward rbac who-can <verb> <resource|/path>`: every subject allowed, with the chain of bindings. */
export const runRbacWhoCan = async (verb: string, target: string, options: RbacOptions, io: Io): Promise<number> => {
  const { snapshot, error } = await load(options, io);
  return answer(whoCanInCluster(snapshot, accessRequest(verb, target, options), `${verb} ${target}`), error, options, io);
};

/** `kubeward rbac review`: every subject with its permission level and dangerous permissions, worst first. */
export const runRbacReview = async (options: RbacOptions, io: Io): Promise<number> => {
  const { snapshot, error } = await load(options, io);
  return answer(reviewRbac(snapshot), error, options, io);
};

/** `kubeward rbac explain <subject>`: every permission a subject holds, and the chain that grants it. */
export const runRbacExplain = async (subjectText: string, options: RbacOptions, io: Io): Promise<number> => {
  const subject = parseSubject(subjectText);
  const { snapshot, error } = await load(options, io);
  return answer(explainSubject(snapshot, subject), error, options, io);
};
