/** Where advisories come from: OSV downloads from a mirror, local OSV files and zips, CISA KEV and FIRST EPSS, built into a new database. */
export { DEFAULT_MIRROR, DownloadError } from './download.js';
export { importIntoDatabase, updateDatabase, type ImportRequest, type UpdateOptions, type UpdateReport } from './update.js';
