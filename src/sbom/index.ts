/** SBOMs both ways: CycloneDX and SPDX documents written from an image scan, and read back as packages to match. */
export { readSbom, type SbomPackages } from './read.js';
export { renderCycloneDx, renderSpdx, type SbomOptions } from './write.js';
