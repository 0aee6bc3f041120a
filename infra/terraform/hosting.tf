# The web dashboard: a Firebase Hosting site whose /api/** requests are rewritten to the api
# function (its Cloud Run service), and sign-in through Identity Platform.
#
# What Terraform cannot do, README.md does by hand:
#   - upload the web app's files: a Hosting release is files plus config, and the files come from
#     `firebase deploy --only hosting` with the firebase.json that `terraform output -raw
#     firebase_json` prints (the rewrite to this deployment's api service is in it);
#   - create the OAuth client for "Sign in with Google": there is no API for OAuth web clients
#     outside IAP. Create it in the console and pass it as var.google_sign_in_client_id and _secret, or enable the
#     Google provider in the Firebase console, which creates one.

resource "google_firebase_project" "main" {
  provider   = google-beta
  project    = var.project_id
  depends_on = [google_project_service.service]
}

resource "google_firebase_web_app" "dashboard" {
  provider        = google-beta
  project         = var.project_id
  display_name    = "Licence Manager dashboard (${var.prefix})"
  deletion_policy = "DELETE"
  depends_on      = [google_firebase_project.main]
}

data "google_firebase_web_app_config" "dashboard" {
  provider   = google-beta
  project    = var.project_id
  web_app_id = google_firebase_web_app.dashboard.app_id
}

resource "google_firebase_hosting_site" "dashboard" {
  provider   = google-beta
  project    = var.project_id
  site_id    = local.hosting_site_id
  app_id     = google_firebase_web_app.dashboard.app_id
  depends_on = [google_firebase_project.main]
}

# Identity Platform (Firebase Auth with the upgrade): the dashboard signs people in with their
# Google identity and sends the ID token to the api, which verifies it server-side.
resource "google_identity_platform_config" "main" {
  project = var.project_id
  authorized_domains = concat(
    ["${local.hosting_site_id}.web.app", "${local.hosting_site_id}.firebaseapp.com"],
    var.hosting.authorized_domains,
  )
  sign_in {
    allow_duplicate_emails = false
    # Google accounts only: no passwords to manage, no anonymous users.
    email {
      enabled           = false
      password_required = false
    }
    anonymous {
      enabled = false
    }
  }
  depends_on = [google_project_service.service, google_firebase_project.main]
}

resource "google_identity_platform_default_supported_idp_config" "google" {
  count         = var.google_sign_in_client_id == null ? 0 : 1
  project       = var.project_id
  idp_id        = "google.com"
  client_id     = var.google_sign_in_client_id
  client_secret = var.google_sign_in_client_secret
  enabled       = true
  depends_on    = [google_identity_platform_config.main]
}

locals {
  content_security_policy = join("; ", [
    "default-src 'self'",
    "script-src 'self' https://apis.google.com",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self' https://identitytoolkit.googleapis.com https://securetoken.googleapis.com",
    "frame-src 'self' https://*.firebaseapp.com",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ])

  # firebase.json for `firebase deploy --only hosting`, from the web app's folder.
  firebase_json = {
    hosting = {
      site   = google_firebase_hosting_site.dashboard.site_id
      public = "dist"
      ignore = ["firebase.json", "**/.*"]
      rewrites = [
        {
          source = "/api/**"
          run = {
            serviceId = google_cloudfunctions2_function.function["api"].name
            region    = var.region
          }
        },
        { source = "**", destination = "/index.html" },
      ]
      headers = [
        {
          source = "**"
          # The same headers the api sends (licence_manager.api.web.SECURITY_HEADERS; a test
          # checks they agree): no inline script, no framing.
          headers = [
            { key = "Content-Security-Policy", value = local.content_security_policy },
            { key = "X-Frame-Options", value = "DENY" },
            { key = "X-Content-Type-Options", value = "nosniff" },
            { key = "Referrer-Policy", value = "strict-origin-when-cross-origin" },
            { key = "Cross-Origin-Opener-Policy", value = "same-origin-allow-popups" },
            { key = "Permissions-Policy", value = "camera=(), microphone=(), geolocation=()" },
          ]
        },
      ]
    }
  }
}
