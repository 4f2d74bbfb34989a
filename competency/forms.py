"""What every page's forms share, and the sign-in form."""

from django.contrib.auth.forms import AuthenticationForm


def add_errors(form, error):
    """A service's ValidationError on the form, by field where it names one:
    the services decide, and the form shows why, beside what was typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, whose one refusal also says that a leaver's
    account no longer signs in. One message for a wrong password and a
    closed account alike: a message of its own for the closed one would
    tell whoever guessed a leaver's password that they had it right (and
    that the account exists), which the wrong-password message never does.
    The backend takes the same time for both (roles.Backend.authenticate)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct %(username)s and password. Note that both fields may be "
            "case-sensitive, and that the account of someone whose leaving date has come can "
            "no longer sign in."
        ),
    }
