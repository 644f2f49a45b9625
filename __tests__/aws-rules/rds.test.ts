import { diffEstates } from '../../scripts/dr/diff';
import { resourcesOfType, synthesizeCycle } from './postures';

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
      expect(db.replicate_source_db).toMatch(/^arn:aws:rds:[a-z0-9-]+:\$\{data\.aws_caller_identity\.account\.account_id\}:db:/);
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
