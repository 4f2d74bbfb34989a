"""Bringing role profiles and frameworks in.

- reading: a file's bytes to a checked role-profile/1 document (published
  page text through published_text, or JSON), or one clear error naming the
  file and the place in it;
- writing: checked documents written as drafts, all or nothing, and the
  preview of doing so;
- frameworks: a whole framework file (the DDaT role table, an
  organisation's skills table, framework/1 JSON).

The commands, the upload pages and the API all come through here.
"""
