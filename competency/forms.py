"""What every page's forms share."""


def add_errors(form, error):
    """A service's ValidationError on the form, by field where it names one:
    the services decide, and the form shows why, beside what was typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
