import type { Construct } from 'constructs';
import { namePrefix } from '../config/naming';
import { Network } from '../constructs/network';
import { EstateStack, type EstateStackProps } from './estate-stack';

/** Props of {@link RegionalStack}. */
export type RegionalStackProps = EstateStackProps;

/**
 * Everything a region runs, built by the same code for both regions: only the site (region,
 * CIDR, AZ count, posture) differs. State lives in the region's own bucket.
 */
export class RegionalStack extends EstateStack {
  /** The region's network. */
  readonly network: Network;

  constructor(scope: Construct, id: string, props: RegionalStackProps) {
    super(scope, id, props);
    const { config, site } = props;
    this.useRegionalState();
    this.network = new Network(this, 'network', {
      name: `${namePrefix(config)}-${site.region}`,
      region: site.region,
      cidrBlock: site.vpcCidr,
      azCount: site.azCount,
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
    });
  }
}
