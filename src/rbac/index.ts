export { collectGrants, explainAccess, grantsOf, groupsOf, ruleAllows, subjectId, whoCan, type AccessRequest, type Grant, type RbacProblem } from './authorizer.js';
