import type { ScanReport } from '../../model/index.js';
import type { Renderer as BaseRenderer } from '../renderer.js';

export interface RenderOptions {
  /** ANSI colours (a terminal); plain text otherwise. */
  readonly color: boolean;
}

/** An output format: a pure function from the report to text, produced in pieces (reports can be large). */
export interface Renderer extends BaseRenderer<ScanReport> {
  readonly render: (report: ScanReport, options: RenderOptions) => Iterable<string>;
}

/** The whole rendered text at once, for small reports and tests. */
export const renderToString = (renderer: Renderer, report: ScanReport, options: RenderOptions): string => [...renderer.render(report, options)].join('');
