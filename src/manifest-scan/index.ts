/**
 * The manifest scan pipeline: files read, parsed and judged in a stream, on one thread or on
 * worker threads, into the tallies and findings a scan report is built from.
 */
export { runScanJob, type ScanJobOptions, type ScanJobResult } from './run.js';
