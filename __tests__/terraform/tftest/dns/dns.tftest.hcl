# The failover DNS of the global DR stack, planned by the real AWS provider.

run "dns_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_route53_health_check.failover_health_us_east_2.type == "HTTPS" && aws_route53_health_check.failover_health_us_east_2.resource_path == "/healthz" && aws_route53_health_check.failover_health_us_east_2.fqdn == "primary-app.us-east-2.elb.amazonaws.com"
    error_message = "Each region's load balancer must be health-checked on the app's health path over HTTPS."
  }

  assert {
    condition     = aws_route53_health_check.failover_health_us_west_1.request_interval == 30 && aws_route53_health_check.failover_health_us_west_1.failure_threshold == 3
    error_message = "Health checks must use the configured interval and threshold."
  }

  assert {
    condition     = aws_route53_record.failover_app_active.failover_routing_policy[0].type == "PRIMARY"
    error_message = "The active app record's failover type is fixed by its role: PRIMARY."
  }

  assert {
    condition     = aws_route53_record.failover_app_active.name == "app.estate.example.org" && aws_route53_record.failover_app_active.set_identifier == "active"
    error_message = "The active app record must be app.<zone>, identified by its role."
  }

  assert {
    condition     = aws_route53_record.failover_monitoring[0].ttl == 60 && length(aws_route53_record.failover_monitoring[0].failover_routing_policy) == 0
    error_message = "grafana.<zone> must be a simple record (no failover policy, so no health check needed)."
  }
}
