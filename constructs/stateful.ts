/**
 * Resource types that hold data which must survive: databases, buckets (state, Git backups),
 * the lock table, Git volumes, KMS keys (without which the data is unreadable), the hosted zone,
 * the database master secret (without which no incarnation can be logged into).
 * Each carries prevent_destroy (pinned by a test), and drift review flags any plan that would
 * replace or delete one.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'aws_db_instance',
  'aws_dynamodb_table',
  'aws_ebs_volume',
  'aws_kms_key',
  'aws_route53_zone',
  'aws_s3_bucket',
  'aws_secretsmanager_secret',
];
