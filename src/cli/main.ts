import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  COLOR,
  dbOption,
  KUBECTL,
  list,
  NAMESPACE,
  NO_COLOR,
  PLATFORM,
  RBAC_FILE,
  rbacFormat,
  repeat,
  withPolicyGate,
  withPolicySelection,
  withPush,
  withRegistryAndCache,
} from './options.js';
import { BREAK_GLASS_ANNOTATION, builtInPolicyDirectory, DEFAULT_EXCLUDED_NAMESPACES, DEFAULT_MIRROR } from '../app/defaults.js';
import { IMAGE_FORMAT_NAMES } from '../report/image/names.js';
import { NETWORK_DIFF_FORMATS, NETWORK_MAP_FORMATS } from '../report/network/names.js';
import type { ScanOptions } from './commands/scan.js';
import { EXIT, KnownError } from './errors.js';
import type { Io } from './io.js';

// Each command's module is loaded when the command runs: `kubeward --help` or `scan` should not
// pay for the image scanner's SBOM libraries or the vulnerability database.
const dbCommands = () => import('./commands/db.js');
const imageCheckCommands = () => import('./commands/image-check.js');
const netpolCommands = () => import('./commands/netpol.js');
const rbacCommands = () => import('./commands/rbac.js');
const riskCommands = () => import('./commands/risk.js');
const imageCommands = () => import('./commands/image.js');
const policyCommands = () => import('./commands/policy.js');
const scanCommands = () => import('./commands/scan.js');

