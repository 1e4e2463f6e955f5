import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackageRef } from '../model/index.js';
import { packageFromPurl } from './purl.js';

describe('packageFromPurl', () => {
  // Package URLs as Syft, Trivy and the purl spec's examples write them.
  const table: readonly [string, Omit<PackageRef, 'purl'> | RegExp][] = [
    ['pkg:npm/lodash@4.17.20', { ecosystem: 'npm', name: 'lodash', version: '4.17.20' }],
    ['pkg:npm/%40angular/core@12.0.0', { ecosystem: 'npm', name: '@angular/core', version: '12.0.0' }],
    ['pkg:pypi/django@3.2.1', { ecosystem: 'PyPI', name: 'django', version: '3.2.1' }],
    ['pkg:golang/github.com/gin-gonic/gin@v1.6.0', { ecosystem: 'Go', name: 'github.com/gin-gonic/gin', version: 'v1.6.0' }],
    ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' }],
    ['pkg:cargo/smallvec@1.6.0', { ecosystem: 'crates.io', name: 'smallvec', version: '1.6.0' }],
    ['pkg:gem/rails@6.1.0', { ecosystem: 'RubyGems', name: 'rails', version: '6.1.0' }],
    ['pkg:nuget/Newtonsoft.Json@12.0.1', { ecosystem: 'NuGet', name: 'Newtonsoft.Json', version: '12.0.1' }],
    ['pkg:composer/laravel/framework@8.0.0', { ecosystem: 'Packagist', name: 'laravel/framework', version: '8.0.0' }],
    [
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
      { ecosystem: 'Debian', name: 'libssl3', version: '3.0.11-1~deb12u2', release: '12', sourceName: 'openssl' },
    ],
    [
      'pkg:deb/debian/libc6@2.36-9+deb12u4?distro=bookworm&upstream=glibc%402.36-9%2Bdeb12u4',
      { ecosystem: 'Debian', name: 'libc6', version: '2.36-9+deb12u4', release: '12', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u4' },
    ],
    [
      'pkg:deb/debian/libssl3@3.0.11-1+deb12u2?distro=debian-12&upstream=openssl@3.0.11-1+deb12u2',
      { ecosystem: 'Debian', name: 'libssl3', version: '3.0.11-1+deb12u2', release: '12', sourceName: 'openssl', sourceVersion: '3.0.11-1+deb12u2' },
    ],
    ['pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.16?distro=jammy', { ecosystem: 'Ubuntu', name: 'curl', version: '7.81.0-1ubuntu1.16', release: '22.04' }],
    [
      'pkg:rpm/suse/openssl-3@3.0.8-150500.5.8.1?distro=sles-15.5',
      { ecosystem: 'SUSE', name: 'openssl-3', version: '3.0.8-150500.5.8.1', release: 'Linux Enterprise Server 15 SP5' },
    ],
    ['pkg:golang/github.com/docker/docker@v17.03.2-ce', { ecosystem: 'Go', name: 'github.com/docker/docker', version: 'v17.03.2-ce' }],
    ['pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.15?distro=ubuntu-22.04', { ecosystem: 'Ubuntu', name: 'openssl', version: '3.0.2-0ubuntu1.15', release: '22.04' }],
    [
      'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1',
      { ecosystem: 'Alpine', name: 'libcrypto3', version: '3.1.4-r5', release: 'v3.19', sourceName: 'openssl' },
    ],
    ['pkg:rpm/redhat/openssl@3.0.7-27.el9?epoch=1&distro=rhel-9.4', { ecosystem: 'Red Hat', name: 'openssl', version: '1:3.0.7-27.el9', release: '9' }],
    [
      'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&distro=rhel-9.4&upstream=openssl-3.0.7-27.el9.src.rpm',
      { ecosystem: 'Red Hat', name: 'openssl-libs', version: '1:3.0.7-27.el9', release: '9', sourceName: 'openssl' },
    ],
    ['pkg:npm/lodash', /has no version/],
    ['pkg:hex/phoenix@1.7.0', /package type "hex" is not one Kubeward matches/],
    ['pkg:deb/kali/openssl@1.0', /namespace "kali" is not a known distribution/],
    ['lodash@4.17.20', /purl/i],
  ];
  for (const [purl, expected] of table) {
    it(purl, () => {
      if (expected instanceof RegExp) assert.throws(() => packageFromPurl(purl), expected);
      else assert.deepEqual(packageFromPurl(purl), { ...expected, purl });
    });
  }
});
