"""Role profiles and the catalogue over the REST API: the same services,
querysets and rules as the pages (profiles.lifecycle, profiles.drafts,
profiles.importing, RoleProfile.objects.visible_to, documents.readable).
Each module holds one resource's viewset; the shapes are in serializers.py
and the ETag rules in etags.py. competency/urls.py registers the viewsets."""
