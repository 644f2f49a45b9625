import { cidrSubnet } from './cidr';
import { MAX_AZ_COUNT } from './regions';

/** The subnet tiers of a regional network. */
export type SubnetTier = 'public' | 'private' | 'database';

/** The CIDRs of one AZ slot. */
export interface AzSubnetCidrs {
  /** Public subnet (ALB, NAT gateways). */
  readonly public: string;
  /** Private subnet (app tier, EKS nodes and pods). */
  readonly private: string;
  /** Database subnet (RDS), no route to the internet. */
  readonly database: string;
}

/**
 * Where each tier sits inside the VPC, as `cidrsubnet(vpc, newBits, firstNetNum + slot)`.
 * With a /16: private /19 x4 in the first half (EKS pods take VPC addresses), public /21 x4
 * from .128, database /22 x4 from .160; .176 to .255 stay free.
 */
const TIERS: Record<SubnetTier, { readonly newBits: number; readonly firstNetNum: number }> = {
  private: { newBits: 3, firstNetNum: 0 },
  public: { newBits: 5, firstNetNum: 16 },
  database: { newBits: 6, firstNetNum: 40 },
};

/** Largest VPC prefix length the layout fits: the database tier adds 6 bits and AWS stops at /28. */
export const MAX_VPC_PREFIX_LENGTH = 28 - TIERS.database.newBits;

/** Smallest prefix length AWS allows for a VPC. */
export const MIN_VPC_PREFIX_LENGTH = 16;

/**
 * Computes the subnet CIDRs of the first `azCount` AZ slots of `vpcCidr`.
 * Slots are fixed (there are always {@link MAX_AZ_COUNT}), so adding an AZ never renumbers
 * the subnets of the existing ones.
 */
export function subnetLayout(vpcCidr: string, azCount: number): AzSubnetCidrs[] {
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_AZ_COUNT) {
    throw new Error(`subnetLayout: azCount ${azCount} is outside 1..${MAX_AZ_COUNT}.`);
  }
  return Array.from({ length: azCount }, (_, slot) => ({
    public: cidrSubnet(vpcCidr, TIERS.public.newBits, TIERS.public.firstNetNum + slot),
    private: cidrSubnet(vpcCidr, TIERS.private.newBits, TIERS.private.firstNetNum + slot),
    database: cidrSubnet(vpcCidr, TIERS.database.newBits, TIERS.database.firstNetNum + slot),
  }));
}
