import { resourcesOfType, synthesizeCycle } from './postures';

/*
 * EC2 rules the estate relies on, checked in every posture of a full DR cycle.
 */

const cycle = synthesizeCycle();

/** The raw bytes EC2 receives as an instance's or launch template's user data. */
function rawUserData(resource: Record<string, any>): Buffer {
  if (typeof resource.user_data_base64 === 'string') return Buffer.from(resource.user_data_base64, 'base64');
  const text = String(resource.user_data ?? '');
  // A launch template takes user data base64-encoded; an instance's user_data is the text.
  return /^[A-Za-z0-9+/]+=*$/.test(text) ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

describe.each(cycle)('$label', (posture) => {
  // EC2 User Guide, "Run commands when you launch an EC2 instance with user data input": user
  // data is limited to 16 KB in raw form, before base64; the AWS provider refuses a longer
  // user_data at plan ("expected length of user_data to be in the range (0 - 16384)", seen when
  // the Git server's script grew past it). Compressed user data (gzip) counts compressed.
  test('EC2: every instance\'s and launch template\'s user data is at most 16 KB raw', () => {
    const all = [...resourcesOfType(posture, 'aws_instance'), ...resourcesOfType(posture, 'aws_launch_template')].filter(
      ([, r]) => r.user_data !== undefined || r.user_data_base64 !== undefined,
    );
    // The app tier's launch templates and the Git servers, in both regions.
    expect(all.map(([address]) => address.split(' ')[1]).sort()).toEqual([
      'aws_instance.git_instance',
      'aws_instance.git_instance',
      'aws_launch_template.app_launch_template',
      'aws_launch_template.app_launch_template',
    ]);
    for (const [address, resource] of all) expect([address, rawUserData(resource).length <= 16384]).toEqual([address, true]);
  });

  // Amazon EC2 API Reference, StopInstances: by default a stop is a graceful OS shutdown (the
  // Git server's provisioning unit delays it until provisioning ends); Force or SkipOsShutdown
  // would cut it short. aws_ec2_instance_state sends Force only when `force` is true.
  test('EC2: the Git server is stopped gracefully (no force), so a stop never cuts provisioning short', () => {
    const states = resourcesOfType(posture, 'aws_ec2_instance_state');
    expect(states.length).toBe(2);
    for (const [address, state] of states) expect([address, state.force]).toEqual([address, undefined]);
  });
});
