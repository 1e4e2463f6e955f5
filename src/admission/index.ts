/**
 * The validating admission webhook: the review of one AdmissionReview (pure), the request handler
 * and worker pool that answer them over the shared HTTPS server, and the objects and certificates that install it.
 */
export { BREAK_GLASS_ANNOTATION, DEFAULT_EXCLUDED_NAMESPACES, DEFAULT_EXCLUDED_USERS } from './defaults.js';
export {
  enforceAtDeploy,
  invalidReview,
  reviewAdmission,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionSettings,
} from './review.js';
export { startAdmissionServer, DEFAULT_HARD_TIMEOUT_MS, MAX_REVIEW_BYTES, type AdmissionServer, type AdmissionServerOptions } from './server.js';
export { installManifests, webhookConfiguration, webhookRules, ADMISSION_NODE_OPTIONS, WEBHOOK_NAME, type InstallOptions } from './manifests.js';
export { webhookCertificates, type WebhookCertificates } from './certificates.js';
