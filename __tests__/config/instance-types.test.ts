import { execFileSync } from 'node:child_process';
import { EC2_INSTANCE_TYPES, RDS_INSTANCE_CLASSES } from '../../config/ec2-instance-types';
import { problemsOf, withInput } from '../helpers';
import { skipBecause } from '../skips';


/*
 * Instance types and classes are checked against the names AWS publishes, with a suggestion:
 * a typo fails the synth instead of the deploy.
 */

test.each([
  [{ appTier: { instanceType: 't3.mirco' } }, 'appTier.instanceType is "t3.mirco", expected an EC2 instance type such as "t3.micro" (did you mean "t3.micro"?).'],
  [{ gitServer: { instanceType: 't3.smal' } }, 'gitServer.instanceType is "t3.smal", expected an EC2 instance type such as "t3.micro" (did you mean "t3.small"?).'],
  [{ database: { instanceClass: 'db.t3.smal' } }, 'database.instanceClass is "db.t3.smal", expected an RDS instance class such as "db.t3.small" (did you mean "db.t3.small"?).'],
  [{ database: { instanceClass: 'db.c5.large' } }, 'database.instanceClass is "db.c5.large", expected an RDS instance class such as "db.t3.small" (did you mean "db.m5.large"?).'],
])('fails on a mistyped or unknown type, suggesting the closest: %j', (patch, problem) => {
  expect(problemsOf(withInput(patch as never))).toEqual([problem]);
});

test('fails on a mistyped EKS node type with the closest suggestion', () => {
  const problems = problemsOf(withInput({ eks: { adminRoleArns: ['arn:aws:iam::111122223333:role/estate-admin'], nodeInstanceType: 't3.medum' } }));
  expect(problems).toEqual(['eks.nodeInstanceType is "t3.medum", expected an EC2 instance type such as "t3.micro" (did you mean "t3.medium"?).']);
});

test('accepts current types across families', () => {
  for (const type of ['t3.micro', 'm7g.large', 'c7i.2xlarge']) expect(EC2_INSTANCE_TYPES.has(type)).toBe(true);
  for (const cls of ['db.t3.small', 'db.t4g.medium', 'db.r6g.xlarge', 'db.m6i.large']) expect(RDS_INSTANCE_CLASSES.has(cls)).toBe(true);
  expect(RDS_INSTANCE_CLASSES.has('db.t3.metal')).toBe(false);
});

// The list is AWS's DescribeInstanceTypes data as moto ships it: kept equal where moto is here.
const motoTypes = (() => {
  try {
    return execFileSync(
      'python3',
      ['-c', 'import gzip, json, os, moto; print(json.dumps(sorted(json.load(gzip.open(os.path.join(os.path.dirname(moto.__file__), "ec2/resources/instance_types.json.gz"))))))'],
      { encoding: 'utf8' },
    );
  } catch {
    return undefined;
  }
})();
if (!motoTypes) skipBecause(__filename, 'moto is not installed for python3 (its instance type list is the reference)');
(motoTypes ? test : test.skip)('the instance type list is the one AWS publishes (as moto ships it)', () => {
  expect([...EC2_INSTANCE_TYPES].sort()).toEqual(JSON.parse(motoTypes!));
});
