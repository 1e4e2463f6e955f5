/** The manifest report's output formats, by name: light, so the CLI can list them without loading a renderer. */
export const FORMAT_NAMES = ['table', 'json', 'sarif', 'junit', 'github'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];
