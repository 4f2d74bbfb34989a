from django.apps import AppConfig
from django.db.models.signals import post_save


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Role profiles"

    def ready(self):
        from profiles.search import catalogue_text_saved, searched_catalogue_models

        # A catalogue text renamed in place shows in every profile using it,
        # so their search texts follow (profiles/search.py).
        for model in searched_catalogue_models():
            post_save.connect(catalogue_text_saved, sender=model, dispatch_uid=f"search-{model}")

        from profiles import fingerprints

        # And a catalogue row a document shows, changed in place, changes
        # those documents' fingerprints (profiles/fingerprints.py).
        fingerprints.connect()
