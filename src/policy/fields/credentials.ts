/**
 * Recognises credentials written into configuration (ConfigMap values and the files they hold)
 * by their shape: private keys, cloud and SaaS tokens, URLs with a password, and settings whose
 * name says password, secret or token. Only what was found and where is returned: never the
 * value itself, which must not reach a report.
 */

export interface CredentialHit {
  /** What it looks like: `private key`, `AWS access key`, `password`, ... */
  readonly kind: string;
  /** The setting inside a file value (`spring.datasource.password`), when the hit is on a line of it. */
  readonly setting?: string;
  /** 1-based line within the value, for multi-line values. */
  readonly line?: number;
}

/** Values shaped like a credential of a known issuer, whatever the key is called. */
const SHAPES: readonly (readonly [kind: string, pattern: RegExp])[] = [
  ['private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/],
  ['AWS access key', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['GitHub token', /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/],
  ['GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}\b/],
  ['Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['Slack webhook URL', /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/],
  ['Stripe secret key', /\b[sr]k_live_[A-Za-z0-9]{16,}/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['JSON Web Token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
];

/** `scheme://user:password@host`, the password not a template placeholder. */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s@/'"]+)@[^\s/'"]/i;

/** A setting name that says it holds a credential. */
const CREDENTIAL_NAME =
  /(?:^|[^a-z])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_.-]?key|apikey|private[_.-]?key|access[_.-]?key|secret[_.-]?key|client[_.-]?secret|credentials?|auth[_.-]?key)(?:$|[^a-z])/i;
/** Names that mention a credential but hold something else: where it is, how long it lives, whether it is on. */
const NOT_A_CREDENTIAL =
  /(?:file|path|dir|url|uri|endpoint|name|ref|key[_.-]?id|enabled|required|policy|length|ttl|expir\w*|timeout|type|header|field|format|mode|env|var|location|source|provider|secret[_.-]?name)$/i;

/** Values that are not secrets themselves: empty, placeholders, references, booleans, paths. */
const placeholder = (value: string): boolean => {
  const text = value.trim().replace(/^["']|["']$/g, '');
  if (text.length < 4) return true;
  if (/^(?:true|false|yes|no|on|off|null|none|nil|changeme|change-me|redacted|xxx+|\*+|<[^>]*>|\[[^\]]*\])$/i.test(text)) return true;
  if (/\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|%\([^)]*\)s|^\$[A-Z_][A-Z0-9_]*$/.test(text)) return true;
  if (/^(?:\/|\.\/|~\/|file:|vault:|secretref:|ref\+|arn:aws:secretsmanager)/i.test(text)) return true;
  return false;
};

const nameSaysCredential = (name: string): boolean => {
  // dbPassword and clientSecret are words too.
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return CREDENTIAL_NAME.test(words) && !NOT_A_CREDENTIAL.test(words);
};

const shapeOf = (text: string): string | undefined => {
  for (const [kind, pattern] of SHAPES) if (pattern.test(text)) return kind;
  const url = URL_PASSWORD.exec(text);
  if (url?.[1] && !placeholder(url[1])) return 'URL with a password';
  return undefined;
};

/** `key: value`, `key = value`, `"key": "value"`, `export KEY=value` on one line of a file value. */
const SETTING = /^\s*(?:export\s+)?["']?([A-Za-z0-9_.\-[\]]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$/;

/** Values longer than this are not scanned line by line (a bundled script or certificate chain). */
const MAX_SCANNED = 1024 * 1024;

/**
 * Credentials in one configuration entry: the value's own shape, the entry's key when it says
 * password or token, and each `name: value` / `name=value` line of a file held in the value.
 */
export const findCredentials = (key: string, value: string): CredentialHit[] => {
  const hits: CredentialHit[] = [];
  const shaped = shapeOf(value.length > MAX_SCANNED ? value.slice(0, MAX_SCANNED) : value);
  if (!value.includes('\n')) {
    if (shaped) hits.push({ kind: shaped });
    else if (nameSaysCredential(key) && !placeholder(value)) hits.push({ kind: 'password or token', setting: key });
    return hits;
  }
  if (shaped === 'private key') return [{ kind: shaped }];
  const lines = value.slice(0, MAX_SCANNED).split('\n');
  lines.forEach((text, index) => {
    const shape = shapeOf(text);
    if (shape) {
      hits.push({ kind: shape, line: index + 1 });
      return;
    }
    const setting = SETTING.exec(text);
    if (setting?.[1] && setting[2] !== undefined && nameSaysCredential(setting[1]) && !placeholder(setting[2].replace(/\s+#.*$/, ''))) {
      hits.push({ kind: 'password or token', setting: setting[1], line: index + 1 });
    }
  });
  return hits;
};
