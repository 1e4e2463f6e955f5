import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dockerfileInstruction } from './image.js';

describe('Dockerfile instructions from image history', () => {
  // created_by strings as Docker's classic builder, BuildKit, Buildah and umoci write them.
  const cases: [string, string, string][] = [
    ['/bin/sh -c #(nop)  EXPOSE 22/tcp', 'EXPOSE', '22/tcp'],
    [
      '/bin/sh -c #(nop) ADD file:3b7f2e1c0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7 in / ',
      'ADD',
      'file:3b7f2e1c0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7 in /',
    ],
    ['/bin/sh -c apt-get update', 'RUN', '/bin/sh -c apt-get update'],
    ['|2 VERSION=1.2 TARGET=x /bin/sh -c make install', 'RUN', '/bin/sh -c make install'],
    ['/bin/bash -o pipefail -c apt-get update', 'RUN', '/bin/bash -o pipefail -c apt-get update'],
    ['/bin/bash -o pipefail -c #(nop)  CMD ["nginx"]', 'CMD', '["nginx"]'],
    ['RUN /bin/sh -c apk add --no-cache curl # buildkit', 'RUN', '/bin/sh -c apk add --no-cache curl'],
    ['RUN |1 VERSION=2 /bin/sh -c echo $VERSION # buildkit', 'RUN', '/bin/sh -c echo $VERSION'],
    ['EXPOSE map[22/tcp:{} 8080/tcp:{}]', 'EXPOSE', 'map[22/tcp:{} 8080/tcp:{}]'],
    ['COPY . /app # buildkit', 'COPY', '. /app'],
    ['ADD alpine-minirootfs-3.19.1-x86_64.tar.gz / # buildkit', 'ADD', 'alpine-minirootfs-3.19.1-x86_64.tar.gz /'],
    ['umoci repack', '', 'umoci repack'],
    ['', '', ''],
  ];
  for (const [createdBy, instruction, value] of cases) {
    it(createdBy || '(empty)', () => assert.deepEqual(dockerfileInstruction(createdBy), { instruction, value }));
  }

  it('reads at most 8 KiB of a step, so a crafted history line cannot stall the policy regexes', () => {
    const long = `/bin/sh -c ${'apt-get install x '.repeat(20_000)}`;
    assert.equal(dockerfileInstruction(long).value.length, 8192);
  });
});
