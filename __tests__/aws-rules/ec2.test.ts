import { resourcesOfType, synthesizeCycle } from './postures';

/*
 * EC2 rules the estate relies on, checked in every posture of a full DR cycle.
 */

const cycle = synthesizeCycle();

describe.each(cycle)('$label', (posture) => {
  // Amazon EC2 API Reference, StopInstances: by default a stop is a graceful OS shutdown (the
  // Git server's provisioning unit delays it until provisioning ends); Force or SkipOsShutdown
  // would cut it short. aws_ec2_instance_state sends Force only when `force` is true.
  test('EC2: the Git server is stopped gracefully (no force), so a stop never cuts provisioning short', () => {
    const states = resourcesOfType(posture, 'aws_ec2_instance_state');
    expect(states.length).toBe(2);
    for (const [address, state] of states) expect([address, state.force]).toEqual([address, undefined]);
  });
});
