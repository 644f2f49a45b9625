# What the DR stack reads, given fixed values: the regional and monitoring stacks' outputs
# (from the DR region's state bucket) and the hosted zone.

override_data {
  target = data.terraform_remote_state.us_east_2_regional_state
  values = {
    outputs = {
      app_alb_dns_name = "primary-app.us-east-2.elb.amazonaws.com"
      app_alb_zone_id  = "Z3AADJGX6KTTL2"
    }
  }
}

override_data {
  target = data.terraform_remote_state.us_west_1_regional_state
  values = {
    outputs = {
      app_alb_dns_name = "dr-app.us-west-1.elb.amazonaws.com"
      app_alb_zone_id  = "Z368ELLRRE2KJ0"
    }
  }
}

override_data {
  target = data.terraform_remote_state.us_east_2_monitoring_state
  values = {
    outputs = {
      monitoring_grafana_hostname = "primary-grafana.elb.us-east-2.amazonaws.com"
    }
  }
}

override_data {
  target = data.terraform_remote_state.us_west_1_monitoring_state
  values = {
    outputs = {
      monitoring_grafana_hostname = "dr-grafana.elb.us-west-1.amazonaws.com"
    }
  }
}

override_data {
  target = data.aws_route53_zone.zone
  values = { zone_id = "Z0OFFLINEZONE", name = "estate.example.org" }
}

# The monitoring stacks' states exist (their listings find them), so they are read.
override_data {
  target = data.aws_s3_objects.us_east_2_monitoring_state_object
  values = { keys = ["prod/monitoring-us-east-2/terraform.tfstate"] }
}

override_data {
  target = data.aws_s3_objects.us_west_1_monitoring_state_object
  values = { keys = ["prod/monitoring-us-west-1/terraform.tfstate"] }
}
