"""Two-step sign-in (TOTP with recovery codes, on django-otp) and single sign-on (OpenID
Connect, on mozilla-django-oidc). Django's LoginView stays the password step."""
