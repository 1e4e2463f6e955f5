/** One severity scale for the whole console: the same words, order and colours everywhere. */
export const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type SeverityName = (typeof SEVERITY_ORDER)[number];

const LABEL: Readonly<Record<string, string>> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', UNKNOWN: 'Unknown', NONE: 'None' };

export const SeverityBadge = ({ severity }: { readonly severity: string }) => (
  <span className={`severity severity-${severity.toLowerCase()}`}>{LABEL[severity] ?? severity}</span>
);

/** Counts by severity as one bar, each part labelled with its number. */
export const SeverityBar = ({ counts }: { readonly counts: Readonly<Record<string, number>> }) => {
  const total = SEVERITY_ORDER.reduce((sum, severity) => sum + (counts[severity] ?? 0), 0);
  return (
    <div className="severity-bar" role="img" aria-label={SEVERITY_ORDER.map((severity) => `${LABEL[severity]} ${counts[severity] ?? 0}`).join(', ')}>
      {SEVERITY_ORDER.filter((severity) => (counts[severity] ?? 0) > 0).map((severity) => (
        <span
          key={severity}
          className={`severity-fill severity-${severity.toLowerCase()}`}
          style={{ flexGrow: (counts[severity] ?? 0) / Math.max(total, 1) }}
        />
      ))}
    </div>
  );
};
