import { prettyJson } from './json-stream.js';
import type { Renderer } from './types.js';

/** The report as JSON, following docs/schemas/scan-report.schema.json (versioned by `schemaVersion`). */
export const jsonRenderer: Renderer = {
  name: 'json',
  description: 'The full report as JSON (schema: docs/schemas/scan-report.schema.json).',
  render: function* (report) {
    yield* prettyJson(report);
    yield '\n';
  },
};
