import type { ScanReport } from '../../model/index.js';

export interface RenderOptions {
  /** ANSI colours (a terminal); plain text otherwise. */
  readonly color: boolean;
}

/** An output format: a pure function from the report to text. */
export interface Renderer {
  readonly name: string;
  readonly description: string;
  readonly render: (report: ScanReport, options: RenderOptions) => string;
}
