import { execFileSync } from 'node:child_process';
import { CentralError, type CentralClient } from '../central-client/index.js';
import { KnownError } from './errors.js';

export type PushKind = 'manifests' | 'image-scan' | 'image-check';

/** Where a CI report comes from, as central keeps it. */
export interface PushMetadata {
  readonly repository: string;
  readonly commit: string;
  readonly branch?: string | undefined;
  readonly pipeline?: string | undefined;
  readonly url?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Metadata as read from flags or variables: any of it may be missing or empty. */
type Partly = { readonly [K in keyof PushMetadata]?: string | undefined };

/** Each CI system's variables for the repository, commit, branch, run and its link. */
const FROM_CI: readonly ((env: Env) => Partly | undefined)[] = [
  (env) =>
    env.GITHUB_ACTIONS
      ? {
          repository: env.GITHUB_REPOSITORY && `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/^https?:\/\//, '')}/${env.GITHUB_REPOSITORY}`,
          commit: env.GITHUB_SHA,
          branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME,
          pipeline: env.GITHUB_RUN_ID && `${env.GITHUB_WORKFLOW ?? 'run'} #${env.GITHUB_RUN_NUMBER ?? env.GITHUB_RUN_ID}`,
          url:
            env.GITHUB_RUN_ID &&
            env.GITHUB_REPOSITORY &&
            `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`,
        }
      : undefined,
  (env) =>
    env.GITLAB_CI
      ? {
          repository: env.CI_PROJECT_URL?.replace(/^https?:\/\//, ''),
          commit: env.CI_COMMIT_SHA,
          branch: env.CI_COMMIT_REF_NAME,
          pipeline: env.CI_PIPELINE_ID && `pipeline ${env.CI_PIPELINE_ID}`,
          url: env.CI_PIPELINE_URL,
        }
      : undefined,
  (env) =>
    env.JENKINS_URL
      ? {
          repository: env.GIT_URL?.replace(/^(https?:\/\/|git@)/, '').replace(/\.git$/, ''),
          commit: env.GIT_COMMIT,
          branch: env.GIT_BRANCH,
          pipeline: env.BUILD_TAG,
          url: env.BUILD_URL,
        }
      : undefined,
  (env) =>
    env.TF_BUILD
      ? {
          repository: env.BUILD_REPOSITORY_URI?.replace(/^https?:\/\//, ''),
          commit: env.BUILD_SOURCEVERSION,
          branch: env.BUILD_SOURCEBRANCHNAME,
          pipeline: env.BUILD_BUILDNUMBER,
        }
      : undefined,
  (env) =>
    env.CIRCLECI
      ? {
          repository: env.CIRCLE_REPOSITORY_URL?.replace(/^(https?:\/\/|git@)/, '').replace(/\.git$/, ''),
          commit: env.CIRCLE_SHA1,
          branch: env.CIRCLE_BRANCH,
          url: env.CIRCLE_BUILD_URL,
        }
      : undefined,
];

const git = (cwd: string, args: readonly string[]): string | undefined => {
  try {
    return (
      execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
};

/** `git@github.com:acme/shop.git` and `https://user:pw@github.com/acme/shop.git` both read `github.com/acme/shop`, credentials dropped. */
const repositoryName = (remote: string): string =>
  remote
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^[^@/]+@/, '')
    .replace(/^([^/:]+):(?!\d)/, '$1/')
    .replace(/\.git$/, '');

/**
 * The metadata of a push: what the flags give, else the CI system's variables (GitHub Actions,
 * GitLab, Jenkins, Azure Pipelines, CircleCI), else the git checkout in `cwd`.
 */
export const pushMetadata = (given: Partly, env: Env, cwd: string): PushMetadata => {
  const ci: Partly = FROM_CI.map((read) => read(env)).find(Boolean) ?? {};
  const pick = (key: keyof PushMetadata): string | undefined => given[key] || ci[key] || undefined;
  const repository =
    pick('repository') ??
    (() => {
      const remote = git(cwd, ['remote', 'get-url', 'origin']);
      return remote ? repositoryName(remote) : undefined;
    })();
  const commit = pick('commit') ?? git(cwd, ['rev-parse', 'HEAD']);
  if (!repository)
    throw new KnownError('no repository to push the report under', 'give --repository <name> (or run in CI, or in a git checkout with an origin)');
  if (!commit) throw new KnownError('no commit to push the report under', 'give --commit <sha> (or run in CI, or in a git checkout)');
  return {
    repository: repositoryName(repository),
    commit,
    branch: pick('branch') ?? git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']),
    pipeline: pick('pipeline'),
    url: pick('url'),
  };
};

export interface PushedReport {
  readonly id: string;
  readonly repository: string;
  readonly commit: string;
  readonly counts: { readonly critical: number; readonly high: number; readonly medium: number; readonly low: number; readonly total: number };
}

/** `push`: a JSON report to central, kept there under its repository and commit. */
export const pushReport = async (client: CentralClient, kind: PushKind, report: unknown, metadata: PushMetadata): Promise<PushedReport> => {
  try {
    return await client.request<PushedReport>('POST', '/api/v1/ci/results', { kind, ...metadata, report });
  } catch (error) {
    if (error instanceof CentralError) throw new KnownError(`central refused the report (${error.status} ${error.code}): ${error.message}`);
    throw new KnownError(`cannot reach central at ${client.url}: ${(error as Error).message}`, 'check --central and that the server is up');
  }
};

/** The kind of a JSON report, from its shape: an image scan lists packages; a check names image policies' inputs. */
export const reportKind = (report: unknown): PushKind | undefined => {
  if (typeof report !== 'object' || report === null) return undefined;
  if ('packages' in report && 'image' in report) return 'image-scan';
  if ('findings' in report && 'inputs' in report) return 'manifests';
  return undefined;
};
