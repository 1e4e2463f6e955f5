/** The OSV bucket `db update` downloads from unless told otherwise. Kept alone so help text loads no downloader. */
export const DEFAULT_MIRROR = 'https://osv-vulnerabilities.storage.googleapis.com';
