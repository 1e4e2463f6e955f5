import type { PolicySet } from '../app/index.js';
import { checkPolicyDocument, policyDocument, selectPolicies, type Policy } from '../policy/index.js';
import type { CentralStore, PolicyRecord } from './store/index.js';

/** A kept policy's document as a user exports it: `spec.disabled` says whether central runs it. */
export const exportedDocument = (record: PolicyRecord): Record<string, unknown> => {
  const document = record.document as { spec?: Record<string, unknown> };
  const spec: Record<string, unknown> = { ...document.spec };
  delete spec.disabled;
  return { ...document, spec: { ...spec, ...(record.enabled ? {} : { disabled: true }) } };
};

export interface CentralPolicies {
  /** The set every job of this server judges with now. */
  readonly current: () => PolicySet;
  /** The store's revision this server's set was made at. */
  readonly revision: () => number;
  /** Reads the set again when the store moved on (a change here or on another replica); true when it did. */
  readonly refresh: () => Promise<boolean>;
}

/**
 * The policies central judges with. The store holds them: at start the server's own set (the
 * shipped policies and its `--policy` files) is seeded into it, and from then on the API changes
 * them. Each server builds its set from the store and follows the store's revision, so replicas
 * on one PostgreSQL judge alike.
 */
export const createCentralPolicies = async (options: {
  readonly store: CentralStore;
  readonly base: PolicySet;
  readonly now: () => Date;
  readonly warn?: (message: string) => void;
}): Promise<CentralPolicies> => {
  const { store, base } = options;
  const active = new Set(base.policies.active.map((compiled) => compiled.policy.id));
  await store.seedPolicies(
    base.policies.all.map((policy) => ({ id: policy.id, document: policyDocument(policy), enabled: active.has(policy.id) })),
    options.now().toISOString(),
  );
  let set = base;
  let revision = -1;
  const build = (records: readonly PolicyRecord[]): PolicySet => {
    const policies: Policy[] = [];
    for (const record of records) {
      const checked = checkPolicyDocument(record.document, `central:${record.id}@${record.version}`);
      if ('problems' in checked) {
        // Only a release that reads policies more strictly than the one that wrote them gets here.
        options.warn?.(`policy ${record.id} version ${record.version} is not judged: ${checked.problems.map((problem) => problem.message).join('; ')}`);
        continue;
      }
      policies.push({ ...checked.policy, enabledByDefault: record.enabled });
    }
    return { ...base, policies: selectPolicies(policies, [], { enable: [], disable: [], only: [] }, 'central') };
  };
  const refresh = async (): Promise<boolean> => {
    const now = await store.policyRevision();
    if (now === revision) return false;
    set = build(await store.listPolicies());
    revision = now;
    return true;
  };
  await refresh();
  return { current: () => set, revision: () => revision, refresh };
};
