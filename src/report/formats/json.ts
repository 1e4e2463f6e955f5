import type { Renderer } from './types.js';

/** The report as JSON, following docs/schemas/scan-report.schema.json (versioned by `schemaVersion`). */
export const jsonRenderer: Renderer = {
  name: 'json',
  description: 'The full report as JSON (schema: docs/schemas/scan-report.schema.json).',
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
};
