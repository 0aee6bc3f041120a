# Google's Reseller notifications (resellernotify) → react_to_reseller_events, which re-lists the
# one customer an event names (docs/architecture.md, "The event path").
#
# The topic is Google's: `licence-manager ops register-notifications --service-account SA`
# registers SA and prints it (var.reseller_events_topic). Only registered service accounts may
# subscribe to it, so this subscription is created by Terraform running as a registered account
# (README.md, "Event-driven sync"). Everything else here is ours: the push subscription with the
# same retry and dead-letter policy as every push route (pubsub.tf), its dead-letter topic and
# the "-inspect" pull subscription people read what failed from. With no topic set, none of it
# exists and the scheduled sync alone keeps the figures.

locals {
  reseller_events = var.reseller_events_topic == null ? {} : {
    reseller_events = {
      topic    = "${var.prefix}-reseller-events" # our names; the topic itself is Google's
      function = "react_to_reseller_events"
    }
  }
}

resource "google_pubsub_topic" "reseller_events_dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; a notification carries customer and subscription ids, no seat counts or secrets.
  for_each   = local.reseller_events
  project    = var.project_id
  name       = "${each.value.topic}-dead-letter"
  depends_on = [google_project_service.service]
}

resource "google_pubsub_subscription" "reseller_events" {
  for_each = local.reseller_events
  project  = var.project_id
  name     = "${each.value.topic}-to-${each.value.function}"
  topic    = var.reseller_events_topic

  ack_deadline_seconds = min(600, local.functions[each.value.function].timeout_seconds + 60)
  # An event older than a day is long caught by the scheduled sync.
  message_retention_duration = "86400s"

  push_config {
    # functions-framework builds the CloudEvent's source from the topic path.
    push_endpoint = "${google_cloudfunctions2_function.function[each.value.function].service_config[0].uri}/${var.reseller_events_topic}"
    oidc_token {
      service_account_email = google_service_account.invoker[each.value.function].email
      audience              = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = local.retry_minimum_backoff
    maximum_backoff = local.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.reseller_events_dead_letter[each.key].id
    max_delivery_attempts = local.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.invoker,
    google_service_account_iam_member.pubsub_token_creator,
  ]
}

resource "google_pubsub_subscription" "reseller_events_dead_letter_inspect" {
  for_each                   = local.reseller_events
  project                    = var.project_id
  name                       = "${each.value.topic}-dead-letter-inspect"
  topic                      = google_pubsub_topic.reseller_events_dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering: Pub/Sub's service agent publishes to our dead-letter topic and acknowledges
# the message on our subscription (the topic it came from is Google's and needs nothing).
resource "google_pubsub_topic_iam_member" "reseller_events_dead_letter_publisher" {
  for_each = local.reseller_events
  project  = var.project_id
  topic    = google_pubsub_topic.reseller_events_dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "reseller_events_dead_letter_subscriber" {
  for_each     = local.reseller_events
  project      = var.project_id
  subscription = google_pubsub_subscription.reseller_events[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
