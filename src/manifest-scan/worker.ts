import { parentPort } from 'node:worker_threads';
import { readEntries } from '../k8s/files/index.js';
import { loadSchemaValidator } from '../k8s/index.js';
import { compilePolicy, type CompiledPolicy } from '../policy/index.js';
import { countKinds } from '../report/index.js';
import type { FinishMessage, MainMessage, StartMessage, WorkerMessage } from './protocol.js';
import { ScanSession } from './session.js';
import { encodeFindings } from './wire.js';

/** A scan worker: reads and judges its share of the files, then answers cross-object questions for them. */
const port = parentPort;
if (!port) throw new Error('scan worker must run in a worker thread');

let session: ScanSession | undefined;
let policies: CompiledPolicy[] = [];
const send = (message: WorkerMessage): void => port.postMessage(message);

const start = async (message: StartMessage): Promise<void> => {
  policies = message.policies.flatMap((policy) => {
    const result = compilePolicy(policy);
    return 'compiled' in result ? [result.compiled] : [];
  });
  const load = { ...message.load, stdin: () => [] };
  const validateSchema = policies.some((policy) => policy.needsSchemas) ? await loadSchemaValidator() : undefined;
  const current = new ScanSession(policies, {
    now: new Date(message.now),
    stages: message.stages,
    manifest: load,
    ...(validateSchema ? { validateSchema } : {}),
    ...(message.knownPolicyIds ? { knownPolicyIds: new Set(message.knownPolicyIds) } : {}),
  });
  session = current;
  for await (const event of readEntries(message.entries, load, current.sources)) {
    if (event.kind === 'manifest') current.addManifest(event.text, event.file, event.problems);
    else if (event.kind === 'objects') current.addObjects(event.objects, event.problems, event.documents);
    else current.addProblem(event.problem);
  }
  send({ type: 'summary', summaries: current.summaries() });
};

const finish = (message: FinishMessage): void => {
  if (!session) throw new Error('finish before start');
  const external = message.summaries.flatMap((summaries, thread) => (thread === message.self ? [] : summaries));
  const result = session.finish(external, false);
  send({
    type: 'result',
    findings: encodeFindings(result.findings, policies),
    problems: result.problems,
    kinds: countKinds(result.objects),
    files: result.files,
    documents: result.documents,
    celErrors: result.celErrors,
  });
};

port.on('message', (message: MainMessage) => {
  const handle = message.type === 'start' ? start(message) : Promise.resolve(finish(message));
  handle.catch((error: unknown) => {
    send({ type: 'error', message: (error as Error).message, ...((error as Error).stack ? { stack: (error as Error).stack as string } : {}) });
  });
});
