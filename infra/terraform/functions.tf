# The functions: gen2, Python 3.11, each with its own service account (service-accounts.tf)
# and the sizes chosen in locals.tf.
#
# None has an `event_trigger` block. Pub/Sub functions are reached through push subscriptions
# this configuration owns (pubsub.tf), because only a subscription we own can carry our
# dead-letter topic and retry policy: the subscription an event_trigger creates belongs to
# Eventarc and the provider cannot configure dead-lettering on it. The Firestore trigger is a
# separate google_eventarc_trigger (eventarc.tf), because one function listens to two
# collections and an event_trigger takes one path pattern. react_to_reseller_events is pushed
# from Google's Reseller notification topic by a subscription in reseller-events.tf. functions-framework serves a
# function by the decorator in main.py (@cloud_event) even though Cloud Functions sets
# FUNCTION_SIGNATURE_TYPE=http on a function without an event_trigger
# (tests/infra/test_bundles_serve.py serves each zip that way).

resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124:Only api allows all ingress: Firebase Hosting forwards browsers' /api/** requests from outside Google's network. Every event function is ALLOW_INTERNAL_ONLY (locals.tf).
  for_each    = local.functions
  project     = var.project_id
  location    = var.region
  name        = each.value.service_name
  description = each.value.description

  build_config {
    runtime           = local.runtime
    entry_point       = local.bundles[each.key].entry_point
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.bundle[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_seconds
    max_instance_count               = each.value.max_instances
    min_instance_count               = each.value.min_instances
    max_instance_request_concurrency = each.value.concurrency
    ingress_settings                 = each.value.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.function[each.key].email
    environment_variables            = local.function_env[each.key]

    dynamic "secret_environment_variables" {
      for_each = lookup(local.function_secrets, each.key, {})
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        # Read when an instance starts: a new key version reaches new instances (README).
        version = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.bundles[each.key].signature_type == each.value.signature_type
      error_message = "functions/${each.key}/main.py declares a ${local.bundles[each.key].signature_type} function but it is deployed with a ${each.value.trigger} trigger."
    }
    precondition {
      # apply_topup's claim on a request must outlast its longest attempt (variables.tf).
      condition     = each.key != "apply_topup" || var.topup_lease_seconds > each.value.timeout_seconds
      error_message = "topup_lease_seconds (${var.topup_lease_seconds}) must be longer than apply_topup's timeout (${each.value.timeout_seconds} s): a second attempt could otherwise start while the first may still be changing seats."
    }
    precondition {
      condition     = local.manifest.runtime == local.runtime
      error_message = "The bundles were built for ${local.manifest.runtime}, not ${local.runtime}: run `make package`."
    }
  }

  depends_on = [
    google_project_service.service,
    google_project_iam_member.build_logs,
    google_project_iam_member.build_sources,
    google_artifact_registry_repository_iam_member.build_images,
    google_project_iam_member.function_firestore,
    google_secret_manager_secret_iam_member.send_alerts_reads_sendgrid_key,
  ]
}
