import { resourcesOfType, synthesizeCycle } from './postures';

/*
 * EKS access rules the estate relies on, checked in every posture of a full DR cycle.
 */

const cycle = synthesizeCycle();

describe.each(cycle)('$label', (posture) => {
  // Amazon EKS API Reference, CreateAccessEntry: a principal has at most one access entry per
  // cluster (a second one is refused with ResourceInUseException).
  test('EKS: no principal has two access entries on one cluster', () => {
    const principals = resourcesOfType(posture, 'aws_eks_access_entry').map(([address, entry]) => `${address.split(' ')[0]} ${entry.principal_arn}`);
    expect(principals.length).toBeGreaterThan(0);
    expect(principals.length).toBe(new Set(principals).size);
  });

  // Amazon EKS user guide, "Review access policy permissions": access policies are AWS's own,
  // arn:aws:eks::aws:cluster-access-policy/<name>; a cluster-scoped association names no namespaces.
  test('EKS: every access policy association names one of AWS\'s access policies, with a cluster scope', () => {
    const associations = resourcesOfType(posture, 'aws_eks_access_policy_association');
    expect(associations.length).toBeGreaterThan(0);
    for (const [address, association] of associations) {
      expect([address, association.policy_arn]).toEqual([address, expect.stringMatching(/^arn:aws:eks::aws:cluster-access-policy\/AmazonEKS\w+Policy$/)]);
      expect([address, association.access_scope]).toEqual([address, { type: 'cluster' }]);
    }
  });

  // Amazon EKS API Reference, CreateCluster / UpgradePolicyRequest: supportType is STANDARD or
  // EXTENDED, and a cluster created without it gets EXTENDED (billed at the extended-support
  // rate once its version leaves standard support). Every cluster states it.
  test('EKS: every cluster states its upgrade policy, STANDARD or EXTENDED, never the API\'s default', () => {
    const clusters = resourcesOfType(posture, 'aws_eks_cluster');
    expect(clusters.length).toBeGreaterThan(0);
    for (const [address, cluster] of clusters) {
      expect([address, cluster.upgrade_policy?.support_type]).toEqual([address, expect.stringMatching(/^(STANDARD|EXTENDED)$/)]);
    }
  });
});
