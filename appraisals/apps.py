from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    """People and reporting lines, cycles, appraisals and their workflow."""

    name = "appraisals"
    verbose_name = "Appraisals"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save
        from simple_history.signals import post_create_historical_record

        from appraisals.mail_addresses import on_address_refused
        from appraisals.models import Person
        from appraisals.people import log_person_change, on_user_saved
        from competency.mail import address_refused

        # A sign-in account created after its person finds them by email.
        post_save.connect(
            on_user_saved, sender=get_user_model(), dispatch_uid="appraisals_link_account"
        )
        # Every recorded change of a person goes to the security log too.
        post_create_historical_record.connect(
            log_person_change, sender=Person.history.model, dispatch_uid="appraisals_log_person"
        )
        # An address the mail server refused for good, against its person.
        address_refused.connect(on_address_refused, dispatch_uid="appraisals_address_refused")
