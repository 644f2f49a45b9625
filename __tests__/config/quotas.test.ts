import { resolveConfig } from '../../config/load';
import { quotaNeeds, vcpusOf } from '../../config/quotas';
import { withInput } from '../helpers';

describe('account quota needs', () => {
  const config = resolveConfig(withInput({}));

  test('vCPUs per instance type follow the size', () => {
    expect(['t3.micro', 't3.medium', 't2.micro', 'm5.large', 'm5.xlarge', 'm5.4xlarge', 'x.weird'].map(vcpusOf)).toEqual([2, 2, 1, 2, 4, 16, undefined]);
  });

  test('the active region runs the app tier at its maximum, the Git server and the EKS nodes', () => {
    expect(quotaNeeds(config, config.primary, 'active')).toEqual({
      region: 'us-east-2',
      posture: 'active',
      standardVcpus: 3 * 2 + 2 + 3 * 2,
      elasticIps: 3,
      natGateways: 3,
      applicationLoadBalancers: 1,
      networkLoadBalancers: 1,
      dbInstances: 2,
    });
  });

  test('a passive region runs only its passive app count and the EKS nodes; a stopped Git server uses no vCPU', () => {
    expect(quotaNeeds(config, config.dr, 'passive').standardVcpus).toBe(3 * 2);
    const warm = resolveConfig(withInput({ appTier: { passiveDesiredCapacity: 2 } }));
    expect(quotaNeeds(warm, warm.dr, 'passive').standardVcpus).toBe(2 * 2 + 3 * 2);
  });

  test('a single NAT gateway needs one Elastic IP per region', () => {
    const single = resolveConfig(withInput({ network: { natGateways: 'single' } }));
    expect(quotaNeeds(single, single.primary, 'active')).toMatchObject({ elasticIps: 1, natGateways: 1 });
  });
});
