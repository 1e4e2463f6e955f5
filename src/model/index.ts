export * from './objects.js';
export * from './workload.js';
export * from './finding.js';
export * from './snapshot.js';
export * from './labels.js';
export * from './problem.js';
export * from './path.js';
export * from './report.js';
