# Firestore change events → evaluate_thresholds. Eventarc delivers `document.v1.written` events
# as CloudEvents whose data is protobuf DocumentEventData (old and new document). A Firestore
# trigger must live in the database's location (eur3, nam5 or its region); the function can be
# anywhere.
#
# Retry policy: retry. The trigger sets no `retry_policy` block, whose only allowed value,
# max_attempts = 1, would drop an event on the first failure and lose a threshold evaluation.
# Eventarc's own Pub/Sub subscription then redelivers with exponential backoff (10 s to 600 s)
# until its 24-hour retention runs out.
#
# Dead-lettering: that subscription is created and owned by Eventarc, and neither
# google_eventarc_trigger nor google_cloudfunctions2_function can set its dead-letter policy
# (hashicorp/terraform-provider-google#17697, #25069). Google's documented way is to update the
# subscription itself. Terraform creates everything that needs (the dead-letter topic, its
# inspect subscription, Pub/Sub's rights on both) and `terraform output
# eventarc_dead_letter_commands` prints the one gcloud command per trigger that attaches it;
# README.md runs it after every apply that creates or recreates a trigger.

resource "google_eventarc_trigger" "firestore" {
  for_each        = local.firestore_triggers
  project         = var.project_id
  name            = "${var.prefix}-${replace(each.key, "_", "-")}-written"
  location        = var.firestore.location
  service_account = google_service_account.invoker[each.value.function].email

  # Firestore events are only available as protobuf.
  event_data_content_type = "application/protobuf"

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.firestore.document.v1.written"
  }
  matching_criteria {
    attribute = "database"
    value     = google_firestore_database.main.name
  }
  matching_criteria {
    attribute = "document"
    operator  = "match-path-pattern"
    value     = "${each.value.collection}/{licenceId}"
  }

  destination {
    cloud_run_service {
      service = google_cloudfunctions2_function.function[each.value.function].name
      region  = var.region
    }
  }

  depends_on = [
    google_project_iam_member.eventarc_receiver,
    google_cloud_run_v2_service_iam_member.invoker,
  ]
}

resource "google_pubsub_topic" "firestore_dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption, as for every topic here.
  project    = var.project_id
  name       = "${var.prefix}-licence-changes-dead-letter"
  depends_on = [google_project_service.service]
}

resource "google_pubsub_subscription" "firestore_dead_letter_inspect" {
  project                    = var.project_id
  name                       = "${var.prefix}-licence-changes-dead-letter-inspect"
  topic                      = google_pubsub_topic.firestore_dead_letter.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_topic_iam_member" "firestore_dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.firestore_dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "firestore_dead_letter_subscriber" {
  for_each     = local.firestore_triggers
  project      = var.project_id
  subscription = google_eventarc_trigger.firestore[each.key].transport[0].pubsub[0].subscription
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
