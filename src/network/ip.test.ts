import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpSet, maskedCidr, parseCidr } from './ip.js';
import { PortSet } from './ports.js';

describe('CIDRs and address sets', () => {
  const valid: [string, string][] = [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.7/32', '192.168.1.7/32'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['::ffff:10.0.0.0/104', '::ffff:a00:0/104'],
    ['fe80:0:0:0:0:0:0:0/10', 'fe80::/10'],
    // Host bits are masked, as the API server (ipBlock) and Go's net.ParseCIDR (AdminNetworkPolicy) read them.
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['8.8.8.9/24', '8.8.8.0/24'],
    ['ff06::/3', 'e000::/3'],
  ];
  for (const [input, cidr] of valid) it(`${input} reads as ${cidr}`, () => assert.deepEqual(new IpSet([parseCidr(input)]).toCidrs(), [cidr]));

  const invalid: [string, RegExp][] = [
    ['10.0.0.300/8', /not an IPv4 address/],
    ['10.0.0.0/33', /longer than 32 bits/],
    ['10.0.0.0', /not a CIDR/],
    ['2001:db8:::/32', /not an IPv6 address/],
    ['010.0.0.0/8', /not an IPv4 address/],
  ];
  for (const [input, message] of invalid) it(`${input} is refused`, () => assert.throws(() => parseCidr(input), message));
  it('says which CIDRs had host bits masked', () => {
    assert.equal(maskedCidr('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(maskedCidr('ff06::/3'), 'e000::/3');
    assert.equal(maskedCidr('10.0.0.0/8'), undefined);
    assert.equal(maskedCidr('not a cidr'), undefined);
  });

  it('ipBlock with except: the fewest CIDRs for what is left, and the complement when shorter', () => {
    const block = IpSet.block('0.0.0.0/0', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    assert.equal(block.toString(), '0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16');
    assert.equal(IpSet.block('10.0.0.0/8', ['10.128.0.0/9']).toString(), '10.0.0.0/9');
    assert.ok(IpSet.block('10.0.0.0/8', ['10.0.0.0/8']).isEmpty);
    assert.equal(IpSet.block('10.0.0.0/24').union(IpSet.block('10.0.1.0/24')).toString(), '10.0.0.0/23', 'adjacent ranges merge');
    assert.equal(IpSet.block('10.0.0.0/8').intersect(IpSet.block('10.1.0.0/16')).toString(), '10.1.0.0/16');
  });
});

describe('port sets', () => {
  it('union, intersection and difference per protocol', () => {
    const web = PortSet.of('TCP', 80)
      .union(PortSet.of('TCP', 443))
      .union(PortSet.of('TCP', 8000, 8999));
    assert.equal(web.toString(), 'TCP 80, 443, 8000-8999');
    assert.equal(web.union(PortSet.of('TCP', 81, 442)).toString(), 'TCP 80-443, 8000-8999', 'touching ranges merge');
    assert.equal(web.intersect(PortSet.of('TCP', 443, 8080)).toString(), 'TCP 443, 8000-8080');
    assert.equal(
      PortSet.protocol('TCP')
        .subtract(PortSet.of('TCP', 2, 65534))
        .toString(),
      'TCP 1, 65535',
    );
    assert.equal(PortSet.ALL.toString(), 'all ports');
    assert.equal(PortSet.ALL.intersect(PortSet.of('UDP', 53)).union(PortSet.protocol('SCTP')).toString(), 'UDP 53; SCTP all');
    assert.ok(PortSet.of('TCP', 80).intersect(PortSet.of('UDP', 80)).isEmpty, 'TCP 80 and UDP 80 are different');
    assert.deepEqual(web.toJSON(), {
      TCP: [
        [80, 80],
        [443, 443],
        [8000, 8999],
      ],
    });
  });
});
