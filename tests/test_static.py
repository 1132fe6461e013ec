"""Production's static files: collectstatic with the manifest storage finds every file a
stylesheet or script refers to (a vendored script pointing at a source map that is not
shipped stopped a production deployment)."""

from __future__ import annotations

from django.core.management import call_command


def test_production_collects_every_static_file(settings, tmp_path) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        # whitenoise's production storage is this one plus compression
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("klustera/portal.*.css"))  # hashed names, as production serves
