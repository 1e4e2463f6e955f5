/** Image report and SBOM formats, by name: light, so the CLI can list them without loading a renderer. */
export const IMAGE_FORMAT_NAMES = ['table', 'json', 'sarif', 'cyclonedx', 'spdx-json'] as const;
export type ImageFormatName = (typeof IMAGE_FORMAT_NAMES)[number];
