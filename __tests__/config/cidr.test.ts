import { cidrContains, cidrSubnet, cidrsOverlap, formatCidr, parseCidr } from '../../config/cidr';

describe('CIDR arithmetic', () => {
  test('cidrSubnet matches Terraform cidrsubnet()', () => {
    // Values from Terraform's documentation of cidrsubnet().
    expect(cidrSubnet('172.16.0.0/12', 4, 2)).toBe('172.18.0.0/16');
    expect(cidrSubnet('10.1.2.0/24', 4, 15)).toBe('10.1.2.240/28');
    expect(cidrSubnet('10.0.0.0/16', 8, 255)).toBe('10.0.255.0/24');
  });

  test('parseCidr rejects host bits, bad octets and bad prefixes', () => {
    expect(parseCidr('10.0.1.0/16')).toBeUndefined();
    expect(parseCidr('10.0.0.256/24')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
    expect(formatCidr(parseCidr('192.168.4.0/22')!)).toBe('192.168.4.0/22');
  });

  test('overlap and containment', () => {
    expect(cidrsOverlap('10.0.0.0/16', '10.0.255.0/24')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/8', '10.20.0.0/16')).toBe(true);
    expect(cidrContains('10.20.0.0/16', '10.0.0.0/8')).toBe(false);
  });

  test('fails if a subnet does not fit its parent', () => {
    expect(() => cidrSubnet('10.0.0.0/16', 2, 4)).toThrow('network number 4 does not fit in 2 bits');
    expect(() => cidrSubnet('10.0.0.0/30', 4, 0)).toThrow('cannot add 4 bits to /30');
  });
});
