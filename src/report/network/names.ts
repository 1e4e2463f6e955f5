/** `netpol map` and `netpol diff` formats, by name: light, so the CLI can list them without loading a renderer. */
export const NETWORK_MAP_FORMATS = ['txt', 'json', 'csv', 'md', 'dot'] as const;
export type NetworkMapFormat = (typeof NETWORK_MAP_FORMATS)[number];
export const NETWORK_DIFF_FORMATS = ['txt', 'json', 'md'] as const;
export type NetworkDiffFormat = (typeof NETWORK_DIFF_FORMATS)[number];
