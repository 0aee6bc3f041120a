# The APIs the system uses. Left enabled on destroy: other things in the project may use them,
# and disabling an API can take dependent resources with it.

locals {
  services = toset([
    "artifactregistry.googleapis.com", # function images
    "cloudbuild.googleapis.com",       # builds the function sources
    "cloudfunctions.googleapis.com",   # gen2 functions
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",  # usage sync and month-end report jobs
    "eventarc.googleapis.com",        # Firestore change events
    "firebase.googleapis.com",        # Firebase project, web app
    "firebasehosting.googleapis.com", # the dashboard
    "firebaserules.googleapis.com",   # Firestore security rules
    "firestore.googleapis.com",       # the licence store
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",  # signs the delegated JWT: keyless domain-wide delegation
    "identitytoolkit.googleapis.com", # Identity Platform sign-in
    "logging.googleapis.com",         # log-based metrics (monitoring-metrics.tf)
    "monitoring.googleapis.com",      # alert policies, notification channels, the dashboard
    "pubsub.googleapis.com",          # fan-out between functions
    "reseller.googleapis.com",        # Google Workspace Reseller API
    "run.googleapis.com",             # gen2 functions run on Cloud Run
    "secretmanager.googleapis.com",   # the SendGrid key
    "serviceusage.googleapis.com",
    "storage.googleapis.com", # function source zips
  ])
}

resource "google_project_service" "service" {
  for_each           = local.services
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# Pub/Sub's service agent signs the push requests' OIDC tokens and moves undeliverable messages
# to dead-letter topics. Asking for its identity creates it if the project has none yet.
resource "google_project_service_identity" "pubsub" {
  provider   = google-beta
  project    = var.project_id
  service    = "pubsub.googleapis.com"
  depends_on = [google_project_service.service]
}

locals {
  pubsub_service_agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
