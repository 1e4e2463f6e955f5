import type { AdmissionDecision } from '../admission/index.js';
import type { CentralClient } from '../central-client/index.js';
import { compilePolicy, type CompiledPolicy, type Policy } from '../policy/index.js';
import { enforceAtDeploy } from '../admission/index.js';

export type AdmissionCentralEvent =
  | { readonly event: 'policies-updated'; readonly revision: string; readonly policies: number; readonly enforced: number; readonly invalid: readonly string[] }
  | { readonly event: 'central-unreachable'; readonly message: string; readonly keeping: string }
  | { readonly event: 'central-back' }
  | { readonly event: 'decisions-dropped'; readonly dropped: number };

interface PoliciesAnswer {
  readonly revision: string;
  readonly unchanged: boolean;
  readonly policies: readonly Policy[];
  readonly enforced: readonly string[];
}

/** Central's enforced set, compiled here as the workers will compile it; a policy that does not compile is named and left out. */
const compileSet = (answer: PoliciesAnswer, enforce: readonly string[]): { policies: CompiledPolicy[]; invalid: string[] } => {
  const invalid: string[] = [];
  const compiled = answer.policies.flatMap((policy): CompiledPolicy[] => {
    const result = compilePolicy(policy);
    if ('compiled' in result) return [result.compiled];
    invalid.push(String((policy as { id?: unknown }).id ?? '<no id>'));
    return [];
  });
  return { policies: enforceAtDeploy(compiled, [...answer.enforced, ...enforce]).policies, invalid };
};

/**
 * The webhook's link to central: it takes the enforced policy set from central (checked every
 * `refreshMs`, kept as last known while central is away) and reports its decisions in batches
 * (denials, warnings, break-glass deploys), buffered while central is away, bounded.
 */
export class AdmissionCentralLink {
  #revision: string | undefined;
  #queue: Record<string, unknown>[] = [];
  #dropped = 0;
  #down = false;
  #timers: NodeJS.Timeout[] = [];
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly options: {
      readonly client: CentralClient;
      readonly cluster: string;
      /** Local `--enforce` patterns, applied on top of central's set. */
      readonly enforce: readonly string[];
      readonly refreshMs: number;
      readonly maxQueued?: number;
      readonly emit: (event: AdmissionCentralEvent) => void;
    },
  ) {}

  get revision(): string | undefined {
    return this.#revision;
  }

  /** Central's set if it has changed since the last fetch; undefined when unchanged or unreachable (the caller keeps what it has). */
  async fetchPolicies(): Promise<{ policies: CompiledPolicy[]; revision: string } | undefined> {
    try {
      const query = this.#revision ? `?revision=${encodeURIComponent(this.#revision)}` : '';
      const answer = await this.options.client.request<PoliciesAnswer>('GET', `/api/v1/admission/policies${query}`);
      this.#back();
      if (answer.unchanged) return undefined;
      const { policies, invalid } = compileSet(answer, this.options.enforce);
      this.#revision = answer.revision;
      this.options.emit({
        event: 'policies-updated',
        revision: answer.revision,
        policies: policies.length,
        enforced: policies.filter((compiled) => compiled.enforcedAt.includes('DEPLOY')).length,
        invalid,
      });
      return { policies, revision: answer.revision };
    } catch (error) {
      this.#away(error as Error);
      return undefined;
    }
  }

  /** Starts the refresh and report loops; `apply` gets each new set. */
  start(apply: (policies: CompiledPolicy[]) => void): void {
    const refresh = setInterval(() => {
      void this.fetchPolicies().then((set) => set && apply(set.policies));
    }, this.options.refreshMs);
    const report = setInterval(() => void this.flush(), 1000);
    for (const timer of [refresh, report]) timer.unref();
    this.#timers.push(refresh, report);
  }

  /** Queues a decision worth keeping: denials, warnings and break-glass deploys (not plain admits or skips). */
  record(decision: AdmissionDecision, uid: string, at: Date): void {
    if (decision.outcome !== 'denied' && decision.outcome !== 'warned' && decision.outcome !== 'break-glass') return;
    this.#queue.push({
      uid,
      at: at.toISOString(),
      ...(decision.namespace ? { namespace: decision.namespace } : {}),
      object: decision.object.slice(0, 600),
      operation: decision.operation,
      ...(decision.user ? { user: decision.user.slice(0, 500) } : {}),
      outcome: decision.outcome,
      dryRun: decision.dryRun,
      ...(decision.reason ? { reason: decision.reason.slice(0, 2000) } : {}),
      findings: [...decision.enforced, ...decision.warnings].slice(0, 500).map((finding) => ({
        policyId: finding.policyId,
        severity: finding.severity,
        enforced: finding.enforcedAt.includes('DEPLOY'),
        ...(finding.container ? { container: finding.container } : {}),
        message: finding.message.slice(0, 4000),
      })),
    });
    const over = this.#queue.length - (this.options.maxQueued ?? 10_000);
    if (over > 0) {
      // The oldest go first: the newest say most about what is happening now.
      this.#queue.splice(0, over);
      this.#dropped += over;
    }
  }

  /** Sends what is queued, in batches; what central does not take stays queued for the next try. */
  flush(): Promise<void> {
    // Cleared in a `.finally` chained after it is stored: cleared inside, a flush with nothing to
    // send would clear it before it is stored, and every later flush would return it unsent.
    this.#flushing ??= (async () => {
      {
        while (this.#queue.length > 0) {
          const batch = this.#queue.slice(0, 500);
          try {
            await this.options.client.request('POST', '/api/v1/admission/decisions', { cluster: this.options.cluster, decisions: batch });
          } catch (error) {
            this.#away(error as Error);
            return;
          }
          this.#back();
          this.#queue.splice(0, batch.length);
        }
        if (this.#dropped > 0) {
          this.options.emit({ event: 'decisions-dropped', dropped: this.#dropped });
          this.#dropped = 0;
        }
      }
    })().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await this.options.client.close();
  }

  #away(error: Error): void {
    if (this.#down) return;
    this.#down = true;
    this.options.emit({
      event: 'central-unreachable',
      message: error.message,
      keeping: this.#revision ? `central's policies, revision ${this.#revision}` : 'the local policies',
    });
  }

  #back(): void {
    if (!this.#down) return;
    this.#down = false;
    this.options.emit({ event: 'central-back' });
  }
}
