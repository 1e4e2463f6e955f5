/** `.kubeward.yaml` rules every front end's test runs with: privileged-container excused in `legacy`; the rule for `shop` has lapsed. */
export const EXCUSE_LEGACY =
  'ignore:\n  - {policy: privileged-container, namespace: legacy, reason: vendor agent, expires: 2099-01-01}\n  - {policy: privileged-container, namespace: shop, expires: 2020-01-01}\n';
