import { formatPath, type ObjectMeta, type PathSegment } from '../model/index.js';

/** A schema error: where in the object (a JSON path) and what is wrong. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

/** Checks an object against the Kubernetes OpenAPI schema of its apiVersion and kind; no schema, no violations. */
export type SchemaValidator = (object: ObjectMeta) => readonly SchemaViolation[];

/** The built-in kinds whose schemas are loaded (modules of kubernetes-models, by apiVersion/kind). */
const MODELS = [
  'v1/Pod',
  'v1/Service',
  'v1/ServiceAccount',
  'v1/ConfigMap',
  'v1/Secret',
  'v1/Namespace',
  'v1/ReplicationController',
  'v1/PersistentVolumeClaim',
  'v1/PersistentVolume',
  'v1/LimitRange',
  'v1/ResourceQuota',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/DaemonSet',
  'apps/v1/ReplicaSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy',
  'networking.k8s.io/v1/IngressClass',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'autoscaling/v1/HorizontalPodAutoscaler',
  'scheduling.k8s.io/v1/PriorityClass',
  'storage.k8s.io/v1/StorageClass',
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
];

interface ModelClass {
  new (data: unknown): { validate(): void };
}

interface AjvError {
  readonly instancePath: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

const toPath = (instancePath: string): string =>
  formatPath(
    instancePath
      .split('/')
      .slice(1)
      .map((part): PathSegment => {
        const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
        return /^\d+$/.test(key) ? Number(key) : key;
      }),
  );

/**
 * Loads the Kubernetes schemas (the `kubernetes-models` package, generated from the API's
 * OpenAPI documents) for the built-in kinds. Loaded only when a policy asks for schema checks.
 */
export const loadSchemaValidator = async (): Promise<SchemaValidator> => {
  const models = new Map<string, ModelClass>();
  await Promise.all(
    MODELS.map(async (entry) => {
      const module = (await import(`kubernetes-models/${entry}`)) as Record<string, ModelClass>;
      const kind = entry.slice(entry.lastIndexOf('/') + 1);
      const apiVersion = entry.slice(0, entry.lastIndexOf('/'));
      const model = module[kind];
      if (model) models.set(`${apiVersion}/${kind}`, model);
    }),
  );
  return (object) => {
    const Model = models.get(`${object.apiVersion}/${object.kind}`);
    if (!Model) return [];
    try {
      new Model(object.raw).validate();
      return [];
    } catch (error) {
      const errors = (error as { errors?: AjvError[] }).errors;
      if (!Array.isArray(errors)) return [{ path: '', message: (error as Error).message }];
      return errors.map((entry) => {
        const extra = entry.params?.additionalProperty ?? entry.params?.missingProperty;
        return { path: toPath(entry.instancePath), message: `${entry.message ?? 'is invalid'}${typeof extra === 'string' ? ` (${extra})` : ''}` };
      });
    }
  };
};
