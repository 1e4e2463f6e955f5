export {
  collectGrants,
  explainAccess,
  grantsOf,
  groupsOf,
  ruleAllows,
  subjectId,
  whoCan,
  type AccessRequest,
  type Grant,
  type RbacProblem,
} from './authorizer.js';
export { assessSubjects, LEVELS, serviceAccountSubjects, type PermissionLevel, type RbacFlag, type SubjectAssessment } from './assess.js';
export { BUILT_IN_CLUSTER_ROLES } from './cluster-roles.js';
export { parsePermission, ruleGrants, type PermissionQuery } from './permission.js';