export const packageVersion = (): string => {
  const manifest = JSON.parse(readFileSync(join(dirname(builtInPolicyDirectory()), 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
};

type AddCommands = (root: Command, io: Io, setExit: (code: number) => void) => void;

/** `kubeward scan`. */
const addScan: AddCommands = (root, io, setExit) => {
  withPush(
    withPolicyGate(
      root
        .command('scan')
        .description('check Kubernetes manifests (files, directories, - for stdin, Kustomize directories) against BUILD and DEPLOY policies')
        .argument('[paths...]', 'files and directories to scan (recursively: .yaml, .yml, .json); - reads stdin'),
      'exit 1 when a finding is at or above this severity (default HIGH)',
    ),
  )
    .option('-n, --namespace <namespace>', 'namespace for objects that set none', undefined)
    .option('--exclude <glob>', 'skip files and directories matching the glob (repeatable)', repeat, [])
    .option('--kubectl <path>', 'kubectl used to render Kustomize directories (default: kubectl on PATH, or $KUBECTL)')
    .option(...COLOR)
    .option(...NO_COLOR)
    .option('-q, --quiet', 'no summary on stderr', false)
    .option('--threads <count>', 'worker threads (default: one per core for inputs over 4 MiB)')
    .action(async (paths: string[], options: ScanOptions) => setExit(await (await scanCommands()).runScan(paths, options, io)));
};

/** `kubeward policy list|explain|fields|test|export-vap|import-stackrox`. */
const addPolicy: AddCommands = (root, io, setExit) => {
  const policy = root.command('policy').description('list, explain and convert policies');
  policy
    .command('list')
    .description('list every known policy with its default state')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-c, --config <file>', 'configuration file')
    .option('-p, --policies <path>', 'extra policy file or directory (repeatable)', repeat, [])
    .action(async (options) => setExit(await (await policyCommands()).runPolicyList(options, io)));
  policy
    .command('explain')
    .description('show a policy: what it checks, why, how to fix, and its criteria')
    .argument('<id>', 'policy id')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-c, --config <file>', 'configuration file')
    .option('-p, --policies <path>', 'extra policy file or directory (repeatable)', repeat, [])
    .action(async (id: string, options) => setExit(await (await policyCommands()).runPolicyExplain(id, options, io)));
  policy
    .command('fields')
    .description('list the criteria fields policies can use')
    .option('-t, --target <target>', 'only fields usable with this target (Workload, Service, Role, ...)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (options) => setExit(await (await policyCommands()).runPolicyFields(options, io)));
  policy
    .command('test')
    .description('run the test cases of policies (tests/<id>.yaml next to the policy files)')
    .argument('[paths...]', 'policy files or directories')
    .option('--builtin', 'also test the built-in policies', false)
    .action(async (paths: string[], options: { builtin: boolean }) => setExit(await (await policyCommands()).runPolicyTest(paths, options, io)));
  policy
    .command('export-vap')
    .description(
      'compile the active DEPLOY-stage policies that CEL can express into ValidatingAdmissionPolicies and bindings: the API server enforces them, no webhook needed',
    )
    .option('-c, --config <file>', 'configuration file')
    .option('-p, --policies <path>', 'extra policy file or directory (repeatable)', repeat, [])
    .option('--enable <ids>', 'enable policies by id or glob, comma-separated', list, [])
    .option('--disable <ids>', 'disable policies by id or glob, comma-separated', list, [])
    .option('--only <ids>', 'export only these policies (ids or globs), comma-separated', list, [])
    .option('--action <action>', 'validationActions of the bindings: Deny (default), Warn, Audit (repeatable)', repeat, [])
    .option('--exclude-namespace <namespace>', 'namespaces the bindings leave out (repeatable)', repeat, [])
    .option('--no-default-exclusions', 'also enforce in kube-system, kube-public and kube-node-lease')
    .option('-o, --output <file>', 'write the YAML to a file instead of stdout')
    .action(async (options) => setExit(await (await policyCommands()).runPolicyExportVap(options, io)));
  policy
    .command('import-stackrox')
    .description('convert a StackRox policy export (JSON) into Kubeward policies; lists what could not be converted')
    .argument('<export>', 'StackRox export file (roxctl or UI "Export policy")')
    .option('-o, --output <dir>', 'write one YAML file per policy into this directory (default: stdout)')
    .action(async (file: string, options) => setExit(await (await policyCommands()).runImportStackRox(file, options, io)));
};

/** `kubeward image scan|check`. */
const addImage: AddCommands = (root, io, setExit) => {
  const image = root.command('image').description('scan container images: packages and vulnerabilities');
  withPush(withRegistryAndCache(image.command('scan')))
    .description('list the packages of an image and match them against the vulnerability database')
    .argument(
      '<image>',
      'a registry reference (nginx:1.27, ghcr.io/org/app@sha256:..., docker://...), an OCI layout directory, an OCI or docker save archive, or oci:<dir>[:tag], oci-archive:<file>[:tag], docker-archive:<file>[:name:tag]',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format: a report (table, json, sarif) or an SBOM (cyclonedx, spdx-json)')
        .choices(IMAGE_FORMAT_NAMES)
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option(...PLATFORM)
    .addOption(dbOption())
    .option('--no-vulnerabilities', 'list packages only; no database needed')
    .option('--fail-on <severity>', 'exit 1 when a vulnerability is at or above this severity (default: never)')
    .option(...COLOR)
    .option(...NO_COLOR)
    .option('-q, --quiet', 'no progress or summary on stderr', false)
    .action(async (reference: string, options) => setExit(await (await imageCommands()).runImageScan(reference, options, io)));

  withPush(
    withRegistryAndCache(
      withPolicyGate(
        image
          .command('check')
          .description(
            'judge an image by the BUILD-stage image policies (user, ports, Dockerfile steps, packages, vulnerabilities); exit 1 on failing findings',
          )
          .argument('<image>', 'a registry reference, an OCI layout directory, an OCI or docker save archive (as for image scan)'),
        'exit 1 when a finding is at or above this severity, or from a policy enforced at BUILD (default HIGH)',
      ),
    ),
  )
    .option('--name <image>', 'the image name policies see (registry, tag) for a local image; default: local/<file>@<digest>')
    .option(...PLATFORM)
    .addOption(dbOption())
    .option('--no-vulnerabilities', 'skip vulnerability matching (vulnerability policies then find nothing); no database needed')
    .option(...COLOR)
    .option(...NO_COLOR)
    .option('-q, --quiet', 'no progress or summary on stderr', false)
    .action(async (reference: string, options) => setExit(await (await imageCheckCommands()).runImageCheck(reference, options, io)));
};

/** `kubeward netpol map|generate|diff`. */
const addNetpol: AddCommands = (root, io, setExit) => {
  const netpol = root.command('netpol').description('NetworkPolicy analysis: who can talk to whom');
  netpol
    .command('map')
    .description('connectivity between workloads and external address ranges under the NetworkPolicies of the inputs, with ports')
    .argument('<paths...>', 'manifest files and directories (recursively), or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(NETWORK_MAP_FORMATS).default('txt'))
    .option('-o, --output <file>', 'write the map to a file instead of stdout')
    .option('--focus <workload>', 'only what touches this workload (namespace/Kind/name, namespace/name or name)')
    .option('--flows <file>', 'observed flows (JSON lines or Hubble JSON): report flows the policies deny, and allowed pairs never seen')
    .option(...NAMESPACE)
    .option(...KUBECTL)
    .option('-q, --quiet', 'no notes on stderr', false)
    .action(async (paths: string[], options) => setExit(await (await netpolCommands()).runNetpolMap(paths, options, io)));
  netpol
    .command('generate')
    .description('least-privilege ingress and egress NetworkPolicies per workload from observed flows (DNS to kube-dns kept open)')
    .argument('<paths...>', 'manifest files and directories of the workloads')
    .option('--flows <file>', 'observed flows: JSON lines {source, destination, port, protocol}, or Cilium Hubble JSON (hubble observe -o json)')
    .option('--from-services', 'without flows: a starting set from Services (namespace peers on target ports, anywhere for exposed Services)')
    .option('-o, --output <file>', 'write the policies to a file instead of stdout')
    .option('--default-deny', 'also a default-deny policy per namespace')
    .option(...NAMESPACE)
    .option(...KUBECTL)
    .option('-q, --quiet', 'no summary on stderr', false)
    .action(async (paths: string[], options) => setExit(await (await netpolCommands()).runNetpolGenerate(paths, options, io)));
  netpol
    .command('diff')
    .description('connections added, removed and changed between two sets of manifests (what a policy change does before it is applied)')
    .argument('<before>', 'manifest file or directory as it is')
    .argument('<after>', 'manifest file or directory as it would be')
    .addOption(new Option('-f, --format <format>', 'output format').choices(NETWORK_DIFF_FORMATS).default('txt'))
    .option('-o, --output <file>', 'write the diff to a file instead of stdout')
    .option('--exit-code', 'exit 1 when connectivity changes (as git diff --exit-code)')
    .option(...NAMESPACE)
    .option(...KUBECTL)
    .action(async (before: string, after: string, options) => setExit(await (await netpolCommands()).runNetpolDiff(before, after, options, io)));
};

/** `kubeward risk`. */
const addRisk: AddCommands = (root, io, setExit) => {
  withRegistryAndCache(
    root
      .command('risk')
      .description(
        'workloads, images or vulnerabilities ranked by risk in their Kubernetes context (policy violations, configuration, reachability, NetworkPolicy isolation, RBAC, image vulnerabilities, KEV, EPSS), each with its reasons',
      )
      .argument('<paths...>', 'manifest files and directories'),
  )
    .addOption(
      new Option('--by <ranking>', 'what to rank: workloads, the images they run, or the vulnerabilities in those images')
        .choices(['workload', 'image', 'cve'])
        .default('workload'),
    )
    .option(
      '--images <image>',
      'scan this image and rank with its results (repeatable): a registry reference, or a local layout or archive as <path>=<image name in the manifests>',
      repeat,
      [],
    )
    .option('--scan-images', 'scan every image the workloads run from its registry (images that cannot be read are reported and ranked as not scanned)')
    .option(
      '--image-scans <file>',
      'a saved kubeward image scan --format json report (repeatable), optionally <file>=<image name in the manifests>',
      repeat,
      [],
    )
    .addOption(new Option('-f, --format <format>', 'output format: txt, json, or a self-contained html report').choices(['txt', 'json', 'html']).default('txt'))
    .option('--top <n>', 'only the n first of the ranking')
    .option(...PLATFORM)
    .addOption(dbOption())
    .option('--no-vulnerabilities', 'scan --images for packages only; no database needed')
    .option('-c, --config <file>', 'configuration file (default: .kubeward.yaml in the working directory)')
    .option('-q, --quiet', 'no warnings or progress on stderr', false)
    .action(async (paths: string[], options) => setExit(await (await riskCommands()).runRisk(paths, options, io)));
};

/** `kubeward admission serve|manifests`. */
const addAdmission: AddCommands = (root, io, setExit) => {
  const admission = root.command('admission').description('the validating admission webhook: stop bad workloads at the API server');
  withPolicySelection(
    admission
      .command('serve')
      .description('serve the webhook over HTTPS (AdmissionReview v1 on POST /validate): enforced DEPLOY-stage policies deny, others warn'),
  )
    .option('--tls-cert <file>', 'PEM serving certificate (kubeward admission manifests --tls-dir writes one)')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option('--client-ca <file>', "require callers of /validate to present a client certificate signed by this CA (the API server's, see admission.md)")
    .option('--port <port>', 'port to listen on', '8443')
    .option('--address <address>', 'address to listen on', '0.0.0.0')
    .option('--enforce <ids>', 'deny on findings of these policies (ids or globs, comma-separated), besides those whose files enforce at DEPLOY', list, [])
    .option('--exclude-namespace <namespace>', 'let objects of this namespace through unchecked (glob; repeatable)', repeat, [])
    .option('--exclude-user <user>', 'let requests of this user through unchecked, e.g. system:serviceaccount:ci:deployer (glob; repeatable)', repeat, [])
    .option('--no-default-exclusions', `also check ${DEFAULT_EXCLUDED_NAMESPACES.join(', ')} and the control plane's controllers`)
    .option('--no-break-glass', `ignore the ${BREAK_GLASS_ANNOTATION} annotation`)
    .option('--time-budget <ms>', 'milliseconds a decision may take before the failure policy answers', '3000')
    .option('--failure-policy <policy>', 'answer when a decision fails or runs out of time: open (allow, with a warning) or closed (deny)', 'open')
    .option('--hard-timeout <ms>', 'milliseconds after which a decision still running is stopped (the failure policy answers)', '9000')
    .option('--workers <n>', 'threads that judge requests (by default one per core, at most 4)')
    .option('--max-connections <n>', 'connections open at once; beyond, new ones are closed', '2048')
    .option('--max-connections-per-source <n>', 'connections open at once from one address', '256')
    .option('--central <url>', 'take the enforced policies from central (kept while it is away) and report decisions to it')
    .option('--cluster <name>', 'with --central: the name central knows this cluster by', 'default')
    .option('--token-file <file>', 'with --central: a file holding an admission token (default: $KUBEWARD_TOKEN)')
    .option('--central-ca <file>', "with --central: a CA bundle (PEM) central's certificate chains to")
    .option('--central-refresh <seconds>', "with --central: how often to check central's policies", '30')
    .option('-q, --quiet', 'log only denials, warnings and break-glass deploys', false)
    // Loaded when used: the HTTPS server and certificate code need not slow every other command's start.
    .action(async (options) =>
      setExit(await (await import('./commands/admission.js')).runAdmissionServe(options, io, io.shutdownSignal?.() ?? new AbortController().signal)),
    );
  admission
    .command('manifests')
    .description('the YAML to install the webhook: namespace, TLS, Deployment, Service, PodDisruptionBudget, ValidatingWebhookConfiguration')
    .option('-n, --namespace <namespace>', 'namespace to install into', 'kubeward')
    .option('--image <image>', 'the kubeward image the Deployment runs (default: ghcr.io/kubeward/kubeward:<version>)')
    .option('--enforce <ids>', 'policies to enforce at DEPLOY (ids or globs, comma-separated)', list, [])
    .option('--exclude-namespace <namespace>', 'namespaces the API server never sends (repeatable)', repeat, [])
    .option('--failure-policy <policy>', 'when the webhook cannot be reached: Ignore (admit) or Fail (deny)', 'Ignore')
    .option('--timeout <seconds>', 'seconds the API server waits for an answer (1-30)', '10')
    .option('--replicas <n>', 'webhook replicas', '2')
    .option('--cert-manager', 'let cert-manager issue the certificate and inject the CA (instead of a Secret made here)')
    .option('--url <url>', 'out of cluster: the API server calls this https URL (prints the webhook configuration only)')
    .option('--tls-dir <dir>', 'also write the CA, certificate and key to this directory (for admission serve)')
    .option('--webhook-only', 'print only the ValidatingWebhookConfiguration')
    .option('--days <n>', 'certificate validity in days', '365')
    .action(async (options) => setExit(await (await import('./commands/admission.js')).runAdmissionManifests(options, io)));
};

/** `kubeward sensor`. */
const addSensor: AddCommands = (root, io, setExit) => {
  withPolicySelection(
    root
      .command('sensor')
      .description(
        'watch a cluster: keep the model of every workload, service, policy and RBAC object up to date, and report DEPLOY-stage violations as they appear and are resolved',
      ),
  )
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--in-cluster', "use the pod's service account")
    .addOption(new Option('-o, --output <format>', 'event format').choices(['json', 'text']).default('json'))
    .option('--debounce <ms>', 'judge changes arriving within this many milliseconds together', '200')
    .option('--state-file <file>', 'after each judgement, write every object held and its resourceVersion (JSON) here')
    .option('--central <url>', 'stream the cluster to central at this URL (central judges it) instead of judging it here')
    .option('--cluster <name>', 'with --central: the name central knows this cluster by', 'default')
    .option('--token-file <file>', 'with --central: a file holding a sensor token (default: $KUBEWARD_TOKEN)')
    .option('--central-ca <file>', "with --central: a CA bundle (PEM) central's certificate chains to")
    .option('--max-buffered <n>', 'with --central: objects buffered while central is away before a full resync', '10000')
    .option('-q, --quiet', 'no reconnection notes', false)
    // Loaded when used: the Kubernetes client costs every other command 0.6 s and 80 MB at start.
    .action(async (options) =>
      setExit(await (await import('./commands/sensor.js')).runSensor(options, io, io.shutdownSignal?.() ?? new AbortController().signal)),
    );
};

/** `kubeward push`. */
const addPush: AddCommands = (root, io, setExit) => {
  root
    .command('push')
    .description('send a JSON report (kubeward scan, image scan or image check --format json) to central, kept under its repository and commit')
    .argument('<report>', 'the JSON report file, or - for stdin')
    .option('--central <url>', 'central (default: $KUBEWARD_CENTRAL)')
    .addOption(new Option('--kind <kind>', 'what the report is (default: from its shape)').choices(['manifests', 'image-scan', 'image-check']))
    .option('--token-file <file>', 'a file holding a ci token (default: $KUBEWARD_TOKEN)')
    .option('--central-ca <file>', "a CA bundle (PEM) central's certificate chains to")
    .option('--repository <name>', 'the repository (default: from the CI variables, else git remote origin)')
    .option('--commit <sha>', 'the commit (default: from the CI variables, else git HEAD)')
    .option('--branch <name>', 'the branch')
    .option('--pipeline <id>', 'the CI run')
    .option('--pipeline-url <url>', 'a link to the CI run')
    .action(async (file: string, options) => setExit(await (await import('./commands/push.js')).runPush(file, options, io)));
};

/** `kubeward server`. */
const addServer: AddCommands = (root, io, setExit) => {
  withPolicySelection(
    root
      .command('server')
      .description("central: keep every cluster's state over time (SQLite or PostgreSQL), take in snapshots, and serve the API (docs/server.md)"),
  )
    .option('--db <file>', 'SQLite file (default: $KUBEWARD_CENTRAL_DB, else .kubeward/central.db)')
    .option('--postgres <url>', 'PostgreSQL instead of SQLite, postgres://user@host/db (default: $KUBEWARD_POSTGRES_URL)')
    .option('--postgres-pool <n>', 'with --postgres: connections this server keeps open (default 10)')
    .option('--address <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this key (PEM)')
    .option('--demo', 'load the manifests in examples/ as cluster demo')
    .option('--scan-images', 'pull and scan every image a workload runs that no scan (from CI) stands for')
    .option('--vuln-db <dir>', 'with --scan-images: the vulnerability database directory (default: $KUBEWARD_DB, else $XDG_DATA_HOME/kubeward/db)')
    .option('--db-update-every <hours>', 'with --scan-images: refresh the vulnerability database this often, then match every kept scan again')
    .option('--osv-mirror <url>', 'with --db-update-every: the OSV mirror (default: $KUBEWARD_OSV_MIRROR, else osv.dev)')
    .option('--username <user>', 'with --scan-images: registry user name (default: $KUBEWARD_REGISTRY_USERNAME, else the Docker config)')
    .option('--insecure-registry', 'with --scan-images: allow plain HTTP, or HTTPS without certificate checks, for registries')
    .option('--registry-ca <file>', "with --scan-images: PEM CA certificate(s) to trust for registries' HTTPS")
    .option('--rate-limit <n>', 'requests a second each token may make, bursts of twice that (default 100)')
    .addOption(new Option('--log-level <level>', 'JSON log level on stdout').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .option('-q, --quiet', 'no policy warnings', false)
    // Loaded when used: Fastify, Kysely and the database drivers cost every other command at start.
    .action(async (options) =>
      setExit(await (await import('./commands/server.js')).runServer(options, io, io.shutdownSignal?.() ?? new AbortController().signal)),
    );
};

/** `kubeward rbac who-can|review|explain`. */
const addRbac: AddCommands = (root, io, setExit) => {
  const rbac = root.command('rbac').description('RBAC analysis: effective permissions, as the Kubernetes RBAC authorizer decides');
  rbac
    .command('who-can')
    .description('every subject allowed a request, with the chain of bindings and roles that grants it')
    .argument('<verb>', 'get, list, create, update, delete, escalate, bind, impersonate, ...')
    .argument('<resource>', 'pods, pods/exec, deployments.apps, secrets; or a non-resource path such as /metrics')
    .option(...RBAC_FILE)
    .option('-n, --namespace <namespace>', "the request's namespace (default: a cluster-wide request)")
    .option('--name <name>', "the object's name, for rules limited by resourceNames")
    .addOption(rbacFormat())
    .action(async (verb: string, resource: string, options: { file: string[]; namespace?: string; name?: string; output: string }) =>
      setExit(
        await (
          await rbacCommands()
        ).runRbacWhoCan(
          verb,
          resource,
          {
            paths: options.file,
            format: options.output,
            ...(options.namespace ? { namespace: options.namespace } : {}),
            ...(options.name ? { name: options.name } : {}),
          },
          io,
        ),
      ),
    );
  rbac
    .command('review')
    .description('every subject (and service account) with its permission level and dangerous permissions, worst first, with evidence')
    .option(...RBAC_FILE)
    .addOption(rbacFormat())
    .action(async (options: { file: string[]; output: string }) =>
      setExit(await (await rbacCommands()).runRbacReview({ paths: options.file, format: options.output }, io)),
    );
  rbac
    .command('explain')
    .description('every permission a subject holds (directly or through its groups), with the chain that grants it')
    .argument('<subject>', 'sa:<namespace>/<name>, user:<name> or group:<name>')
    .option(...RBAC_FILE)
    .addOption(rbacFormat())
    .action(async (subject: string, options: { file: string[]; output: string }) =>
      setExit(await (await rbacCommands()).runRbacExplain(subject, { paths: options.file, format: options.output }, io)),
    );
};

/** `kubeward fs scan` and `kubeward sbom scan`. */
const addFsAndSbom: AddCommands = (root, io, setExit) => {
  root
    .command('fs')
    .description('scan root filesystems in directories')
    .command('scan')
    .description(
      'list the packages installed in a directory (a root filesystem, a mounted image, an application tree) and match them against the vulnerability database',
    )
    .argument('<dir>', 'the directory: / for this machine, or an unpacked root filesystem')
    .addOption(
      new Option('-f, --format <format>', 'output format: a report (table, json, sarif) or an SBOM (cyclonedx, spdx-json)')
        .choices(IMAGE_FORMAT_NAMES)
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(dbOption())
    .option('--no-vulnerabilities', 'list packages only; no database needed')
    .option('--fail-on <severity>', 'exit 1 when a vulnerability is at or above this severity (default: never)')
    .option(...COLOR)
    .option(...NO_COLOR)
    .option('-q, --quiet', 'no summary on stderr', false)
    .action(async (directory: string, options) => setExit(await (await imageCommands()).runFsScan(directory, options, io)));

  root
    .command('sbom')
    .description('work with existing SBOMs')
    .command('scan')
    .description('match the packages of a CycloneDX or SPDX JSON SBOM against the vulnerability database')
    .argument('<sbom>', 'a CycloneDX or SPDX JSON file, or a kubeward image scan JSON report')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'sarif']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(dbOption())
    .option('--fail-on <severity>', 'exit 1 when a vulnerability is at or above this severity (default: never)')
    .option(...COLOR)
    .option(...NO_COLOR)
    .option('-q, --quiet', 'no summary on stderr', false)
    .action(async (file: string, options) => setExit(await (await imageCommands()).runSbomScan(file, { ...options, vulnerabilities: true }, io)));
};

/** `kubeward db update|import|status|match`. */
const addDb: AddCommands = (root, io, setExit) => {
  const db = root.command('db').description('the local vulnerability database (OSV advisories, CISA KEV, EPSS)');
  db.command('update')
    .description('download OSV advisories per ecosystem (<mirror>/<Ecosystem>/all.zip) and swap in a new database')
    .addOption(dbOption('database directory'))
    .option('--mirror <url>', `base URL of an OSV bucket mirror (default: $KUBEWARD_OSV_MIRROR, else ${DEFAULT_MIRROR})`)
    .option('-e, --ecosystem <names>', 'only these ecosystems, comma-separated (default: every ecosystem image scanning reads)', list, [])
    .option('--retries <count>', 'retries per download after the first attempt (default 3)')
    .option('--timeout <seconds>', 'give up on one download attempt after this long (default 600)')
    .option('-v, --verbose', 'list every problem found in the data')
    .action(async (options) => setExit(await (await dbCommands()).runDbUpdate(options, io)));
  db.command('import')
    .description('import OSV zips, JSON files or directories, and CISA KEV / EPSS files, offline')
    .argument('[paths...]', 'OSV all.zip files, record JSON files, or directories of them')
    .addOption(dbOption('database directory'))
    .option('--kev <file>', 'CISA known_exploited_vulnerabilities.json')
    .option('--epss <file>', 'EPSS scores file (epss_scores-YYYY-MM-DD.csv or .csv.gz)')
    .option('-v, --verbose', 'list every problem found in the data')
    .action(async (paths: string[], options) => setExit(await (await dbCommands()).runDbImport(paths, options, io)));
  db.command('status')
    .description('what the database holds: ecosystems, record counts, newest modified, last update, schema version')
    .addOption(dbOption('database directory'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (options) => setExit(await (await dbCommands()).runDbStatus(options, io)));
  db.command('match')
    .description('the known vulnerabilities of packages, by Package URL (pkg:npm/lodash@4.17.20)')
    .argument('<purls...>', 'Package URLs with versions; deb/apk/rpm take ?distro= (debian-12, alpine-3.19) and ?upstream= (source package)')
    .addOption(dbOption('database directory'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (purls: string[], options) => setExit(await (await dbCommands()).runDbMatch(purls, options, io)));
};

/** Builds the command tree; each action stores its exit code, the work lives in commands/. */
const program = (io: Io, setExit: (code: number) => void): Command => {
  const root = new Command('kubeward')
    .description('Kubernetes-native security: check manifests against security policies, match packages against vulnerability data')
    .version(io.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  addScan(root, io, setExit);
  addPolicy(root, io, setExit);
  addImage(root, io, setExit);
  addNetpol(root, io, setExit);
  addRisk(root, io, setExit);
  addAdmission(root, io, setExit);
  addSensor(root, io, setExit);
  addServer(root, io, setExit);
  addPush(root, io, setExit);
  addRbac(root, io, setExit);
  addFsAndSbom(root, io, setExit);
  addDb(root, io, setExit);
  return root;
};

/** Runs the CLI and returns the exit code: 0 clean, 1 failing findings, 2 usage or input errors. */
export const main = async (argv: readonly string[], io: Io): Promise<number> => {
  let exitCode: number = EXIT.clean;
  try {
    await program(io, (code) => (exitCode = code)).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; parse errors were already printed.
      return error.exitCode === 0 ? EXIT.clean : EXIT.error;
    }
    if (error instanceof KnownError) {
      io.stderr(`kubeward: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return EXIT.error;
    }
    // A bug, not a finding: never exit 1, which CI reads as "findings". The stack helps the report.
    io.stderr(`kubeward: internal error: ${(error as Error).stack ?? String(error)}\nhint: please report this with the command that caused it\n`);
    return EXIT.error;
  }
};
