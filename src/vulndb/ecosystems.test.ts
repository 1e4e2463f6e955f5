import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEcosystem, releaseForOs } from './ecosystems.js';

describe('releases: advisories and images spell them alike', () => {
  // [ecosystem as an OSV record writes it, the image's os-release VERSION_ID or purl distro, the common key]
  const table: readonly [string, string, string][] = [
    ['Debian:12', '12.5', '12'],
    ['Debian:12', 'bookworm', '12'],
    ['Alpine:v3.19', '3.19.1', 'v3.19'],
    ['Ubuntu:22.04:LTS', '22.04', '22.04'],
    ['Ubuntu:Pro:18.04:LTS', 'bionic', '18.04'],
    ['Red Hat:enterprise_linux:9::appstream', '9.4', '9'],
    ['Red Hat:enterprise_linux:8::baseos', '8.10', '8'],
    ['Rocky Linux:9', '9.3', '9'],
    ['AlmaLinux:8', '8.9', '8'],
    ['SUSE:Linux Enterprise Server 15 SP5', '15.5', 'Linux Enterprise Server 15 SP5'],
    ['openSUSE:Leap 15.5', 'leap-15.5', 'Leap 15.5'],
    ['Photon OS:3.0', '3.0', '3.0'],
  ];
  for (const [ecosystem, osVersion, key] of table) {
    it(`${ecosystem} ~ ${osVersion}`, () => {
      const { base, release } = parseEcosystem(ecosystem);
      assert.equal(release, key);
      assert.equal(releaseForOs(base, osVersion), key);
    });
  }

  it('keeps Red Hat streams other than the main one apart (EUS, AUS fixes are not for plain RHEL)', () => {
    assert.equal(parseEcosystem('Red Hat:rhel_eus:8.6::baseos').release, 'rhel_eus:8.6');
    assert.notEqual(parseEcosystem('Red Hat:rhel_eus:8.6::baseos').release, releaseForOs('Red Hat', '8.6'));
  });
});
