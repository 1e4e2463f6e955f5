export { collectGrants, explainAccess, grantsOf, groupsOf, ruleAllows, subjectId, whoCan, type AccessRequest, type Grant, type RbacProblem } from './authorizer.js';
export { assessSubjects, LEVELS, serviceAccountSubjects, type PermissionLevel, type RbacFlag, type SubjectAssessment } from './assess.js';
