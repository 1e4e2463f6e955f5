// The webhook's defaults, light enough for the CLI to show in its help without loading the engine.

/** The annotation that lets an emergency deploy through the webhook; it always raises a finding. */
export const BREAK_GLASS_ANNOTATION = 'admission.kubeward.io/break-glass';

/** Namespaces the control plane runs in: StackRox skips them too. */
export const DEFAULT_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];
/** Controllers act for users who were already checked (a Deployment's ReplicaSets and Pods), and the control plane's own identities. */
export const DEFAULT_EXCLUDED_USERS = [
  'system:serviceaccount:kube-system:*',
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:kube-proxy',
  'system:node:*',
];
