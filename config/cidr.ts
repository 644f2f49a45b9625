/**
 * Minimal IPv4 CIDR arithmetic, used both to validate the config and to compute subnet
 * CIDRs at synth time (so the synthesized JSON and `terraform plan` show literal,
 * reviewable CIDRs). Semantics match Terraform's `cidrsubnet()`.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0 to 32. */
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Returns undefined when the text is not a CIDR or when host bits are
 * set (`10.0.1.0/16`), since AWS would silently use a different network than the one written.
 */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  if (address % size !== 0) return undefined;
  return { network: address, prefixLength };
}

/** Formats a parsed CIDR back to `a.b.c.d/n`. */
export function formatCidr(cidr: Ipv4Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.network / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefixLength}`;
}

/** Number of addresses in a block. */
export function cidrSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

/**
 * Terraform's `cidrsubnet(prefix, newbits, netnum)`: the `netnum`-th block of prefix length
 * `prefix + newbits` inside `base`.
 */
export function cidrSubnet(base: string, newBits: number, netNum: number): string {
  const parsed = parseCidr(base);
  if (!parsed) throw new Error(`cidrSubnet: "${base}" is not an IPv4 CIDR block.`);
  const prefixLength = parsed.prefixLength + newBits;
  if (newBits < 1 || prefixLength > 32) {
    throw new Error(`cidrSubnet: cannot add ${newBits} bits to /${parsed.prefixLength}.`);
  }
  if (!Number.isInteger(netNum) || netNum < 0 || netNum >= 2 ** newBits) {
    throw new Error(`cidrSubnet: network number ${netNum} does not fit in ${newBits} bits.`);
  }
  const network = parsed.network + netNum * 2 ** (32 - prefixLength);
  return formatCidr({ network, prefixLength });
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!pa || !pb) throw new Error(`cidrsOverlap: "${a}" or "${b}" is not an IPv4 CIDR block.`);
  return pa.network < pb.network + cidrSize(pb) && pb.network < pa.network + cidrSize(pa);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const po = parseCidr(outer);
  const pi = parseCidr(inner);
  if (!po || !pi) throw new Error(`cidrContains: "${outer}" or "${inner}" is not an IPv4 CIDR block.`);
  return pi.network >= po.network && pi.network + cidrSize(pi) <= po.network + cidrSize(po);
}

/** The widest network an endpoint of the estate is ever opened to: a /8, so never the world. */
export const WIDEST_ADMITTED_PREFIX = 8;

/** Whether a CIDR is an IPv4 network no wider than {@link WIDEST_ADMITTED_PREFIX}. */
export function isAdmittedNetwork(text: string): boolean {
  const parsed = parseCidr(text);
  return parsed !== undefined && parsed.prefixLength >= WIDEST_ADMITTED_PREFIX;
}

/**
 * Refuses, in one sentence, the first network of a construct's prop that is not an admitted
 * one: `<owner>: <field> has "<cidr>", expected IPv4 networks of /8 or smaller (never the world).`
 */
export function checkAdmittedNetworks(owner: string, field: string, cidrs: readonly string[]): void {
  const wide = cidrs.find((cidr) => !isAdmittedNetwork(cidr));
  if (wide !== undefined) {
    throw new Error(`${owner}: ${field} has "${wide}", expected IPv4 networks of /${WIDEST_ADMITTED_PREFIX} or smaller (never the world).`);
  }
}
