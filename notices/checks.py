"""Deployment checks of the settings notices rely on (`manage.py check --deploy`),
registered in NoticesConfig.ready: the emails it sends link to SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@register(deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """Emails link to SITE_URL: left at its local default, every link leads nowhere."""
    if urlsplit(settings.SITE_URL).hostname in LOCAL_HOSTS:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL}: the links in every email the app sends "
                "would lead there.",
                hint="Set SITE_URL to the app's public address, e.g. https://desist.example.",
                id="desist.W001",
            )
        ]
    return []
