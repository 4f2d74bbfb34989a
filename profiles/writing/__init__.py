"""Writing a role-profile/1 document's content into a profile (content.py)
and finding or making the catalogue items it names (catalogue.py). Below
profiles.lifecycle and profiles.importing, which both write this way."""
