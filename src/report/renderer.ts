/** What every renderer may use besides the report: the terminal's colours and the report's provenance. */
export interface RenderContext {
  /** ANSI colours (a terminal); plain text otherwise. */
  readonly color: boolean;
  /** When the report is made (SBOMs and HTML record it). */
  readonly now: Date;
  readonly toolVersion: string;
}

/**
 * One output format of one report type: a pure function from the report to text, whole or in
 * pieces when reports can be large. Every registry (scan, image, risk, network, RBAC) is a record
 * of these, and one writer sends any of them to a file or stdout.
 */
export interface Renderer<Report> {
  readonly name: string;
  readonly description: string;
  readonly render: (report: Report, context: RenderContext) => string | Iterable<string>;
}

/** The report as indented JSON: what `--format json` prints and a server returns. */
export const jsonRenderer = <Report>(description: string): Renderer<Report> => ({
  name: 'json',
  description,
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
});

export type RendererRegistry<Report, Format extends string = string> = Readonly<Record<Format, Renderer<Report>>>;
