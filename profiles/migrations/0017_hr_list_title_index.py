"""An index on the working copy's title (and slug, the tie-break), the order
of HR's profile list: twenty rows read from it instead of every profile
sorted (~90 ms at 20,000 profiles)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0016_rank_vectors_in_the_row"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="roleprofile",
            index=models.Index(fields=["title", "slug"], name="profile_title_order"),
        ),
    ]
