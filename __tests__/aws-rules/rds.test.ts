import { diffEstates } from '../../scripts/dr/diff';
import { resourcesOfType, synthesizeCycle } from './postures';
import { performanceInsightsSupported } from '../../constructs/database';
import { committedInput, synthEstate, withInput } from '../helpers';

/*
 * RDS rules the estate relies on, each checked in every posture of a full DR cycle.
 */

const cycle = synthesizeCycle();

describe.each(cycle)('$label', (posture) => {
  // Amazon RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager",
  // Limitations: read replicas cannot be created from a source whose master password RDS
  // manages (InvalidParameterValue: "Creating read replicas for source instance ... where
  // ManageMasterUserPassword is enabled is not supported"). Every incarnation is a replica's
  // source at some point of the cycle, so none may set it.
  test('RDS: no DB instance sets manage_master_user_password (it forbids read replicas)', () => {
    const dbs = resourcesOfType(posture, 'aws_db_instance');
    expect(dbs.length).toBe(2);
    expect(dbs.filter(([, db]) => 'manage_master_user_password' in db).map(([a]) => a)).toEqual([]);
  });

  // Amazon RDS User Guide, "Creating a read replica in a different AWS Region": the source of
  // a cross-region replica is named by its ARN.
  test('RDS: a cross-region replica names its source by ARN', () => {
    for (const [, db] of resourcesOfType(posture, 'aws_db_instance').filter(([, db]) => db.replicate_source_db)) {
      expect(db.replicate_source_db).toMatch(/^arn:aws:rds:[a-z0-9-]+:111122223333:db:/);
    }
  });
});

// Amazon RDS User Guide, "Promoting a read replica to be a standalone DB instance": a promoted
// instance cannot become a replica again, and RDS has no API that turns a standalone instance
// into a replica. A new replica is always a new incarnation (a new address, created), never
// replicate_source_db added to an instance that exists.
test('RDS: no transition makes an existing DB instance a replica', () => {
  for (let i = 1; i < cycle.length; i++) {
    const changes = diffEstates(cycle[i - 1].stacks, cycle[i].stacks);
    const reattached = changes.filter(
      (c) => c.address.startsWith('aws_db_instance.') && c.action === 'update' && c.attributes.includes('replicate_source_db') &&
        cycle[i].stacks[c.stack].resource!.aws_db_instance[c.address.split('.')[1]].replicate_source_db,
    );
    expect(reattached).toEqual([]);
  }
});

// Amazon RDS User Guide, "Settings for DB instances" (Master password): MySQL accepts 8 to 41
// printable ASCII characters, PostgreSQL 8 to 128, never / ' " @ or a space. The generated
// password must fit every engine the config allows.
test('RDS: the generated master password fits every engine (8 to 41 characters, no / \' " @ or space)', () => {
  const ephemeral = cycle[0].stacks['regional-us-east-2'].ephemeral as Record<string, Record<string, Record<string, unknown>>>;
  const generator = ephemeral.aws_secretsmanager_random_password.database_credentials_password;
  expect(generator.password_length).toBeGreaterThanOrEqual(8);
  expect(generator.password_length).toBeLessThanOrEqual(41);
  expect(generator.exclude_punctuation).toBe(true);
  expect(generator.include_space).toBeUndefined();
});

// RDS User Guide, "Amazon RDS DB engine, Region, and instance class support for Database
// Insights": Performance Insights is not available for RDS for MySQL (and MariaDB) on db.t2,
// db.t3 and db.t4g micro and small, and RDS refuses an instance that asks for it there;
// PostgreSQL has no class restriction.
describe('RDS: Performance Insights only where RDS offers it', () => {
  test.each([
    ['postgres', 'db.t3.small', true],
    ['postgres', 'db.t3.micro', true],
    ['mysql', 'db.t3.small', false],
    ['mysql', 'db.t4g.micro', false],
    ['mysql', 'db.m7g.large', true],
  ] as const)('%s on %s: Performance Insights %s', (engine, instanceClass, expected) => {
    expect(performanceInsightsSupported(engine, instanceClass)).toBe(expected);
    const { byName } = synthEstate(withInput({ database: { ...committedInput.database, engine, instanceClass } }));
    for (const region of ['us-east-2', 'us-west-1']) {
      const db = Object.values(byName[`regional-${region}`].json.resource.aws_db_instance)[0] as Record<string, unknown>;
      expect([region, db.performance_insights_enabled ?? false]).toEqual([region, expected]);
    }
  });
});
