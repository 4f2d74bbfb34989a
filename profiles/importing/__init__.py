"""Bringing role profiles and frameworks in.

- parsing: a file's bytes to a checked role-profile/1 document (published
  page text through published_text, or JSON), or one clear error naming the
  file and the place in it;
- checks: what each document is checked for before it is written;
- batch: checked documents written as drafts (profiles.writing does the
  writing), published when asked, all or nothing;
- preview: the same batch rolled back, to show what it would do;
- framework_import: a whole framework file (the DDaT role table, an
  organisation's skills table, framework/1 JSON).

The commands, the upload pages and the API all come through here.
"""
