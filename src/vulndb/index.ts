export { DEFAULT_ECOSYSTEMS, ECOSYSTEMS, parseEcosystem, releaseForOs, type EcosystemInfo } from './ecosystems.js';
export { matchPackage, matchPackages, type AdvisorySource, type AffectedEntry, type MatchProblem, type MatchResult } from './match.js';
export { judgeVersion, type RangeVerdict } from './osv/range.js';
export type { OsvRecord } from './osv/types.js';
export { packageFromPurl, PurlError } from './purl.js';
export { judgeSeverity, ratingOf, scoreVector } from './severity.js';
export { VERSION_SCHEMES, InvalidVersionError, type VersionScheme, type VersionSchemeName } from './version/index.js';
