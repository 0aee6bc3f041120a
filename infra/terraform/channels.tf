# Alert channels (issue 14): Google Chat, Slack and signed webhooks. Their URLs are secrets,
# stored in Firestore sealed with one Fernet key (adapters/secret_box.py) that lives here, read
# by send_alerts (to post) and the api (to add channels and post test messages). As for the
# SendGrid key, Terraform creates the secret but never its value: add a version first
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" |
#     gcloud secrets versions add ${prefix}-channel-secret-key --data-file=-
# before the apply that adds it (a function mounting a secret with no version fails to deploy).

resource "google_secret_manager_secret" "channel_secret_key" {
  project   = var.project_id
  secret_id = "${var.prefix}-channel-secret-key"
  replication {
    auto {}
  }
  depends_on = [google_project_service.service]
}

resource "google_secret_manager_secret_iam_member" "reads_channel_key" {
  for_each  = toset(["send_alerts", "api"])
  project   = var.project_id
  secret_id = google_secret_manager_secret.channel_secret_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.key].email}"
}

# SendGrid's Event Webhook (delivered, bounce, dropped, spam report) posts to the api's
# /api/v1/sendgrid/events, signed with ECDSA; this is the verification key SendGrid shows under
# Settings → Mail Settings → Event Webhook → Signed Event Webhook (base64, no PEM lines).
variable "sendgrid_event_public_key" {
  type        = string
  default     = ""
  description = "SendGrid's signed Event Webhook verification key; empty: events refused (503)."
  validation {
    condition     = can(regex("^[A-Za-z0-9+/=]*$", var.sendgrid_event_public_key))
    error_message = "sendgrid_event_public_key is the base64 key SendGrid shows, without PEM lines."
  }
}
