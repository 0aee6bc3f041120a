# One service account per function, holding only what that function does; one more per event
# function that Pub/Sub or Eventarc use to invoke it; one for building the sources.
#
#   function             Firestore   publishes to               other
#   sync_usage           read/write  -                          sign as itself (Reseller API)
#   evaluate_thresholds  read/write  topup-requests, alerts     -
#   apply_topup          read/write  topup-requests, alerts     sign as itself (Reseller API;
#                                                               Licensing API for unassigns)
#   send_alerts          read/write  alerts (month-end report)  reads the SendGrid key secret
#                                    month-end-report (next
#                                    page), month-end-customer
#   api                  read/write  topup-requests             -
#   sync_holders         read/write  sync-holders (next page),  sign as itself (Licensing,
#                                    sync-holders-customer      Directory, Reports APIs)
#   react_to_reseller_   read/write  -                          sign as itself (Reseller API)
#     events
#   verify_audit         read/write  verify-audit (next page),  creates objects in the audit
#                        (checkpts)  verify-audit-customer      heads bucket (audit-integrity.tf)
#
# Topic and secret grants sit beside those resources (pubsub.tf, secrets.tf).

resource "google_service_account" "function" {
  for_each     = local.function_defaults
  project      = var.project_id
  account_id   = "${var.prefix}-${each.value.short}"
  display_name = "Licence Manager ${each.key} (runtime)"
  description  = each.value.description
}

# Firestore has no per-collection IAM; the grant is limited to this deployment's database.
resource "google_project_iam_member" "function_firestore" {
  for_each = local.function_defaults
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
  condition {
    title       = "${var.prefix}-firestore-${each.value.short}"
    description = "Only the Licence Manager database"
    expression  = "resource.name == \"projects/${var.project_id}/databases/${local.firestore_database}\""
  }
}

# Keyless domain-wide delegation: the function has IAM sign its delegated JWT with its own
# account's Google-held key (google.auth.iam.Signer → IAM Credentials signBlob). No key is ever created. The Workspace admin authorises each account's OAuth
# client id (outputs.reseller_delegation) for the apps.order scope; sync_holders' client id
# (outputs.workspace_delegation) for its three Admin API scopes.
resource "google_service_account_iam_member" "reseller_self_signer" {
  for_each           = merge(local.reseller_env, local.workspace_env)
  service_account_id = google_service_account.function[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Invokers: the identity in the OIDC token of Pub/Sub pushes and Eventarc deliveries. Each may
# invoke exactly one function.
resource "google_service_account" "invoker" {
  for_each     = local.event_functions
  project      = var.project_id
  account_id   = "${var.prefix}-${local.function_defaults[each.key].short}-inv"
  display_name = "Licence Manager ${each.key} (invoker)"
  description  = "Pub/Sub or Eventarc delivering events to ${each.key}"
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.event_functions
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker[each.key].email}"
}

# Pub/Sub mints the push OIDC tokens as the invoker accounts.
resource "google_service_account_iam_member" "pubsub_token_creator" {
  for_each           = local.event_functions
  service_account_id = google_service_account.invoker[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# Eventarc's Firestore (direct) triggers need the trigger identity to be an event receiver.
resource "google_project_iam_member" "eventarc_receiver" {
  for_each = toset([for t in values(local.firestore_triggers) : t.function])
  project  = var.project_id
  role     = "roles/eventarc.eventReceiver"
  member   = "serviceAccount:${google_service_account.invoker[each.key].email}"
}

# The dashboard API is public at the network level: Firebase Hosting forwards browsers' requests
# without a Google identity, so Cloud Run must let them in; the API authenticates every route
# itself (401 problem+json until sign-in lands).
resource "google_cloud_run_v2_service_iam_member" "api_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["api"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Cloud Build runs as this account to turn a source zip into an image (instead of the project's
# default compute account and its broad Editor role).
resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.prefix}-build"
  display_name = "Licence Manager function builds"
}

resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.build.email}"
}

resource "google_artifact_registry_repository_iam_member" "build_images" {
  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.build.email}"
}

# Builds read the source zip from our bucket and from the copy Cloud Functions keeps in its
# gcf-v2-sources-* bucket.
resource "google_project_iam_member" "build_sources" {
  project = var.project_id
  role    = "roles/storage.objectAdmin"
  member  = "serviceAccount:${google_service_account.build.email}"
  condition {
    title       = "${var.prefix}-build-sources"
    description = "Only function source buckets"
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\") || resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.sources.name}/\")"
  }
}
