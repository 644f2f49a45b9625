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
    condition     = aws_route53_record.failover_app_us_east_2.alias[0].name == "primary-app.us-east-2.elb.amazonaws.com" && aws_route53_record.failover_app_us_west_1.alias[0].name == "dr-app.us-west-1.elb.amazonaws.com"
    error_message = "The app name must alias each region's own load balancer."
  }

  assert {
    condition     = aws_route53_record.failover_app_us_east_2.name == "app.estate.example.org" && aws_route53_record.failover_app_us_east_2.set_identifier == "us-east-2"
    error_message = "The app records must be app.<zone>, identified by region."
  }

  assert {
    condition     = aws_route53_record.failover_monitoring_us_west_1.ttl == 60 && tolist(aws_route53_record.failover_monitoring_us_west_1.records)[0] == "dr-grafana.elb.us-west-1.amazonaws.com"
    error_message = "grafana.<zone> must point at each region's Grafana."
  }
}
