import { Option, type Command } from 'commander';
import { SEVERITIES } from '../model/index.js';
import { FORMAT_NAMES } from '../report/formats/names.js';

/** Option definitions more than one command takes, declared once. */

export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
];
export const repeat = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Which policies run: configuration, extra policy paths, selection (scan, image check, admission serve, sensor). */
export const withPolicySelection = (command: Command): Command =>
  command
    .option('-c, --config <file>', 'configuration file (default: .kubeward.yaml in the working directory)')
    .option('-p, --policies <path>', 'extra policy file or directory (repeatable)', repeat, [])
    .option('--enable <ids>', 'enable policies by id or glob, comma-separated', list, [])
    .option('--disable <ids>', 'disable policies by id or glob, comma-separated', list, [])
    .option('--only <ids>', 'run only these policies (ids or globs), comma-separated', list, [])
    .option('--no-builtin-policies', 'do not load the built-in policies');

export const withPolicyGate = (command: Command, failOn: string): Command =>
  withPolicySelection(command)
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMAT_NAMES).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', failOn).choices([...SEVERITIES, ...SEVERITIES.map((s) => s.toLowerCase())]))
    .option('--no-fail', 'exit 0 whatever the findings (input errors still exit 2)')
    .addOption(
      new Option('--severity <severity>', 'report only findings at or above this severity').choices([...SEVERITIES, ...SEVERITIES.map((s) => s.toLowerCase())]),
    );

/** How to reach a registry and reuse earlier scans, shared by `image scan` and `image check`. */
export const withRegistryAndCache = (command: Command): Command =>
  command
    .option('--username <user>', 'registry user name (default: $KUBEWARD_REGISTRY_USERNAME, else the Docker config)')
    .option('--password-stdin', 'read the registry password or token from stdin (or set $KUBEWARD_REGISTRY_PASSWORD)')
    .option('--insecure-registry', 'allow plain HTTP, or HTTPS without certificate checks, for the registry')
    .option('--registry-ca <file>', "PEM CA certificate(s) to trust for the registry's HTTPS")
    .option('--cache-dir <dir>', 'where scans are cached by image digest (default: $KUBEWARD_CACHE_DIR, else $XDG_CACHE_HOME/kubeward/images)')
    .option('--no-cache', 'read every layer again, and cache nothing (also $KUBEWARD_NO_CACHE=1)');

/** The vulnerability database directory (`--db`). */
export const dbOption = (what = 'vulnerability database directory'): Option =>
  new Option('--db <dir>', `${what} (default: $KUBEWARD_DB, else $XDG_DATA_HOME/kubeward/db)`);

/** Options many commands take, as `command.option(...PLATFORM)` spreads them. */
export const PLATFORM = ['--platform <os/arch[/variant]>', 'the image to read from a multi-platform index (default: this machine)'] as const;
export const COLOR = ['--color', 'force colours in the table'] as const;
export const NO_COLOR = ['--no-color', 'never use colours'] as const;
export const NAMESPACE = ['-n, --namespace <namespace>', 'namespace for objects that set none', undefined] as const;
export const KUBECTL = ['--kubectl <path>', 'kubectl used to render Kustomize directories (default: kubectl on PATH, or $KUBECTL)'] as const;
export const RBAC_FILE = ['-f, --file <path>', 'manifest file or directory with the RBAC objects (repeatable)', repeat, [] as string[]] as const;

/** The RBAC commands' output formats. */
export const rbacFormat = (): Option => new Option('-o, --output <format>', 'output format').choices(['txt', 'json']).default('txt');

/** Sending the JSON report to central as well (`scan`, `image scan`, `image check`), with where it came from. */
export const withPush = (command: Command): Command =>
  command
    .option('--push <url>', 'also send the JSON report to central at this URL, kept under the repository and commit (docs/server.md)')
    .option('--token-file <file>', 'with --push: a file holding a ci token (default: $KUBEWARD_TOKEN)')
    .option('--central-ca <file>', "with --push: a CA bundle (PEM) central's certificate chains to")
    .option('--repository <name>', 'with --push: the repository (default: from the CI variables, else git remote origin)')
    .option('--commit <sha>', 'with --push: the commit (default: from the CI variables, else git HEAD)')
    .option('--branch <name>', 'with --push: the branch')
    .option('--pipeline <id>', 'with --push: the CI run')
    .option('--pipeline-url <url>', 'with --push: a link to the CI run');
