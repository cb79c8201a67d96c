import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicAddress } from '../../src/services/unified/remote-images.js';

test('private, loopback, link-local and reserved addresses are not public, in every IPv4 and IPv6 spelling', () => {
  const blocked = [
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', 'fec0::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::7f00:1', '::ffff:0:7f00:1', '::ffff:a9fe:a9fe', '::ffff:c0a8:101',
  ];
  for (const address of blocked) assert.equal(isPublicAddress(address), false, address);
  for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:808:808']) assert.equal(isPublicAddress(address), true, address);
});
