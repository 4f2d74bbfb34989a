"""The edit page's form as a browser would send it back: every input,
select and textarea inside the form, with what it shows, and the button
pressed (a test changes fields first, as a person would type)."""

from html.parser import HTMLParser

from django.urls import reverse


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = []  # (name, value), in page order
        self.in_form = False
        self.select = None  # [name, first option, selected option]
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            name, first, chosen = self.select
            self.fields.append((name, chosen if chosen is not None else first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # A browser drops the newline right after <textarea>.
            self.fields.append((name, text.removeprefix("\n")))
            self.textarea = None


def form_fields(response):
    """The first POST form's fields on a page, as a dict."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    return dict(reader.fields)


def edit_url(profile):
    return reverse("profiles:edit", args=[profile.slug])


def press(client, profile, button=None, *, page=None, **typed):
    """Open the edit page (or take `page`, the one the person has open),
    type `typed` into its fields and press `button` (an item button's
    value, or None for Save changes)."""
    page = page if page is not None else client.get(edit_url(profile))
    data = form_fields(page)
    data.update(typed)
    if button:
        data["item-action"] = button
    return client.post(edit_url(profile), data)
