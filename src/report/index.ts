export { buildScanReport, countKinds, policySummary, type ReportInput } from './build.js';
export { RENDERERS, FORMAT_NAMES, renderToString, type FormatName, type Renderer, type RenderOptions } from './formats/index.js';
