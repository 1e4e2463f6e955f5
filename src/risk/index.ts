export { normalise, scoreOf, type RiskFactor } from './factor.js';
export { distinctVulnerabilities, imageFactors, imageLookup, SEVERITY_SCORE, vulnerabilityRaw, type ScannedImage } from './images.js';
export { rankWorkloads, workloadId, workloadProblems, type RiskInput, type RiskProblem, type WorkloadRisk } from './workloads.js';
export { rankImages, rankVulnerabilities, type ImageRisk, type VulnerabilityRisk } from './rankings.js';
