/** Whose login allowance a request uses: an address as the edge reports it, with or without a port. */
import { normaliseAddress } from '#http/client-address';

describe('normaliseAddress', () => {
  it.each([
    ['198.51.100.10', '198.51.100.10'],
    ['198.51.100.10:46532', '198.51.100.10'],
    ['::ffff:198.51.100.10', '198.51.100.10'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::9]:443', '2001:db8:1:2::/64'],
    ['2001:db8::1:443', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an address', 'unknown'],
  ])('%s counts as %s', (raw, key) => {
    expect(normaliseAddress(raw)).toBe(key);
  });
});
