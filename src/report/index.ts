export { buildScanReport, policySummary, type ReportInput } from './build.js';
export { RENDERERS, FORMAT_NAMES, type FormatName, type Renderer, type RenderOptions } from './formats/index.js';
