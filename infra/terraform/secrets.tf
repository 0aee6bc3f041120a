# The SendGrid API key, read only by send_alerts. Terraform creates the secret but never its
# value, which would otherwise sit in the state file: README.md adds the key with gcloud before
# the first full apply (a function that mounts a secret with no version fails to deploy).
#
# The Reseller API needs no secret: domain-wide delegation is keyless (service-accounts.tf).

resource "google_secret_manager_secret" "sendgrid_api_key" {
  # Google-managed encryption: access is limited to one service account.
  project   = var.project_id
  secret_id = "${var.prefix}-sendgrid-api-key"
  replication {
    auto {}
  }
  depends_on = [google_project_service.service]
}

resource "google_secret_manager_secret_iam_member" "send_alerts_reads_sendgrid_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.sendgrid_api_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function["send_alerts"].email}"
}
