export { normalise, rankWorkloads, type RiskFactor, type RiskInput, type WorkloadRisk } from './workloads.js';
