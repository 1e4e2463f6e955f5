import { parentPort } from 'node:worker_threads';
import { compilePolicy, type CompiledPolicy } from '../policy/index.js';
import type { WorkerAnswer, WorkerRequest } from './pool.js';
import { enforceAtDeploy, reviewAdmission, type AdmissionSettings } from './review.js';

/** A decision worker of the admission webhook: compiles the policies once, then judges requests. */
const port = parentPort;
if (!port) throw new Error('the admission worker must run in a worker thread');

let settings: AdmissionSettings | undefined;
const send = (message: WorkerAnswer): void => port.postMessage(message);

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'init') {
    const compiled = message.settings.policies.flatMap((policy): CompiledPolicy[] => {
      const result = compilePolicy(policy);
      return 'compiled' in result ? [result.compiled] : [];
    });
    settings = { ...message.settings, policies: enforceAtDeploy(compiled, message.settings.enforced).policies };
    send({ type: 'ready' });
    return;
  }
  if (!settings) return send({ type: 'failed', id: message.id, message: 'decide before init' });
  const started = performance.now();
  try {
    send({
      type: 'decision',
      id: message.id,
      decision: reviewAdmission(message.request, settings, new Date(message.now), () => performance.now() - started < message.warningsForMs),
    });
  } catch (error) {
    send({ type: 'failed', id: message.id, message: (error as Error).message });
  }
});
