import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import type { AppTls } from './props';

/** An ACM certificate for the TLS name, validated by a DNS record in the zone. */
export function appCertificate(scope: Construct, tls: AppTls, tag: (s: string) => Record<string, string>): string {
  const certificate = new AcmCertificate(scope, 'certificate', {
    domainName: tls.domainName,
    validationMethod: 'DNS',
    lifecycle: { createBeforeDestroy: true },
    tags: tag('app'),
  });
  const option = certificate.domainValidationOptions.get(0);
  // One owner for the record both regions' certificates share (see AppTls.ownsValidationRecord);
  // the other region's certificate validates against the same name.
  const fqdn =
    tls.ownsValidationRecord ?? true
      ? new Route53Record(scope, 'certificate-validation-record', {
          zoneId: tls.hostedZoneId,
          name: option.resourceRecordName,
          type: option.resourceRecordType,
          records: [option.resourceRecordValue],
          ttl: 300,
        }).fqdn
      : Fn.trimsuffix(option.resourceRecordName, '.');
  const validation = new AcmCertificateValidation(scope, 'certificate-validation', {
    certificateArn: certificate.arn,
    validationRecordFqdns: [fqdn],
  });
  return validation.certificateArn;
}
