import { Testing, TerraformStack } from 'cdktf';
import { EncryptionKey } from '../../constructs/encryption-key';
import { SecureBucket } from '../../constructs/secure-bucket';
import { WebFirewall } from '../../constructs/web-firewall';

/* Early, one-sentence refusals of the security constructs' props. */

const stack = () => new TerraformStack(Testing.app(), 's');

describe('EncryptionKey props validation', () => {
  test.each(['aws/s3', 'has space', ''])('fails if the alias name is "%s"', (aliasName) => {
    expect(() => new EncryptionKey(stack(), 'key', { aliasName, description: 'd', accountId: '111122223333' })).toThrow(
      `EncryptionKey key: aliasName is "${aliasName}", expected letters, digits, / _ - (at most 250, not starting with aws/).`,
    );
  });
});

describe('WebFirewall props validation', () => {
  // AWS WAF API Reference, RateBasedStatement.Limit: 10 to 2,000,000,000 requests per 5 minutes.
  test.each([9, 2_000_000_001, 100.5])('fails if the rate limit is %s', (rateLimitPer5Minutes) => {
    expect(
      () => new WebFirewall(stack(), 'waf', { name: 'n', resourceArn: 'arn:aws:elasticloadbalancing:us-east-2:111122223333:loadbalancer/app/n/1', logsKeyArn: 'k', rateLimitPer5Minutes }),
    ).toThrow(`WebFirewall waf: rateLimitPer5Minutes is ${rateLimitPer5Minutes}, expected a whole number from 10 to 2000000000 (WAF's limits).`);
  });
});

describe('SecureBucket props validation', () => {
  test('fails if objects would expire after less than a day', () => {
    expect(() => new SecureBucket(stack(), 'b', { bucketName: 'b', region: 'us-east-2', expireAfterDays: 0 })).toThrow(
      'SecureBucket b: expireAfterDays is 0, expected a whole number of days of at least 1.',
    );
  });
});
